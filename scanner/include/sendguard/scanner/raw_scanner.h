// SPDX-License-Identifier: Apache-2.0
// The Hyperscan pass alone, over the same compiled database the Scanner uses, with a
// callback that only counts. The baseline for benchmarks and a diagnostic for rule
// authors ("how many raw candidates does my pattern make?"). One per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "sendguard/scanner/compiled_rules.h"

namespace sendguard::scanner {

class RawScannerImpl;

class RawScanner {
 public:
  explicit RawScanner(std::shared_ptr<const CompiledRules> rules);
  ~RawScanner();
  // Streams `bytes` through the database as one stream; returns the number of raw matches.
  uint64_t Scan(std::string_view bytes);

 private:
  std::unique_ptr<RawScannerImpl> impl_;
};

}  // namespace sendguard::scanner
