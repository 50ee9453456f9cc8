// SPDX-License-Identifier: Apache-2.0
// Reject-and-confirm codes. When a warned message is rejected, the sender is given a code;
// re-sending the same content to the same recipients with `[confirm CODE]` in the subject
// lets it through once. The code is an HMAC over the sender, the sorted recipients, the
// content digest and the expiry, so issuing and checking it needs no server state; the
// ledger of used codes (state.db) is what makes it pass only once.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sql.h"

namespace sendguard::milter {

// What a code is bound to.
struct ConfirmSubject {
  std::string sender;
  std::vector<std::string> recipients;  // any order, any case
  std::string content_digest;           // scanner::Scanner::ContentDigest
};

enum class ConfirmCheck { kValid, kExpired, kMismatch, kMalformed, kAlreadyUsed };
const char* ConfirmCheckName(ConfirmCheck c);

class ConfirmCodes {
 public:
  // `ttl_seconds`: how long a code stays valid (default one hour).
  ConfirmCodes(const common::KeyedHasher& hasher, int64_t ttl_seconds = 3600) : hasher_(hasher), ttl_(ttl_seconds) {}

  // A code such as "7K2QM-X4D9A-PW3HC" (Crockford base32: no I, L, O, U).
  std::string Issue(const ConfirmSubject& subject, std::time_t now) const;
  // Whether `code` was issued for exactly this subject and has not expired.
  ConfirmCheck Verify(const std::string& code, const ConfirmSubject& subject, std::time_t now) const;
  // When a well-formed code expires (for the ledger); 0 when malformed.
  std::time_t ExpiryOf(const std::string& code, std::time_t now) const;

  int64_t ttl_seconds() const { return ttl_; }
  // A keyed hash naming the subject (not the code): where a warning waits for its outcome.
  std::string SubjectKey(const ConfirmSubject& subject) const;
  // The same under every key of the secret's ring, the signing key's first.
  std::vector<std::string> SubjectKeys(const ConfirmSubject& subject) const;

 private:
  static std::string SubjectText(const ConfirmSubject& subject);
  std::string Mac(const ConfirmSubject& subject, int64_t expiry_minute, size_t key = 0) const;
  const common::KeyedHasher& hasher_;
  int64_t ttl_;
};

// Finds "[confirm CODE]" in a subject (any case, dashes optional). Returns the code in its
// canonical form and sets *stripped to the subject without the tag; nullopt when absent.
std::optional<std::string> ExtractConfirmTag(const std::string& subject, std::string* stripped);

// Used codes, so a valid code passes once. Entries are dropped after they expire.
class ConfirmLedger {
 public:
  ConfirmLedger(common::SqlDb& db, const common::KeyedHasher& hasher) : db_(db), hasher_(hasher) {}
  // True the first time `code` is used; false if it was used before.
  Result<bool> Use(const std::string& code, std::time_t expires, std::time_t now);
  // Whether `code` has been used (and not yet pruned at its expiry).
  Result<bool> WasUsed(const std::string& code);

 private:
  common::SqlDb& db_;
  const common::KeyedHasher& hasher_;
};

}  // namespace sendguard::milter
