// SPDX-License-Identifier: Apache-2.0
// Token-shape tests used by the confirm stage: is a candidate glued into a longer token,
// and does it stand alone in a table cell or list line.
#include "confirm.h"

namespace sendguard::scanner {

namespace {
// NUL counts as both a break and a joiner (as strchr's terminator did before the switches).
bool IsTokenBreak(char c) {
  switch (c) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': case ',': case ';': case '<': case '>':
    case '"': case '\'': case '(': case ')': case '[': case ']': case '{': case '}': case '|': case '\0':
      return true;
    default:
      return false;
  }
}
// Joiners that glue a value into a larger token when an alphanumeric follows them.
bool IsJoiner(char c) {
  switch (c) {
    case '-': case '.': case '/': case '_': case '=': case '%': case '&': case '#': case '+': case '\\': case '~':
    case '@': case '\0':
      return true;
    default:
      return false;
  }
}
}  // namespace

bool GluedOnTheRight(std::string_view text, uint64_t to) {
  // "0830166130.html", "0830166130-7f3a", "0830166130/".
  if (to + 1 < text.size() && IsJoiner(text[to]) && confirm_detail::IsAlnum(text[to + 1])) return true;
  return to < text.size() && (text[to] == '/' || text[to] == '\\');
}

bool EmbeddedInLongerToken(std::string_view text, uint64_t from, uint64_t to) {
  // Left: "abc-0830166130", "/item/0830166130", "id=0830166130".
  if (from >= 2 && IsJoiner(text[from - 1]) && confirm_detail::IsAlnum(text[from - 2])) return true;
  if (from >= 1 && (text[from - 1] == '/' || text[from - 1] == '=' || text[from - 1] == '\\')) return true;
  if (GluedOnTheRight(text, to)) return true;
  // Anywhere in the token: a URL scheme.
  uint64_t b = from;
  while (b > 0 && !IsTokenBreak(text[b - 1]) && from - b < 2048) --b;
  std::string_view left = text.substr(b, from - b);
  return left.find("://") != std::string_view::npos || left.find("www.") != std::string_view::npos;
}

bool StandsAloneInCell(std::string_view text, uint64_t from, uint64_t to) {
  auto is_cell_edge = [](char c) { return c == '\n' || c == '\r' || c == '\t' || c == ',' || c == ';' || c == '|'; };
  uint64_t i = from;
  while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '"')) --i;
  if (i > 0 && !is_cell_edge(text[i - 1])) return false;
  uint64_t j = to;
  while (j < text.size() && (text[j] == ' ' || text[j] == '"')) ++j;
  return j == text.size() || is_cell_edge(text[j]);
}

bool ExtendsDigitGroups(std::string_view text, uint64_t from, uint64_t to) {
  char sep = 0;
  size_t first = 0, run = 0;
  for (uint64_t i = from; i < to; ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      ++run;
    } else if ((c == ' ' || c == '-') && run > 0 && (sep == 0 || c == sep)) {
      if (sep == 0) first = run;
      sep = c;
      run = 0;
    } else {
      return false;  // letters or other separators: not a plain run of digit groups
    }
  }
  if (sep == 0) return false;
  // Left: a group as wide as the first, holding a digit, joined by the same separator ("DE98 ").
  if (from >= 2 && text[from - 1] == sep) {
    uint64_t b = from - 1;
    bool digit = false;
    while (b > 0 && confirm_detail::IsAlnum(text[b - 1]) && from - 1 - b <= first) {
      --b;
      if (text[b] >= '0' && text[b] <= '9') digit = true;
    }
    if (from - 1 - b == first && digit && (b == 0 || !confirm_detail::IsAlnum(text[b - 1]))) return true;
  }
  // Right: a group of digits as wide as the last one, joined by the same separator.
  if (to + 1 < text.size() && text[to] == sep) {
    uint64_t e = to + 1;
    while (e < text.size() && text[e] >= '0' && text[e] <= '9' && e - to - 1 <= run) ++e;
    if (e - to - 1 == run && (e == text.size() || !confirm_detail::IsAlnum(text[e]))) return true;
  }
  return false;
}

}  // namespace sendguard::scanner
