// SPDX-License-Identifier: Apache-2.0
// What the scanner's fuzz targets share: scan options with bounds a fuzzing process can
// afford, a sink that checks what the extractors emit (UTF-8, as the scanner's Hyperscan
// database requires), and one extraction context per input, as the message walk makes one
// per message (the type detector is kept for the process: libmagic's database loads once).
#pragma once

#include "extract/extract_context.h"
#include "extract/type_detector.h"
#include "fuzz_support.h"
#include "sendguard/common/text.h"
#include "sendguard/scanner/scan_options.h"
#include "walk_sink.h"

namespace sendguard::fuzz {

// Bounds a fuzzing process can afford on every input (the defaults allow 256 MB extracted).
inline scanner::ScanOptions FuzzOptions() {
  scanner::ScanOptions o;
  o.max_message_bytes = 4u << 20;
  o.max_scan_bytes = 4u << 20;
  o.max_extracted_bytes = 16u << 20;
  o.max_member_bytes = 4u << 20;
  o.max_archive_members = 200;
  o.time_budget_ms = 3000;
  return o;
}

// Counts what it is given and checks each text is well-formed UTF-8.
class CheckingSink : public scanner::WalkSink {
 public:
  void Text(const std::string& part, std::string_view utf8) override {
    if (!common::IsValidUtf8(utf8)) Violated("text emitted to the scanner is not UTF-8 in part", part);
    bytes += utf8.size();
  }
  void Part(const scanner::PartFinding& f) override {
    if (f.type.empty()) Violated("part finding without a type", f.part);
  }
  uint64_t bytes = 0;
};

struct Extraction {
  scanner::ScanOptions options = FuzzOptions();
  scanner::ScanResult result;
  CheckingSink sink;
  scanner::ExtractContext ctx{options, result, sink, Detector()};

  static const scanner::TypeDetector& Detector() {
    static const scanner::TypeDetector detector;
    return detector;
  }
};

}  // namespace sendguard::fuzz
