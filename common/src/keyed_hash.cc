// HMAC-SHA256 keyed hashes via OpenSSL, and secret-file handling.
#include "sendguard/common/keyed_hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fstream>
#include <iterator>

namespace sendguard::common {

KeyedHasher::KeyedHasher(std::string secret) : secret_(std::move(secret)) {}

std::string KeyedHasher::Hex(std::string_view value) const {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), digest, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

Result<std::string> ReadSecretFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read secret file " + path.string());
  std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (secret.empty()) return InvalidArgument("secret file " + path.string() + " is empty");
  return secret;
}

Result<std::string> RandomSecret() {
  std::string secret(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32) != 1) {
    return Internal("the operating system gave no random bytes");
  }
  return secret;
}

}  // namespace sendguard::common
