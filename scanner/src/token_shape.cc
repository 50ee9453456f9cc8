// SPDX-License-Identifier: Apache-2.0
// Token-shape tests used by the confirm stage: is a candidate glued into a longer token,
// and does it stand alone in a table cell or list line.
#include <cstring>

#include "confirm.h"

namespace sendguard::scanner {

namespace {
bool IsAlnum(char c) { return confirm_detail::IsAlnum(c); }
bool IsTokenBreak(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         std::strchr(",;<>\"'()[]{}|", c) != nullptr;
}
// Joiners that glue a value into a larger token when an alphanumeric follows them.
bool IsJoiner(char c) { return std::strchr("-./_=%&#+\\~@", c) != nullptr; }
}  // namespace

bool EmbeddedInLongerToken(std::string_view text, uint64_t from, uint64_t to) {
  // Left: "abc-0830166130", "/item/0830166130", "id=0830166130".
  if (from >= 2 && IsJoiner(text[from - 1]) && IsAlnum(text[from - 2])) return true;
  if (from >= 1 && (text[from - 1] == '/' || text[from - 1] == '=' || text[from - 1] == '\\')) return true;
  // Right: "0830166130.html", "0830166130-7f3a", "0830166130/".
  if (to + 1 < text.size() && IsJoiner(text[to]) && IsAlnum(text[to + 1])) return true;
  if (to < text.size() && (text[to] == '/' || text[to] == '\\')) return true;
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

}  // namespace sendguard::scanner
