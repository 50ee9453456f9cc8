// SPDX-License-Identifier: Apache-2.0
// Parsing and writing the deployment secret's key ring (see key_ring.h).
#include "sendguard/common/key_ring.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sendguard/common/text.h"

namespace sendguard::common {
namespace {
constexpr std::string_view kRingMagic = "sendguard-keyring 1";
constexpr std::string_view kRingMagicWord = "sendguard-keyring";
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr size_t kMinKeyBytes = 16;

// A line without its comment and surrounding blanks.
std::string_view Content(std::string_view line) { return Trim(line.substr(0, line.find('#'))); }

// Collapses runs of blanks to one space ("sendguard-keyring   1" is the magic too).
std::string OneSpaced(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool blank = c == ' ' || c == '\t';
    if (blank && (out.empty() || out.back() == ' ')) continue;
    out.push_back(blank ? ' ' : c);
  }
  return out;
}
}  // namespace

std::string KeyRing::IdOf(std::string_view key) {
  static constexpr std::string_view kLabel = "sendguard key id v1";
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(kLabel.data()),
       kLabel.size(), mac, &len);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(mac), 4));
}

int KeyRing::Find(std::string_view id) const {
  for (size_t i = 0; i < keys.size(); ++i) {
    if (IdOf(keys[i]) == id) return static_cast<int>(i);
  }
  return -1;
}

bool LooksLikeKeyRing(std::string_view bytes) {
  // A byte-order mark and comments may come first; the first other line starts with the magic
  // word (a wrong version or a damaged magic line is then refused by ParseKeyRing, not taken
  // as a raw key: the text of a ring is never a secret of its own).
  if (bytes.starts_with(kBom)) bytes.remove_prefix(kBom.size());
  while (!bytes.empty()) {
    const size_t end = bytes.find('\n');
    std::string_view line = Content(bytes.substr(0, end));
    if (!line.empty()) return line.starts_with(kRingMagicWord);
    if (end == std::string_view::npos) return false;
    bytes.remove_prefix(end + 1);
  }
  return false;
}

Result<KeyRing> ParseKeyRing(std::string_view bytes, std::string_view name) {
  KeyRing ring;
  if (!LooksLikeKeyRing(bytes)) {
    if (bytes.empty()) return InvalidArgument(std::string(name) + ": the secret is empty");
    ring.keys.emplace_back(bytes);
    return ring;
  }
  if (bytes.starts_with(kBom)) bytes.remove_prefix(kBom.size());
  bool magic_seen = false;
  std::string signing;
  std::vector<std::string> verifying;
  int number = 0;
  while (!bytes.empty()) {
    ++number;
    const size_t end = bytes.find('\n');
    const std::string_view line = Content(bytes.substr(0, end));  // a comment may end any line
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
    const std::string where = std::string(name) + ":" + std::to_string(number) + ": ";
    if (line.empty()) continue;
    if (!magic_seen) {
      if (OneSpaced(line) != kRingMagic) return InvalidArgument(where + "expected '" + std::string(kRingMagic) + "' (this program reads version 1)");
      magic_seen = true;
      continue;
    }
    const size_t space = line.find_first_of(" \t");
    const std::string_view role = line.substr(0, space);
    const std::string_view hex = space == std::string_view::npos ? std::string_view() : Trim(line.substr(space));
    if (role != "sign" && role != "verify") return InvalidArgument(where + "expected 'sign HEX' or 'verify HEX'");
    auto key = HexDecode(hex);
    if (!key || key->size() < kMinKeyBytes) {
      return InvalidArgument(where + "a key is at least " + std::to_string(kMinKeyBytes) + " bytes written as hex");
    }
    if (role == "sign") {
      if (!signing.empty()) return InvalidArgument(where + "a second 'sign' key: exactly one key signs");
      signing = std::move(*key);
    } else {
      verifying.push_back(std::move(*key));
    }
  }
  if (signing.empty()) return InvalidArgument(std::string(name) + ": no 'sign' key: exactly one key signs");
  ring.keys.push_back(std::move(signing));
  for (auto& k : verifying) {
    if (ring.Find(KeyRing::IdOf(k)) >= 0) {
      return InvalidArgument(std::string(name) + ": key " + KeyRing::IdOf(k) + " is listed twice");
    }
    ring.keys.push_back(std::move(k));
  }
  return ring;
}

std::vector<std::string> KeysOf(std::string_view bytes) {
  auto ring = ParseKeyRing(bytes);
  if (ring.ok()) return std::move(ring->keys);
  return {std::string(bytes)};
}

std::string FormatKeyRing(const KeyRing& ring) {
  std::string out =
      "# sendguard deployment secret (a key ring): the 'sign' key hashes, signs and seals; each\n"
      "# 'verify' key still verifies and matches what was made under it. The same file on every\n"
      "# gateway and core host. Change it with 'sendguard secret' (docs/OPERATIONS.md, The secret).\n";
  out += std::string(kRingMagic) + "\n";
  for (size_t i = 0; i < ring.keys.size(); ++i) {
    out += (i == 0 ? "sign   " : "verify ") + HexEncode(ring.keys[i]) + "   # id " + KeyRing::IdOf(ring.keys[i]) + "\n";
  }
  return out;
}

}  // namespace sendguard::common
