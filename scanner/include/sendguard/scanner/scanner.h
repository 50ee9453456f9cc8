// SPDX-License-Identifier: Apache-2.0
// The scanning engine's front door. A Scanner is one worker's engine: it owns a
// Hyperscan scratch, so use one per thread; it borrows the compiled rules snapshot it
// was made with (kept alive by shared_ptr) and the hasher (must outlive it).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/compiled_rules.h"
#include "sendguard/scanner/finding.h"
#include "sendguard/scanner/scan_options.h"

namespace sendguard::scanner {

class ScannerImpl;

// Not thread-safe: one Scanner per worker thread. Cheap to keep, costly to create.
class Scanner {
 public:
  Scanner(std::shared_ptr<const CompiledRules> rules, const common::KeyedHasher& hasher,
          ScanOptions options = {});
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;

  // Scans one raw RFC 5322 message (.eml): headers meant for people, every text part.
  ScanResult ScanMessage(std::string_view raw_message);

  // What a confirmation code binds to: hex SHA-256 of the message's text and attachments'
  // extracted text, white space collapsed, headers (the subject included) left out. The
  // same content re-sent by a mail client (new boundaries, new transfer encoding, a
  // subject tag) digests the same; any edit to the text does not.
  std::string ContentDigest(std::string_view raw_message);

  // Scans plain UTF-8 text as a single part named `part`.
  ScanResult ScanText(std::string_view text, const std::string& part = "1");

  // Streaming form of ScanText: Begin, Feed any number of chunks, then Finish.
  // Findings equal ScanText on the concatenation, however the text was split.
  void Begin(const std::string& part);
  void Feed(std::string_view chunk);
  ScanResult Finish();

  const CompiledRules& rules() const;

 private:
  std::unique_ptr<ScannerImpl> impl_;
};

}  // namespace sendguard::scanner
