// SPDX-License-Identifier: Apache-2.0
// Header text decoding: RFC 2047 encoded words ("=?utf-8?B?...?=") and RFC 2231
// parameter continuations and charsets ("filename*0*=utf-8''%E2%82%AC...").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sendguard::scanner {

// Decodes every encoded word in `value` to UTF-8; other text is kept (and repaired).
std::string DecodeEncodedWords(std::string_view value);

// The value of parameter `name` from (name, value) pairs, joining RFC 2231 sections and
// decoding charset/percent encoding and encoded words. Empty when absent.
std::string DecodeParameter(const std::vector<std::pair<std::string, std::string>>& params, std::string_view name);

// Decodes base64 leniently (skips characters outside the alphabet); counts them in `*bad`.
std::string DecodeBase64(std::string_view in, size_t* bad = nullptr);
// Decodes a uuencoded body ("begin 644 name" ... "end"); lines outside the block are dropped.
std::string DecodeUuencode(std::string_view in);
// Decodes quoted-printable leniently (a malformed escape is kept literally).
std::string DecodeQuotedPrintable(std::string_view in, bool header_mode = false);

}  // namespace sendguard::scanner
