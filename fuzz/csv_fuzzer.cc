// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a CSV attachment as staff export them (any charset, any quoting, a UTF-16
// export without its byte-order mark). The first byte picks the declared charset.
#include <array>

#include "extract_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  static constexpr std::array<const char*, 5> kCharsets{"utf-8", "windows-1252", "utf-16le", "utf-16", ""};
  const auto in = fuzz::Select(data, size, kCharsets.size());
  fuzz::Extraction x;
  scanner::ExtractBytes(x.ctx, in.rest, "export.csv", "text/csv", kCharsets[in.choice], "2", 1);
  return 0;
}
