// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the deployment secret as services read it. The input is a secret file's bytes
// (raw or a key ring, common::ParseKeyRing) and, after the first "\n--\n", a blob to open as a
// seal. Invariants: a ring that parses (or a raw key long enough to sign in a ring, 16 bytes)
// writes back (FormatKeyRing) to a ring with the same keys in the same order; the hasher and
// the seal key build from any bytes; opening any blob never crashes and opens only what was
// sealed (a fresh seal of the blob opens to it).
#include <string>

#include "fuzz_support.h"
#include "sendguard/common/key_ring.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  if (size > 65536) return 0;
  const std::string_view in = fuzz::Bytes(data, size);
  const size_t cut = in.find("\n--\n");
  const std::string secret(in.substr(0, cut));
  const std::string blob(cut == std::string_view::npos ? std::string_view() : in.substr(cut + 4));
  if (secret.empty()) return 0;

  auto ring = common::ParseKeyRing(secret, "fuzz");
  // A raw key shorter than 16 bytes parses as itself but is refused as a ring's key (what
  // `sendguard secret` says before writing one).
  if (ring.ok() && (common::LooksLikeKeyRing(secret) || secret.size() >= 16)) {
    auto again = common::ParseKeyRing(common::FormatKeyRing(*ring), "fuzz");
    fuzz::Check(again.ok(), "a ring that parsed did not parse again once written");
    fuzz::Check(again.ok() && again->keys == ring->keys, "writing a ring changed its keys or their order");
    fuzz::Check(!ring->keys.empty(), "a ring parsed with no key");
  }
  const common::KeyedHasher hasher(secret);
  fuzz::Check(hasher.key_count() >= 1 && hasher.key_id().size() == 8, "a hasher without a signing key or id");
  fuzz::Check(hasher.Verifies("v", hasher.Hex("v")), "a hash did not verify under its own hasher");
  const common::SealKey key(secret, "fuzz");
  (void)key.Open(blob, "ctx");
  auto sealed = key.Seal(blob, "ctx");
  fuzz::Check(sealed.ok(), "sealing failed");
  if (sealed.ok()) {
    auto opened = key.Open(*sealed, "ctx");
    fuzz::Check(opened.ok() && *opened == blob, "a fresh seal did not open to what was sealed");
  }
  return 0;
}
