// SPDX-License-Identifier: Apache-2.0
// The keyed hash of a normalised value: hex(HMAC-SHA256(key, value)), lower case, under the
// deployment secret's signing key (key_ring.h). This is the only form in which a found
// identifier leaves the scanner (with its mask). While a secret is being rotated, what was
// hashed or signed under another key of the ring still matches and verifies: HexEachKey and
// Verifies.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::common {

// Computes keyed hashes with the deployment secret. Immutable after construction,
// so one instance may be shared by any number of threads.
class KeyedHasher {
 public:
  // `secret` is the bytes of the deployment's secret file: raw bytes (one key) or a key ring
  // (key_ring.h). ReadSecretFile refuses a damaged ring, so services never get one; here, bytes
  // that do not parse as a ring are taken as one raw key.
  explicit KeyedHasher(std::string_view secret);
  ~KeyedHasher();
  KeyedHasher(const KeyedHasher&) = delete;
  KeyedHasher& operator=(const KeyedHasher&) = delete;

  // Lower-case hex HMAC-SHA256 of `value` (64 characters) under the signing key.
  std::string Hex(std::string_view value) const;
  // The same under every key of the ring, the signing key's first (one element unless the
  // secret is being rotated): what a lookup of a stored hash compares against.
  std::vector<std::string> HexEachKey(std::string_view value) const;
  // The same under key `key` of the ring (0 is the signing key; key < key_count()).
  std::string HexUnder(size_t key, std::string_view value) const { return HexWith(*pads_.at(key), value); }
  // True when `mac` is the first `hex_chars` characters of `value`'s hash under some key of
  // the ring (compared in constant time): links, tokens, codes and release headers.
  bool Verifies(std::string_view value, std::string_view mac, size_t hex_chars = 64) const;
  // The signing key's id (8 hex characters), as `sendguard secret list` and seals name it.
  const std::string& key_id() const { return key_id_; }
  size_t key_count() const { return pads_.size(); }

 private:
  // SHA-256 states after absorbing the key's inner and outer pads (RFC 2104), computed once
  // so each hash costs two short digests instead of a key set-up.
  struct PadStates;
  static std::string HexWith(const PadStates& pads, std::string_view value);
  std::vector<std::unique_ptr<PadStates>> pads_;  // [0] is the signing key's
  std::string key_id_;
};

// Reads a secret file: raw bytes, or a key ring that must parse (refuses an empty or
// unreadable file, and a damaged ring with FILE:LINE: reason).
Result<std::string> ReadSecretFile(const std::filesystem::path& path);
// True when `path` is written as a key ring that does not parse (what must stop a service,
// where an unreadable or missing secret may only warn).
bool SecretFileIsDamagedRing(const std::filesystem::path& path);

// 32 random bytes from the operating system, for an ephemeral secret or a new secret file.
Result<std::string> RandomSecret();

// `bytes` (at most 32) random bytes as lower-case hex, for ids and tokens; "" if the
// operating system gave none.
std::string RandomHex(size_t bytes);

}  // namespace sendguard::common
