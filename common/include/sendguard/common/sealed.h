// SPDX-License-Identifier: Apache-2.0
// Authenticated encryption at rest (AES-256-GCM, OpenSSL) for what sendguard must keep for a
// while but never in clear: a held message, a queued notification. The key is derived from
// the deployment secret and a purpose label, so one secret file serves every purpose. A seal
// names the key it was made under (the key ring's id, key_ring.h), so what was sealed before
// a rotation still opens while its key is in the ring.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::common {

class SealKey {
 public:
  // HMAC-SHA256(key, "sendguard seal v1 " + purpose) as the 256-bit key, for every key of
  // the secret (a secret file's bytes: raw or a key ring).
  SealKey(std::string_view secret, std::string_view purpose);
  // "SG2" | 4-byte key id | 12-byte random nonce | ciphertext | 16-byte tag, under the signing
  // key. `context` is authenticated but not stored (e.g. the held message's id: a file copied
  // to another id will not open); so is the key id.
  Result<std::string> Seal(std::string_view plain, std::string_view context) const;
  // The plain text, or InvalidArgument when the blob is damaged, tampered with or sealed
  // under a key not in the ring or another context. ("SG1" blobs, made before seals named
  // their key, are tried under every key.)
  Result<std::string> Open(std::string_view sealed, std::string_view context) const;

 private:
  struct Key {
    std::string id;  // 4 bytes: the ring's key id, binary
    std::array<unsigned char, 32> bytes{};
  };
  std::vector<Key> keys_;  // [0] seals
};

}  // namespace sendguard::common
