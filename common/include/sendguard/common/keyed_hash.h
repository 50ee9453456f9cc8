// SPDX-License-Identifier: Apache-2.0
// The keyed hash of a normalised value: hex(HMAC-SHA256(secret, value)), lower case.
// This is the only form in which a found identifier leaves the scanner (with its mask).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "sendguard/common/status.h"

namespace sendguard::common {

// Computes keyed hashes with one deployment secret. Immutable after construction,
// so one instance may be shared by any number of threads.
class KeyedHasher {
 public:
  // `secret` is the raw bytes of the deployment's secret file.
  explicit KeyedHasher(std::string_view secret);
  ~KeyedHasher();
  KeyedHasher(const KeyedHasher&) = delete;
  KeyedHasher& operator=(const KeyedHasher&) = delete;

  // Lower-case hex HMAC-SHA256 of `value` (64 characters).
  std::string Hex(std::string_view value) const;

 private:
  // SHA-256 states after absorbing the key's inner and outer pads (RFC 2104), computed once
  // so each hash costs two short digests instead of a key set-up.
  struct PadStates;
  std::unique_ptr<PadStates> pads_;
};

// Reads a secret file (raw bytes; refuses an empty or unreadable file).
Result<std::string> ReadSecretFile(const std::filesystem::path& path);

// 32 random bytes from the operating system, for an ephemeral secret or a new secret file.
Result<std::string> RandomSecret();

// `bytes` (at most 32) random bytes as lower-case hex, for ids and tokens; "" if the
// operating system gave none.
std::string RandomHex(size_t bytes);

}  // namespace sendguard::common
