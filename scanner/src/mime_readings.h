// SPDX-License-Identifier: Apache-2.0
// The other readings of one ambiguous MIME entity: what a recipient's client might show
// besides the walk's own reading (mimetic's: the first Content-Type, that header's first
// boundary, the first Content-Transfer-Encoding, a multipart split without decoding its
// body). Pure: header fields and the raw body in, whole entities out, each to be walked
// again. No mimetic here.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sendguard/scanner/message_headers.h"

namespace sendguard::scanner {

// The media type of a Content-Type value, lower case ("multipart/mixed"; "text/plain" when empty).
std::string MediaType(std::string_view content_type);
// The first boundary parameter of a Content-Type value, unquoted ("" when none).
std::string FirstBoundary(std::string_view content_type);

// What the walk already made of the entity.
struct WalkedAs {
  bool multipart = false;  // its first Content-Type is multipart/*
  bool split = false;      // mimetic found at least one part under that header's boundary
};

// Every other reading of the entity with `fields`, as a new entity (its Content-Type,
// Content-Transfer-Encoding and Content-Disposition, a blank line, the body), at most
// `max` of them; `*more` says whether there were more. The readings, each once:
//   - every other Content-Type header, under the first transfer encoding;
//   - every other boundary parameter of a multipart Content-Type;
//   - every other Content-Transfer-Encoding header, under the first Content-Type;
//   - a multipart whose transfer encoding is base64, quoted-printable or uuencode, with
//     its body decoded first (mimetic splits the encoded body as it is);
//   - a multipart with no part under its boundary: lines that look like delimiters
//     ("--x" at least twice) tried as its boundary.
// `body` gives the raw (still encoded) body; it is called only when a reading exists.
std::vector<std::string> OtherReadings(const std::vector<HeaderField>& fields, WalkedAs walked,
                                       const std::function<std::string()>& body, size_t max, bool* more);

}  // namespace sendguard::scanner
