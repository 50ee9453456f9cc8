// SPDX-License-Identifier: Apache-2.0
// A raw message's top-level header fields as people wrote them, for the envelope facts
// policies need (From, To, Cc, Subject, In-Reply-To). Unfolded; values not yet decoded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sendguard::scanner {

struct HeaderField {
  std::string name;   // as written ("Cc")
  std::string value;  // unfolded, leading white space removed
};

// The header block of `raw` (up to the first empty line). Never throws.
std::vector<HeaderField> ReadHeaders(std::string_view raw);

// The value of the first field called `name` (case-insensitive), or "".
std::string HeaderValue(const std::vector<HeaderField>& fields, std::string_view name);

// Decodes RFC 2047 encoded words ("=?utf-8?Q?Mrs_Patel?=") to UTF-8.
std::string DecodeHeaderText(std::string_view value);

}  // namespace sendguard::scanner
