// SPDX-License-Identifier: Apache-2.0
// AES-256-GCM sealing with OpenSSL's EVP interface (see sealed.h).
#include "sendguard/common/sealed.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>
#include <optional>

#include "sendguard/common/key_ring.h"
#include "sendguard/common/text.h"

namespace sendguard::common {
namespace {

constexpr std::string_view kSealMagicV1 = "SG1";  // no key id: opened under every key
constexpr std::string_view kSealMagic = "SG2";
constexpr size_t kKeyId = 4;
constexpr int kNonce = 12;
constexpr int kTag = 16;

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// AES-256-GCM decryption of nonce | ciphertext | tag with `aad`; nullopt when it does not open.
std::optional<std::string> Decrypt(const unsigned char* key, std::string_view body, std::string_view aad) {
  const auto* nonce = Bytes(body);
  const size_t len = body.size() - kNonce - kTag;
  std::string plain(len, '\0');
  std::string tag(body.substr(body.size() - kTag));
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key, nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &n, nonce + kNonce, static_cast<int>(len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + n, &n) != 1) {
    return std::nullopt;
  }
  return plain;
}

}  // namespace

SealKey::SealKey(std::string_view secret, std::string_view purpose) {
  const std::vector<std::string> keys = KeysOf(secret);
  const std::string label = "sendguard seal v1 " + std::string(purpose);
  for (const auto& k : keys) {
    Key key;
    key.id = *HexDecode(KeyRing::IdOf(k));
    unsigned int len = static_cast<unsigned int>(key.bytes.size());
    HMAC(EVP_sha256(), k.data(), static_cast<int>(k.size()), Bytes(label), label.size(), key.bytes.data(), &len);
    keys_.push_back(std::move(key));
  }
}

Result<std::string> SealKey::Seal(std::string_view plain, std::string_view context) const {
  const Key& key = keys_.front();
  std::string out(kSealMagic);
  out += key.id;
  const size_t head = out.size();
  out.resize(head + kNonce + plain.size() + kTag);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + head);
  if (RAND_bytes(nonce, kNonce) != 1) return Internal("no random bytes for a nonce");
  const std::string aad = key.id + std::string(context);
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0;
  auto* body = nonce + kNonce;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &n, Bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, body + plain.size()) != 1) {
    return Internal("AES-GCM encryption failed");
  }
  return out;
}

Result<std::string> SealKey::Open(std::string_view sealed, std::string_view context) const {
  const std::string_view magic = sealed.substr(0, 3);
  if (magic == kSealMagic && sealed.size() >= kSealMagic.size() + kKeyId + kNonce + kTag) {
    const std::string id(sealed.substr(kSealMagic.size(), kKeyId));
    for (const auto& key : keys_) {
      if (key.id != id) continue;
      if (auto plain = Decrypt(key.bytes.data(), sealed.substr(kSealMagic.size() + kKeyId), id + std::string(context))) {
        return *plain;
      }
      return InvalidArgument("sealed file damaged or tampered with");
    }
    return InvalidArgument("sealed under key " + HexEncode(id) + ", which is not in the secret's key ring");
  }
  if (magic == kSealMagicV1 && sealed.size() >= kSealMagicV1.size() + kNonce + kTag) {
    for (const auto& key : keys_) {
      if (auto plain = Decrypt(key.bytes.data(), sealed.substr(kSealMagicV1.size()), context)) return *plain;
    }
    return InvalidArgument("sealed file damaged, tampered with, or sealed under another key");
  }
  return InvalidArgument("not a sealed sendguard file");
}

}  // namespace sendguard::common
