// SPDX-License-Identifier: Apache-2.0
// Fuzz target: charset conversion to UTF-8 (glibc iconv). The input's first line is the
// declared charset, the rest the bytes; the promise in charset.h is checked: the result is
// always well-formed UTF-8 without NUL bytes, whatever the charset name.
#include "charset.h"
#include "fuzz_support.h"
#include "sendguard/common/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  const std::string_view in = fuzz::Bytes(data, size);
  const size_t eol = in.find('\n');
  const std::string_view charset = eol == std::string_view::npos ? std::string_view() : in.substr(0, eol);
  const std::string_view bytes = eol == std::string_view::npos ? in : in.substr(eol + 1);
  const std::string out = scanner::ToUtf8(bytes, charset);
  fuzz::Check(common::IsValidUtf8(out), "ToUtf8 gave invalid UTF-8");
  fuzz::Check(out.find('\0') == std::string::npos, "ToUtf8 gave a NUL byte");
  return 0;
}
