// SPDX-License-Identifier: Apache-2.0
// Lenient decoders for transfer encodings and header words (see mime_words.h).
#include "mime_words.h"

#include <algorithm>
#include <map>

#include "charset.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

int Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string DecodeBase64(std::string_view in, size_t* bad) {
  std::string out;
  out.reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  size_t invalid = 0;
  for (unsigned char c : in) {
    int v = Base64Value(c);
    if (v < 0) {
      if (c != '=' && c != '\r' && c != '\n' && c != ' ' && c != '\t') ++invalid;
      continue;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bad) *bad = invalid;
  return out;
}

std::string DecodeUuencode(std::string_view in) {
  std::string out;
  bool inside = false;
  size_t pos = 0;
  while (pos < in.size()) {
    size_t eol = in.find('\n', pos);
    std::string_view line = in.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? in.size() : eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!inside) {
      inside = line.rfind("begin ", 0) == 0;
      continue;
    }
    if (line == "end") break;
    if (line.empty()) continue;
    size_t n = static_cast<size_t>((line[0] - 32) & 63);  // bytes this line carries
    size_t start = out.size();
    auto v = [&](size_t k) { return k < line.size() ? static_cast<uint32_t>((line[k] - 32) & 63) : 0u; };
    for (size_t i = 1; i < line.size() && out.size() - start < n; i += 4) {
      uint32_t group = (v(i) << 18) | (v(i + 1) << 12) | (v(i + 2) << 6) | v(i + 3);
      for (int b = 2; b >= 0 && out.size() - start < n; --b) out.push_back(static_cast<char>((group >> (8 * b)) & 0xFF));
    }
  }
  return out;
}

std::string DecodeQuotedPrintable(std::string_view in, bool header_mode) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (header_mode && c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 1 < in.size() && (in[i + 1] == '\n' || in[i + 1] == '\r')) {
      i += (in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n') ? 2 : 1;  // soft break
    } else if (c == '=' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 && HexValue(in[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string DecodeEncodedWords(std::string_view value) {
  std::string out;
  size_t i = 0;
  bool last_was_word = false;
  std::string pending_space;
  while (i < value.size()) {
    size_t start = value.find("=?", i);
    if (start == std::string_view::npos) {
      out += pending_space;
      out.append(value.substr(i));
      break;
    }
    // =?charset?X?text?=
    size_t q1 = value.find('?', start + 2);
    size_t q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
    size_t end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
    if (end == std::string_view::npos || q2 != q1 + 2) {
      out += pending_space;
      out.append(value.substr(i, start + 2 - i));
      pending_space.clear();
      last_was_word = false;
      i = start + 2;
      continue;
    }
    std::string_view between = value.substr(i, start - i);
    bool only_space = common::Trim(between).empty();
    if (!(last_was_word && only_space)) out.append(between);  // space between two words is dropped
    std::string charset(value.substr(start + 2, q1 - start - 2));
    if (size_t star = charset.find('*'); star != std::string::npos) charset.resize(star);  // RFC 2231 language
    char enc = static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
    std::string_view text = value.substr(q2 + 1, end - q2 - 1);
    std::string raw = enc == 'B' ? DecodeBase64(text) : DecodeQuotedPrintable(text, true);
    out += ToUtf8(raw, charset);
    last_was_word = true;
    pending_space.clear();
    i = end + 2;
  }
  return common::RepairUtf8(out);
}

std::string DecodeParameter(const std::vector<std::pair<std::string, std::string>>& params, std::string_view name) {
  std::string lname = common::AsciiLower(name);
  std::map<int, std::pair<bool, std::string>> sections;  // index -> (extended, value)
  for (const auto& [k, v] : params) {
    std::string key = common::AsciiLower(k);
    if (key == lname) return DecodeEncodedWords(v);
    if (key.rfind(lname + "*", 0) != 0) continue;
    std::string rest = key.substr(lname.size() + 1);  // "", "0", "0*", "1" ...
    bool extended = !rest.empty() && rest.back() == '*';
    if (extended) rest.pop_back();
    if (rest.empty()) {
      sections[0] = {true, v};
    } else if (std::all_of(rest.begin(), rest.end(), ::isdigit) && rest.size() < 4) {
      sections[std::stoi(rest)] = {extended, v};
    }
  }
  if (sections.empty()) return {};
  std::string charset, joined;
  bool first = true;
  for (auto& [index, sec] : sections) {
    std::string v = sec.second;
    if (sec.first) {
      if (first) {  // charset'language'value
        size_t a = v.find('\'');
        size_t b = a == std::string::npos ? a : v.find('\'', a + 1);
        if (b != std::string::npos) {
          charset = v.substr(0, a);
          v = v.substr(b + 1);
        }
      }
      v = common::PercentDecode(v);
    }
    joined += v;
    first = false;
  }
  return ToUtf8(joined, charset);
}

}  // namespace sendguard::scanner
