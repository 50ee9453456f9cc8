// SPDX-License-Identifier: Apache-2.0
// Small text helpers shared by every module: ASCII case folding, trimming,
// UTF-8 repair. Pure functions, thread-safe.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sendguard::common {

// ASCII lower/upper case (other bytes unchanged).
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);

// `s` without leading and trailing ASCII white space.
std::string_view Trim(std::string_view s);

// True when `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD; NUL bytes become spaces
// so downstream C APIs never see a truncated string. Valid input is returned unchanged.
std::string RepairUtf8(std::string_view s);
// Appends code point `cp` as UTF-8. A NUL, a surrogate or a number past U+10FFFF becomes
// U+FFFD, so what it writes is always text the scanner can take.
void AppendUtf8(std::string& out, char32_t cp);

// Splits on `sep`, keeping empty fields.
std::vector<std::string_view> Split(std::string_view s, char sep);

// Lower-case hex of bytes, and back (nullopt when `hex` is not an even run of hex digits).
std::string HexEncode(std::string_view bytes);
std::optional<std::string> HexDecode(std::string_view hex);

// Constant-time equality, for tokens and signatures.
bool SecureEquals(std::string_view a, std::string_view b);

// Text safe inside HTML elements and quoted attributes (& < > " ' escaped).
std::string HtmlEscape(std::string_view text);

// %XX sequences decoded (malformed ones kept as they are); '+' as a space when asked
// (application/x-www-form-urlencoded).
std::string PercentDecode(std::string_view text, bool plus_is_space = false);
// Free text a person typed, made fit for an incident or a log: at most `max_bytes` (valid
// UTF-8), one line, trimmed, every digit shown as '#' (a number typed into a justification must
// not become a stored identifier).
std::string MaskedNote(const std::string& text, size_t max_bytes);
// `text` in ASCII lower case with every run of spaces, tabs, line breaks and commas as one
// space and none at the ends: an address compared however its lines were typed.
std::string FoldAddress(std::string_view text);
// At most `max_bytes` of `text`, never cutting a UTF-8 sequence in two.
std::string Utf8Prefix(std::string_view text, size_t max_bytes);
// Escapes everything but unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX, for a URL's query.
std::string PercentEncode(std::string_view text);

// strftime of `t` in UTC or in the process's local time zone.
std::string FormatTime(std::time_t t, const char* format, bool local = false);

// `text` with each "{key}" replaced by its value, in one pass (a value put in is not searched again).
std::string FillPlaceholders(std::string text, const std::vector<std::pair<std::string, std::string>>& values);

// A local time in words for staff, in English or Welsh ("cy"): "14:05 on Monday 7 December
// 2026", "14:05 ddydd Llun 7 Rhagfyr 2026".
std::string LocalTimeWords(std::time_t t, const std::string& language);

}  // namespace sendguard::common
