// SPDX-License-Identifier: Apache-2.0
// Fuzz target: header text decoding, RFC 2047 encoded words and RFC 2231 parameter
// continuations. The input's first line is a header value; each further line "name=value"
// is a parameter, in order, and the parameters "filename" and "name" are decoded as the
// message walk does for attachment names.
#include <utility>
#include <vector>

#include "fuzz_support.h"
#include "sendguard/common/text.h"
#include "mime_words.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  const std::string_view in = fuzz::Bytes(data, size);
  const size_t eol = in.find('\n');
  const std::string_view value = in.substr(0, eol);
  fuzz::Check(common::IsValidUtf8(scanner::DecodeEncodedWords(value)), "encoded words gave invalid UTF-8");
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = eol == std::string_view::npos ? in.size() : eol + 1;
  while (pos < in.size() && params.size() < 1000) {
    size_t end = in.find('\n', pos);
    if (end == std::string_view::npos) end = in.size();
    const std::string_view line = in.substr(pos, end - pos);
    const size_t eq = line.find('=');
    params.emplace_back(std::string(line.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(line.substr(eq + 1)));
    pos = end + 1;
  }
  for (const char* name : {"filename", "name"}) {
    fuzz::Check(common::IsValidUtf8(scanner::DecodeParameter(params, name)), "parameter decoded to invalid UTF-8");
  }
  return 0;
}
