// SPDX-License-Identifier: Apache-2.0
// Address-list parsing and name tokens (see address_list.h).
#include "sendguard/rules/address_list.h"

#include <algorithm>
#include <cctype>

#include "sendguard/common/text.h"

namespace sendguard::rules {

namespace {

// Splits at top-level commas (outside quotes, comments and angle brackets); group
// syntax "Name: a, b;" is flattened.
std::vector<std::string> SplitItems(std::string_view v) {
  std::vector<std::string> items;
  std::string cur;
  bool quoted = false, angle = false;
  int comment = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (quoted) {
      cur.push_back(c);
      if (c == '\\' && i + 1 < v.size()) cur.push_back(v[++i]);
      else if (c == '"') quoted = false;
      continue;
    }
    if (comment > 0) {
      if (c == '(') ++comment;
      if (c == ')') --comment;
      continue;  // comments are dropped
    }
    switch (c) {
      case '"': quoted = true; cur.push_back(c); break;
      case '(': comment = 1; break;
      case '<': angle = true; cur.push_back(c); break;
      case '>': angle = false; cur.push_back(c); break;
      case ':':
        if (!angle) cur.clear();  // a group's name
        else cur.push_back(c);
        break;
      case ',': case ';':
        if (angle) { cur.push_back(c); break; }
        items.push_back(cur);
        cur.clear();
        break;
      default: cur.push_back(c);
    }
  }
  items.push_back(cur);
  return items;
}

std::string Unquote(std::string_view s) {
  s = common::Trim(s);
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') continue;
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return std::string(common::Trim(out));
}

}  // namespace

std::vector<MailAddress> ParseAddressList(std::string_view value) {
  std::vector<MailAddress> out;
  for (const std::string& item : SplitItems(value)) {
    MailAddress a;
    size_t lt = item.rfind('<');
    size_t gt = item.rfind('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt) {
      a.address = std::string(common::Trim(std::string_view(item).substr(lt + 1, gt - lt - 1)));
      a.display = Unquote(std::string_view(item).substr(0, lt));
    } else {
      a.address = std::string(common::Trim(item));
    }
    if (a.address.find('@') == std::string::npos) continue;
    out.push_back(std::move(a));
  }
  return out;
}

std::string NormaliseAddress(std::string_view address) {
  std::string out;
  for (char c : address) {
    if (c == '<' || c == '>' || std::isspace(static_cast<unsigned char>(c))) continue;
    out.push_back(c);
  }
  return common::AsciiLower(out);
}

std::vector<std::string> NameTokens(std::string_view text) {
  static const char* const kTitles[] = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev",
                                        "cllr", "dear", "hi", "hello", "annwyl", "helo", "bore", "da"};
  size_t at = text.find('@');
  if (at != std::string_view::npos) text = text.substr(0, at);
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (cur.size() >= 2 && std::find(std::begin(kTitles), std::end(kTitles), cur) == std::end(kTitles) &&
        std::find(out.begin(), out.end(), cur) == out.end()) {
      out.push_back(cur);
    }
    cur.clear();
  };
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalpha(u) || u >= 0x80 || c == '\'') cur.push_back(static_cast<char>(std::tolower(u)));
    else flush();
  }
  flush();
  return out;
}

}  // namespace sendguard::rules
