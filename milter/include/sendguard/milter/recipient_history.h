// SPDX-License-Identifier: Apache-2.0
// Who this organisation's senders have written to, learned only from mail that was
// actually sent (the milter records after the MTA accepts; `sendguard history import`
// reads the MTA's log for `status=sent`). Addresses and name words are keyed hashes;
// domains are clear. Answers the signal questions of rules::RecipientHistoryView.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sql.h"
#include "sendguard/rules/organisation.h"
#include "sendguard/rules/signals.h"

namespace sendguard::milter {

// What an import read.
struct ImportCounts {
  uint64_t lines = 0;
  uint64_t messages = 0;        // messages recorded (sent by an internal sender, >= 1 recipient sent)
  uint64_t recipients = 0;      // recipient deliveries recorded
  uint64_t skipped = 0;         // messages not recorded (bounces, external senders, nothing sent)
};

class RecipientHistory : public rules::RecipientHistoryView {
 public:
  // `db` (from OpenStateDb) and `hasher` must outlive this object.
  RecipientHistory(common::SqlDb& db, const common::KeyedHasher& hasher) : db_(db), hasher_(hasher) {}

  // Records one sent message: sender, every recipient, and the name words of the
  // recipients' display names and local parts (for greeting_mismatch).
  Status Record(const std::string& sender, const std::vector<rules::MailAddress>& recipients, std::time_t when);

  // Reads a Postfix log (syslog or journald short-iso lines), recording each message whose
  // sender is internal to `org` (any sender when `org` lists no internal domain) with the
  // recipients whose delivery says status=sent.
  // A subject access search: whether the address is a known sender, how many correspondents
  // it has sent to, and how many senders have sent to it (keyed hashes; no address is kept).
  struct AddressUse {
    bool known_sender = false;
    int64_t sent_to = 0;
    int64_t sent_to_by = 0;
  };
  Result<AddressUse> Use(const std::string& address);
  Result<ImportCounts> ImportPostfixLog(std::istream& log, const rules::Organisation& org, std::time_t now);

  // rules::RecipientHistoryView
  bool KnowsSender(const std::string& sender) const override;
  bool HasSentTo(const std::string& sender, const std::string& recipient) const override;
  bool SeenTogether(const std::string& sender, const std::string& a, const std::string& b) const override;
  bool KnowsCorrespondentName(const std::string& sender, const std::string& token) const override;
  // Read from the database at most once per kUsedDomainsRefresh, or sooner once any history
  // in this process has recorded a domain never seen before; the same list serves meanwhile.
  std::shared_ptr<const std::vector<std::string>> UsedDomains(size_t limit) const override;

  // How long a list of used domains serves when nothing new was recorded in this process
  // (another process, such as `sendguard history import`, is seen within this time).
  static constexpr std::chrono::seconds kUsedDomainsRefresh{30};

 private:
  // Under key `key` of the secret's ring (0 signs: what is recorded; lookups try every key, so
  // what was recorded before a rotation still counts).
  std::string AddressKey(const std::string& address, size_t key = 0) const;
  std::string PairKey(const std::string& a_key, const std::string& b_key, size_t key = 0) const;
  std::string NameKey(const std::string& token, size_t key = 0) const;
  bool Exists(const char* sql, const std::string& a, const std::string& b) const;

  common::SqlDb& db_;
  const common::KeyedHasher& hasher_;
  struct UsedDomainsCache {
    std::shared_ptr<const std::vector<std::string>> domains;
    size_t limit = 0;
    uint64_t generation = 0;
    std::chrono::steady_clock::time_point read_at;
  };
  mutable UsedDomainsCache used_;
};

}  // namespace sendguard::milter
