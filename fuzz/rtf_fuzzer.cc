// SPDX-License-Identifier: Apache-2.0
// Fuzz target: RTF to text (groups, control words, \'hh and \uN escapes, any nesting).
#include "extract/extractors.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = sendguard::scanner::RtfToText(sendguard::fuzz::Bytes(data, size));
  // Text comes out of the document; escapes like \uN add at most a few bytes per input byte.
  sendguard::fuzz::Check(text.size() <= 4 * size + 16, "RTF text far larger than the document");
  return 0;
}
