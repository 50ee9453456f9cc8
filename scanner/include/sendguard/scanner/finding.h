// SPDX-License-Identifier: Apache-2.0
// What a scan reports: findings with masked evidence and keyed hashes, never clear values.
// Plain data, safe to copy across threads and to hand to the milter or the CLI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sendguard/rules/rule_set.h"

namespace sendguard::scanner {

using rules::Confidence;

// One place a value was seen.
struct Location {
  // part path: "1", "2/referrals.csv", "subject", "3.1/message/1"; text read from a picture
  // ends "#ocr" ("2/scan.png#ocr") or "#page-N.ocr" (a TIFF's or PDF's page N, from 1)
  std::string part;
  uint64_t offset = 0;  // byte offset of the value in that part's extracted UTF-8 text
  std::string masked;   // e.g. "*** *** 6130": at most the type's mask_clear characters clear
  std::string hash;     // hex(HMAC-SHA256(secret, normalised value))
};

// Values of one type at one confidence level (and exact-match state).
struct Finding {
  std::string type;       // info type id ("uk.nhs_number") or "dict.<dictionary id>"
  std::string kind;       // "identifier" or "keyword"
  std::string name;       // for people: "NHS number", "health information"
  std::string category;   // breach-form DataCategory enumerator
  std::vector<std::string> subjects;  // breach-form SubjectCategory enumerators implied
  Confidence confidence = Confidence::kLow;
  uint64_t count = 0;     // distinct normalised values (distinct hashes), all locations counted
  bool exact_match = false;
  std::vector<Location> locations;  // capped at ScanOptions::max_locations_per_finding
};

// One bound hit or one piece the scan could not read.
struct Incompleteness {
  std::string bound;   // "max_depth", "time_budget", "truncated_mime", "extract_error" ...
  std::string part;    // the part path it happened in ("" for the whole message)
  std::string detail;  // for people
};

// Where one message's scan spent its time, in nanoseconds of wall clock.
struct ScanTimings {
  uint64_t walk_ns = 0;     // MIME parsing and everything not below (the remainder)
  uint64_t decode_ns = 0;   // transfer decoding, charset conversion, HTML to text of body parts
  uint64_t extract_ns = 0;  // attachments: type detection, archives, office, PDF, RTF
  uint64_t scan_ns = 0;     // Hyperscan
  uint64_t confirm_ns = 0;  // confirm stage and collection
  uint64_t ocr_ns = 0;      // decoding, rendering and recognising pictures (inside extract_ns)
  uint64_t total_ns = 0;
};

// What OCR did for one message.
struct OcrCounts {
  uint32_t read = 0;          // images and pages recognised
  uint32_t cached = 0;        // of those, answered from the cache (the same logo again)
  uint32_t tiny_skipped = 0;  // images below the size that can hold text, skipped by rule
  uint32_t not_read = 0;      // images and pages a bound, the mode or a broken file kept from OCR
};

// Why a scan could not see everything. A message with any of these is never "clean".
struct ScanResult {
  bool complete = true;
  std::vector<std::string> incomplete_reasons;  // "bound: detail (part P)", for people and JSON
  std::vector<Incompleteness> incomplete;       // the same, structured
  std::vector<Finding> findings;                // ordered by type, then confidence (high first)
  uint64_t bytes_scanned = 0;                   // extracted text bytes fed to the engine
  uint32_t parts = 0;                           // text parts scanned
  uint32_t attachments = 0;                     // parts with a file name (not counting archive members)
  // The name the message's own text greets ("Mrs Patel" from "Dear Mrs Patel,"), for the
  // greeting_mismatch signal. Held in memory only: never logged, serialised or stored.
  std::string salutation;
  ScanTimings timings;
  OcrCounts ocr;

  // Marks the scan incomplete (the same bound, part and detail are kept once).
  void AddIncomplete(const std::string& bound, const std::string& part, const std::string& detail);
};

// Whether a part path is text read from a picture; if so `picture` is the picture's own path
// ("2/scan.pdf#page-3.ocr" -> "2/scan.pdf") and `page` its page (3; 0 for a single picture).
bool FromOcr(const std::string& part, std::string* picture = nullptr, int* page = nullptr);

}  // namespace sendguard::scanner
