// SPDX-License-Identifier: Apache-2.0
// AES-256-GCM sealing with OpenSSL's EVP interface (see sealed.h).
#include "sendguard/common/sealed.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

namespace sendguard::common {
namespace {

constexpr std::string_view kMagic = "SG1";
constexpr int kNonce = 12;
constexpr int kTag = 16;

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

SealKey::SealKey(std::string_view secret, std::string_view purpose) {
  const std::string label = "sendguard seal v1 " + std::string(purpose);
  unsigned int len = sizeof key_;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), Bytes(label), label.size(), key_, &len);
}

Result<std::string> SealKey::Seal(std::string_view plain, std::string_view context) const {
  std::string out(kMagic);
  out.resize(kMagic.size() + kNonce + plain.size() + kTag);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + kMagic.size());
  if (RAND_bytes(nonce, kNonce) != 1) return Internal("no random bytes for a nonce");
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0;
  auto* body = nonce + kNonce;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_, nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &n, Bytes(context), static_cast<int>(context.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &n, Bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + n, &n) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, body + plain.size()) != 1) {
    return Internal("AES-GCM encryption failed");
  }
  return out;
}

Result<std::string> SealKey::Open(std::string_view sealed, std::string_view context) const {
  if (sealed.size() < kMagic.size() + kNonce + kTag || sealed.substr(0, kMagic.size()) != kMagic) {
    return InvalidArgument("not a sealed sendguard file");
  }
  const auto* nonce = Bytes(sealed) + kMagic.size();
  const size_t len = sealed.size() - kMagic.size() - kNonce - kTag;
  std::string plain(len, '\0');
  std::string tag(sealed.substr(sealed.size() - kTag));
  Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int n = 0;
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_, nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, Bytes(context), static_cast<int>(context.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &n, nonce + kNonce, static_cast<int>(len)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + n, &n) != 1) {
    return InvalidArgument("sealed file damaged, tampered with, or sealed under another key");
  }
  return plain;
}

}  // namespace sendguard::common
