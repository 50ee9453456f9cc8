// SPDX-License-Identifier: Apache-2.0
// Authenticated encryption at rest (AES-256-GCM, OpenSSL) for what sendguard must keep for a
// while but never in clear: a held message, a queued notification. The key is derived from
// the deployment secret and a purpose label, so one secret file serves every purpose.
#pragma once

#include <string>
#include <string_view>

#include "sendguard/common/status.h"

namespace sendguard::common {

class SealKey {
 public:
  // HMAC-SHA256(secret, "sendguard seal v1 " + purpose) as the 256-bit key.
  SealKey(std::string_view secret, std::string_view purpose);
  // "SG1" | 12-byte random nonce | ciphertext | 16-byte tag. `context` is authenticated
  // but not stored (e.g. the held message's id: a file copied to another id will not open).
  Result<std::string> Seal(std::string_view plain, std::string_view context) const;
  // The plain text, or InvalidArgument when the blob is damaged, tampered with or sealed
  // under another key or context.
  Result<std::string> Open(std::string_view sealed, std::string_view context) const;

 private:
  unsigned char key_[32];
};

}  // namespace sendguard::common
