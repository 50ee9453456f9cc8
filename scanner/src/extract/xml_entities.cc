// SPDX-License-Identifier: Apache-2.0
// A DTD taken out of an XML part, with the entity references it served (see xml_entities.h).
#include "xml_entities.h"

#include <cctype>

namespace sendguard::scanner {

namespace {

// One past the '>' that ends the DOCTYPE starting at `at`, skipping quoted strings,
// comments and the bracketed internal subset; the input's end when it never closes.
size_t DoctypeEnd(std::string_view xml, size_t at) {
  int brackets = 0;
  for (size_t i = at + 9; i < xml.size(); ++i) {
    char c = xml[i];
    if (c == '"' || c == '\'') {
      size_t close = xml.find(c, i + 1);
      if (close == std::string_view::npos) return xml.size();
      i = close;
    } else if (c == '<' && xml.compare(i, 4, "<!--") == 0) {
      size_t close = xml.find("-->", i + 4);
      if (close == std::string_view::npos) return xml.size();
      i = close + 2;
    } else if (c == '[') {
      ++brackets;
    } else if (c == ']' && brackets > 0) {
      --brackets;
    } else if (c == '>' && brackets == 0) {
      return i + 1;
    }
  }
  return xml.size();
}

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; }
bool IsXmlNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '.' || c == '-';
}

bool Predefined(std::string_view name) {
  return name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos";
}

// `text` with every "&name;" naming a non-predefined entity removed.
std::string DropEntityReferences(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '&' && i + 1 < text.size() && IsNameStart(text[i + 1])) {
      size_t j = i + 1;
      while (j < text.size() && IsXmlNameChar(text[j])) ++j;
      if (j < text.size() && text[j] == ';' && !Predefined(text.substr(i + 1, j - i - 1))) {
        i = j;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace

std::string WithoutDtd(std::string_view xml, std::string* declarations) {
  declarations->clear();
  size_t at = xml.find("<!DOCTYPE");
  if (at == std::string_view::npos) return std::string(xml);
  size_t end = DoctypeEnd(xml, at);
  *declarations = std::string(xml.substr(at, end - at));
  std::string rest(xml.substr(0, at));
  rest.append(xml.substr(end));
  return DropEntityReferences(rest);
}

}  // namespace sendguard::scanner
