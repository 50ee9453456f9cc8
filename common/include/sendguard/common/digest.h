// SPDX-License-Identifier: Apache-2.0
// Unkeyed SHA-256 for content digests (what a confirmation code binds to). Not for
// identifiers: those are only ever hashed with the deployment's key (keyed_hash.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace sendguard::common {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view bytes);
  // Lower-case hex of the digest; the object is spent afterwards.
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Hex SHA-256 of `bytes` in one call.
std::string Sha256Hex(std::string_view bytes);

}  // namespace sendguard::common
