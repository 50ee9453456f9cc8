// SPDX-License-Identifier: Apache-2.0
// Top-level header parsing for envelope facts (see message_headers.h).
#include "sendguard/scanner/message_headers.h"

#include "mime_words.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

std::vector<HeaderField> ReadHeaders(std::string_view raw) {
  std::vector<HeaderField> out;
  size_t pos = 0;
  while (pos < raw.size()) {
    size_t nl = raw.find('\n', pos);
    std::string_view line = raw.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? raw.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header block
    if ((line[0] == ' ' || line[0] == '\t') && !out.empty()) {
      out.back().value += " " + std::string(common::Trim(line));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    out.push_back({std::string(common::Trim(line.substr(0, colon))), std::string(common::Trim(line.substr(colon + 1)))});
  }
  return out;
}

std::string HeaderValue(const std::vector<HeaderField>& fields, std::string_view name) {
  const std::string want = common::AsciiLower(name);
  for (const auto& f : fields) {
    if (common::AsciiLower(f.name) == want) return f.value;
  }
  return "";
}

std::string DecodeHeaderText(std::string_view value) { return DecodeEncodedWords(value); }

}  // namespace sendguard::scanner
