// SPDX-License-Identifier: Apache-2.0
// Fuzz target: PDF text through poppler-cpp as sendguard reads it, page by page.
#include "extract_support.h"
#include "extract/extractors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  sendguard::fuzz::Extraction x;
  sendguard::scanner::ExtractPdf(x.ctx, sendguard::fuzz::Bytes(data, size), "2");
  return 0;
}
