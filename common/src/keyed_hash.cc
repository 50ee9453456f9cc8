// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA256 keyed hashes (RFC 2104 over OpenSSL's SHA-256), and secret-file handling.
// The keyed pad states are computed once per hasher; each hash copies them.
#include "sendguard/common/keyed_hash.h"

#include "sendguard/common/key_ring.h"
#include "sendguard/common/text.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace sendguard::common {

namespace {
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
constexpr size_t kBlock = 64;  // SHA-256 block size

MdCtx NewCtx() {
  MdCtx c(EVP_MD_CTX_new());
  if (!c) std::abort();  // out of memory
  return c;
}
}  // namespace

struct KeyedHasher::PadStates {
  MdCtx inner = NewCtx();
  MdCtx outer = NewCtx();
};

namespace {
void InitPads(std::string_view secret, EVP_MD_CTX* inner_ctx, EVP_MD_CTX* outer_ctx) {
  unsigned char key[kBlock] = {0};
  if (secret.size() > kBlock) {
    unsigned int n = 0;
    EVP_Digest(secret.data(), secret.size(), key, &n, EVP_sha256(), nullptr);
  } else {
    std::copy(secret.begin(), secret.end(), key);
  }
  unsigned char ipad[kBlock], opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = key[i] ^ 0x36;
    opad[i] = key[i] ^ 0x5c;
  }
  EVP_DigestInit_ex(inner_ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(inner_ctx, ipad, kBlock);
  EVP_DigestInit_ex(outer_ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(outer_ctx, opad, kBlock);
}
}  // namespace

KeyedHasher::KeyedHasher(std::string_view secret) {
  const std::vector<std::string> keys = KeysOf(secret);
  for (const auto& key : keys) {
    auto pads = std::make_unique<PadStates>();
    InitPads(key, pads->inner.get(), pads->outer.get());
    pads_.push_back(std::move(pads));
  }
  key_id_ = KeyRing::IdOf(keys.front());
}

KeyedHasher::~KeyedHasher() = default;

std::string KeyedHasher::Hex(std::string_view value) const { return HexWith(*pads_.front(), value); }

std::vector<std::string> KeyedHasher::HexEachKey(std::string_view value) const {
  std::vector<std::string> out;
  out.reserve(pads_.size());
  for (const auto& p : pads_) out.push_back(HexWith(*p, value));
  return out;
}

bool KeyedHasher::Verifies(std::string_view value, std::string_view mac, size_t hex_chars) const {
  if (mac.size() != hex_chars || hex_chars == 0 || hex_chars > 64) return false;
  bool any = false;
  for (const auto& p : pads_) {
    const std::string want = HexWith(*p, value);
    unsigned diff = 0;
    for (size_t i = 0; i < hex_chars; ++i) diff |= static_cast<unsigned>(want[i] ^ mac[i]);
    any |= diff == 0;
  }
  return any;
}

std::string KeyedHasher::HexWith(const PadStates& pads, std::string_view value) {
  // Per-thread working contexts: the shared pad states are only read (copied from).
  thread_local MdCtx work = NewCtx();
  unsigned char inner[EVP_MAX_MD_SIZE], digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX_copy_ex(work.get(), pads.inner.get());
  EVP_DigestUpdate(work.get(), value.data(), value.size());
  EVP_DigestFinal_ex(work.get(), inner, &len);
  EVP_MD_CTX_copy_ex(work.get(), pads.outer.get());
  EVP_DigestUpdate(work.get(), inner, len);
  EVP_DigestFinal_ex(work.get(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(len) * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

Result<std::string> ReadSecretFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read secret file " + path.string());
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (secret.empty()) return InvalidArgument("secret file " + path.string() + " is empty");
  if (auto ring = ParseKeyRing(secret, path.string()); !ring.ok()) return ring.status();
  return secret;
}

bool SecretFileIsDamagedRing(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return LooksLikeKeyRing(bytes) && !ParseKeyRing(bytes).ok();
}

Result<std::string> RandomSecret() {
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) {
    return Internal("the operating system gave no random bytes");
  }
  return secret;
}

std::string RandomHex(size_t bytes) {
  auto random = RandomSecret();
  return random.ok() ? HexEncode(random->substr(0, bytes)) : std::string();
}

}  // namespace sendguard::common
