// SPDX-License-Identifier: Apache-2.0
// Confirmation codes and their ledger (see confirm_code.h).
#include "sendguard/milter/confirm_code.h"

#include <algorithm>
#include <cctype>

#include "sendguard/common/text.h"
#include "sendguard/rules/address_list.h"

namespace sendguard::milter {

namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford base32
constexpr int kExpiryChars = 5;                                   // 25 bits of minutes: wraps every 63 years
constexpr int kMacChars = 10;                                     // 50 bits of HMAC
constexpr int64_t kExpiryModulus = int64_t{1} << 25;

int Value(char c) {
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  for (int i = 0; i < 32; ++i) {
    if (kAlphabet[i] == c) return i;
  }
  return -1;
}

std::string Encode(uint64_t v, int chars) {
  std::string out(static_cast<size_t>(chars), '0');
  for (int i = chars - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[v & 31];
    v >>= 5;
  }
  return out;
}

// The 15 symbols of a code without dashes, upper case; "" when it is not one.
std::string Canonical(const std::string& code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    int v = Value(c);
    if (v < 0) return "";
    out.push_back(kAlphabet[v]);
  }
  return out.size() == kExpiryChars + kMacChars ? out : "";
}

std::string Dashed(const std::string& canonical) {
  return canonical.substr(0, 5) + "-" + canonical.substr(5, 5) + "-" + canonical.substr(10, 5);
}

// The full expiry minute nearest to `now_minute` whose low 25 bits are `low`.
int64_t ExpiryMinute(int64_t low, int64_t now_minute) {
  int64_t base = now_minute - (now_minute % kExpiryModulus);
  int64_t best = base + low;
  for (int64_t c : {best - kExpiryModulus, best + kExpiryModulus}) {
    if (std::llabs(c - now_minute) < std::llabs(best - now_minute)) best = c;
  }
  return best;
}

}  // namespace

const char* ConfirmCheckName(ConfirmCheck c) {
  switch (c) {
    case ConfirmCheck::kValid: return "valid";
    case ConfirmCheck::kExpired: return "expired";
    case ConfirmCheck::kMismatch: return "mismatch";
    case ConfirmCheck::kMalformed: return "malformed";
    case ConfirmCheck::kAlreadyUsed: return "already_used";
  }
  return "malformed";
}

// Sender, sorted distinct recipients and content digest, one canonical text.
std::string ConfirmCodes::SubjectText(const ConfirmSubject& subject) {
  std::vector<std::string> recipients;
  for (const auto& r : subject.recipients) recipients.push_back(rules::NormaliseAddress(r));
  std::sort(recipients.begin(), recipients.end());
  recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
  std::string msg = rules::NormaliseAddress(subject.sender) + "\n";
  for (const auto& r : recipients) msg += r + ",";
  return msg + "\n" + subject.content_digest;
}

std::string ConfirmCodes::SubjectKey(const ConfirmSubject& subject) const {
  return hasher_.Hex("sendguard-warning-v1\n" + SubjectText(subject));
}

std::vector<std::string> ConfirmCodes::SubjectKeys(const ConfirmSubject& subject) const {
  return hasher_.HexEachKey("sendguard-warning-v1\n" + SubjectText(subject));
}

std::string ConfirmCodes::Mac(const ConfirmSubject& subject, int64_t expiry_minute, size_t key) const {
  const std::string hex = hasher_.HexUnder(key, "sendguard-confirm-v1\n" + SubjectText(subject) + "\n" + std::to_string(expiry_minute));
  uint64_t bits = std::stoull(hex.substr(0, 13), nullptr, 16) >> 2;  // 52 bits -> 50
  return Encode(bits, kMacChars);
}

std::string ConfirmCodes::Issue(const ConfirmSubject& subject, std::time_t now) const {
  // Expiry rounded up to the next whole minute so a code never lasts less than the TTL.
  int64_t expiry_minute = (static_cast<int64_t>(now) + ttl_ + 59) / 60;
  return Dashed(Encode(static_cast<uint64_t>(expiry_minute % kExpiryModulus), kExpiryChars) + Mac(subject, expiry_minute));
}

std::time_t ConfirmCodes::ExpiryOf(const std::string& code, std::time_t now) const {
  std::string c = Canonical(code);
  if (c.empty()) return 0;
  int64_t low = 0;
  for (int i = 0; i < kExpiryChars; ++i) low = low * 32 + Value(c[static_cast<size_t>(i)]);
  return static_cast<std::time_t>(ExpiryMinute(low, static_cast<int64_t>(now) / 60) * 60);
}

ConfirmCheck ConfirmCodes::Verify(const std::string& code, const ConfirmSubject& subject, std::time_t now) const {
  std::string c = Canonical(code);
  if (c.empty()) return ConfirmCheck::kMalformed;
  const int64_t expiry = static_cast<int64_t>(ExpiryOf(code, now));
  // A code whose expiry lies further ahead than any code this TTL could issue is forged (a
  // fresh code's expiry may be moved on up to two minutes past a used one: see Processor).
  if (expiry - static_cast<int64_t>(now) > ttl_ + 240) return ConfirmCheck::kMalformed;
  const std::string mac = c.substr(kExpiryChars);
  bool matched = false;  // under any key of the secret's ring: a code issued before a rotation still counts
  for (size_t k = 0; k < hasher_.key_count(); ++k) {
    const std::string want = Mac(subject, expiry / 60, k);
    unsigned diff = 0;
    for (size_t i = 0; i < mac.size(); ++i) diff |= static_cast<unsigned>(mac[i] ^ want[i]);
    matched |= diff == 0;
  }
  if (!matched) return ConfirmCheck::kMismatch;
  if (static_cast<int64_t>(now) > expiry) return ConfirmCheck::kExpired;
  return ConfirmCheck::kValid;
}

std::optional<std::string> ExtractConfirmTag(const std::string& subject, std::string* stripped) {
  const std::string lower = common::AsciiLower(subject);
  for (size_t at = lower.find("[confirm"); at != std::string::npos; at = lower.find("[confirm", at + 1)) {
    size_t close = lower.find(']', at);
    if (close == std::string::npos) break;
    std::string code = Canonical(std::string(common::Trim(std::string_view(subject).substr(at + 8, close - at - 8))));
    if (code.empty()) continue;
    if (stripped) {
      std::string out = subject.substr(0, at) + subject.substr(close + 1);
      // Collapse the double space the tag leaves behind.
      for (size_t sp = out.find("  "); sp != std::string::npos; sp = out.find("  ")) out.erase(sp, 1);
      *stripped = std::string(common::Trim(out));
    }
    return Dashed(code);
  }
  return std::nullopt;
}

namespace {
// The code's entry in the ledger under key `key` of the secret's ring.
std::string LedgerKey(const common::KeyedHasher& hasher, const std::string& code, size_t key = 0) {
  return hasher.HexUnder(key, "confirm-code:" + code).substr(0, 32);
}
}  // namespace

Result<bool> ConfirmLedger::WasUsed(const std::string& code) {
  auto q = db_.Prepare("SELECT 1 FROM used_confirm_codes WHERE code = ?");
  if (!q.ok()) return q.status();
  for (size_t k = 0; k < hasher_.key_count(); ++k) {  // a use recorded under any key of the ring
    common::SqlStatement& st = (*q)->Reset().Bind(1, LedgerKey(hasher_, code, k));
    const bool found = st.Step();
    st.Reset();  // a statement stopped early keeps a read open
    if (!st.status().ok()) return st.status();
    if (found) return true;
  }
  return false;
}

Result<bool> ConfirmLedger::Use(const std::string& code, std::time_t expires, std::time_t now) {
  if (hasher_.key_count() > 1) {  // used before the rotation, under another key
    auto used = WasUsed(code);
    if (!used.ok()) return used.status();
    if (*used) return false;
  }
  auto prune = db_.Prepare("DELETE FROM used_confirm_codes WHERE expires < ?");
  if (!prune.ok()) return prune.status();
  if (Status st = (*prune)->Bind(1, static_cast<int64_t>(now)).Run(); !st.ok()) return st;
  auto ins = db_.Prepare("INSERT INTO used_confirm_codes (code, expires) VALUES (?, ?) ON CONFLICT DO NOTHING");
  if (!ins.ok()) return ins.status();
  const std::string key = LedgerKey(hasher_, code);
  if (Status st = (*ins)->Bind(1, key).Bind(2, static_cast<int64_t>(expires)).Run(); !st.ok()) return st;
  return db_.Changes() == 1;
}

}  // namespace sendguard::milter
