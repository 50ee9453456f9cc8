// SPDX-License-Identifier: Apache-2.0
// RawScanner: one Hyperscan stream per call, counting matches (see raw_scanner.h).
#include "sendguard/scanner/raw_scanner.h"

#include <cstdlib>

#include "compiled_rules_impl.h"

namespace sendguard::scanner {

class RawScannerImpl {
 public:
  explicit RawScannerImpl(std::shared_ptr<const CompiledRules> rules) : rules_(std::move(rules)) {
    hs_scratch_t* s = nullptr;
    if (hs_alloc_scratch(rules_->impl().database.get(), &s) != HS_SUCCESS) std::abort();
    scratch_.reset(s);
  }
  uint64_t Scan(std::string_view bytes) {
    uint64_t count = 0;
    auto on_match = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
      ++*static_cast<uint64_t*>(ctx);
      return 0;
    };
    hs_stream_t* stream = nullptr;
    if (hs_open_stream(rules_->impl().database.get(), 0, &stream) != HS_SUCCESS) return 0;
    hs_scan_stream(stream, bytes.data(), static_cast<unsigned>(bytes.size()), 0, scratch_.get(), on_match, &count);
    hs_close_stream(stream, scratch_.get(), on_match, &count);
    return count;
  }

 private:
  std::shared_ptr<const CompiledRules> rules_;
  HsScratch scratch_;
};

RawScanner::RawScanner(std::shared_ptr<const CompiledRules> rules)
    : impl_(std::make_unique<RawScannerImpl>(std::move(rules))) {}
RawScanner::~RawScanner() = default;
uint64_t RawScanner::Scan(std::string_view bytes) { return impl_->Scan(bytes); }

}  // namespace sendguard::scanner
