// SPDX-License-Identifier: Apache-2.0
// Third-party C strings made safe to keep. libarchive, libxml2, libmagic and poppler hand
// back `const char*` (or xmlChar*) that may be NULL and need not be UTF-8; every such string
// the scanner keeps passes through here once: NULL becomes a stated stand-in, ill-formed
// UTF-8 is repaired (so part paths, reasons and JSON never carry broken text).
#pragma once

#include <string>
#include <string_view>

#include "sendguard/common/text.h"

namespace sendguard::scanner {

// `s` as repaired UTF-8, or `if_null` when `s` is NULL or empty.
inline std::string FromCString(const char* s, std::string_view if_null = "") {
  if (s == nullptr || *s == '\0') return std::string(if_null);
  return common::RepairUtf8(s);
}

// The same for libxml2's unsigned strings.
inline std::string FromCString(const unsigned char* s, std::string_view if_null = "") {
  return FromCString(reinterpret_cast<const char*>(s), if_null);
}

// A borrowed view of a C string that may be NULL (empty then); for bytes used at once.
inline std::string_view ViewOf(const char* s) { return s ? std::string_view(s) : std::string_view(); }
inline std::string_view ViewOf(const unsigned char* s) { return ViewOf(reinterpret_cast<const char*>(s)); }

}  // namespace sendguard::scanner
