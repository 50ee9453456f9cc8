// SPDX-License-Identifier: Apache-2.0
// The deployment secret as a ring of keys, so it can be rotated without losing what was made
// under the old key. A secret file is either raw random bytes (one key: what a first start
// makes) or a key ring, text:
//
//   sendguard-keyring 1
//   sign   <hex>     the one key that hashes, signs and seals from now on
//   verify <hex>     zero or more keys that still verify and match (the previous key, or the
//                    next one being rolled out to every host before it signs)
//
// Every key has an id, the first 8 hex characters of HMAC-SHA256(key, "sendguard key id v1"):
// it names the key in a seal and in `sendguard secret list`, never the key itself. Blank lines
// and comments ('#' to the end of a line) are ignored, and a byte-order mark before the first
// line. A file whose first line starts with "sendguard-keyring" is a ring and must parse (a
// damaged one is refused, never taken as a raw key).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::common {

struct KeyRing {
  std::vector<std::string> keys;  // raw key bytes; keys[0] signs, the rest verify only

  // The id of `key` (8 lower-case hex characters).
  static std::string IdOf(std::string_view key);
  std::string SigningId() const { return keys.empty() ? std::string() : IdOf(keys[0]); }
  // The index of the key with `id`, or -1.
  int Find(std::string_view id) const;
};

// True when `bytes` is written as a key ring (not raw bytes).
bool LooksLikeKeyRing(std::string_view bytes);
// A secret file's bytes as a ring: raw bytes are one key; a ring is parsed. `name` (the
// file's path) starts each error: "FILE:LINE: reason".
Result<KeyRing> ParseKeyRing(std::string_view bytes, std::string_view name = "secret");
// The keys of a secret file's bytes, the signing key first: the ring's, or the bytes as one
// raw key when they do not parse (ReadSecretFile has refused a damaged ring before any service
// gets here). What KeyedHasher and SealKey are built from.
std::vector<std::string> KeysOf(std::string_view bytes);
// The ring as a file's text (hex keys), with a comment saying what each line is.
std::string FormatKeyRing(const KeyRing& ring);

}  // namespace sendguard::common
