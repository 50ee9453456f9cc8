// SPDX-License-Identifier: Apache-2.0
// Where the message walk and the extractors deliver what they produce: text to scan, and
// findings about parts themselves (encrypted, mismatched type, image not scanned).
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

struct PartFinding {
  std::string type;    // "encrypted_attachment", "type_mismatch", "unscanned_image"
  std::string part;    // part path
  std::string detail;  // for people, no content: "password-protected PDF", "image/png, 48213 bytes"
};

class WalkSink {
 public:
  virtual ~WalkSink() = default;
  // One piece of UTF-8 text with its part path.
  virtual void Text(const std::string& part, std::string_view utf8) = 0;
  // A finding about a part itself.
  virtual void Part(const PartFinding& finding) = 0;
};

}  // namespace sendguard::scanner
