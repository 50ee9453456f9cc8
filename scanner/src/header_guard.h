// SPDX-License-Identifier: Apache-2.0
// Keeps mimetic's header parsing linear. mimetic grows a field's buffer 128 bytes at a time,
// copying it whole each time, so one long field costs the square of its length (a To: of
// 100,000 addresses took minutes). Before a message goes to mimetic, every header block it
// will parse (the message's, each part's, each attached message's) is rewritten so that no
// field is long: fields the walk never reads (To, Cc, Received...) are dropped, long human
// headers (Subject, Comments, Keywords, Content-Description) are cut into overlapping pieces
// under the same name, and a long Content-* field is cut (and reported). Bodies are copied
// unchanged. No mimetic here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sendguard::scanner {

// Longest header field handed to mimetic.
inline constexpr size_t kMaxHeaderField = 8 * 1024;

// The copy of `raw` mimetic parses. `*cut` is set when a Content-* field had to be cut.
// Header blocks nested deeper than `max_depth` are copied as they are.
std::string GuardHeaders(std::string_view raw, uint32_t max_depth, bool* cut);

}  // namespace sendguard::scanner
