// SPDX-License-Identifier: Apache-2.0
// Converts text in a declared MIME charset to UTF-8 (glibc iconv). Never fails: bytes
// that cannot be converted become U+FFFD, an unknown charset falls back to UTF-8 or
// windows-1252, and the result is always well-formed UTF-8 without NUL bytes.
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

std::string ToUtf8(std::string_view bytes, std::string_view charset);

// "utf-16le" or "utf-16be" when `bytes` reads as UTF-16 text with or without a byte-order
// mark (most of its first few KiB's characters Latin, so one byte of each pair is zero),
// else "".
std::string_view SniffUtf16(std::string_view bytes);

}  // namespace sendguard::scanner
