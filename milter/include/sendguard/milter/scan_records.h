// SPDX-License-Identifier: Apache-2.0
// One metadata record per scanned message (never content): queue id, keyed hashes of the
// Message-ID, sender and recipients, domains, verdict, policies, signals and a masked
// findings summary. Kept `scan_record_days`, for self-reports and recall detection.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sql.h"
#include "sendguard/milter/policy_setup.h"

namespace sendguard::milter {

// The Message-ID as incidents carry it (mf_message_id_hash): hex SHA-256 of the header value.
std::string IncidentMessageIdHash(const std::string& message_id);

struct ScanRecord {
  int64_t id = 0;
  std::time_t at = 0;
  std::string queue_id;
  std::string message_id_hash;   // keyed: finds the record from a Message-ID
  std::string message_sha256;    // as incidents' mf_message_id_hash: links incidents about one email
  std::string sender_hash;
  std::string sender_domain;
  std::string recipients_json;
  std::string verdict;
  std::string outcome;
  std::string policies_json;
  std::string signals_json;
  std::string findings;
  bool complete = true;
  std::string subject_hash;  // keyed hash of the normalised subject (recall detection)
  bool recalled = false;
};

class ScanRecords {
 public:
  ScanRecords(common::SqlDb& db, const common::KeyedHasher& hasher) : db_(db), hasher_(hasher) {}
  // Builds the record of a decided message (hashing what identifies people).
  ScanRecord Make(const Decision& d, const std::string& queue_id, const std::string& message_id,
                  const std::string& outcome, std::time_t at, const std::string& subject = "") const;
  Status Add(const ScanRecord& r);
  // The newest record for a Message-ID (as written in the header, with or without <>).
  std::optional<ScanRecord> FindByMessageId(const std::string& message_id);
  // Hashes under key `key` of the secret's ring (0 signs: what a new record holds). Lookups
  // try every key, so records made before a rotation are still found.
  std::string MessageIdHash(const std::string& message_id, size_t key = 0) const;
  std::string SenderHash(const std::string& sender, size_t key = 0) const;
  std::vector<std::string> SenderHashes(const std::string& sender) const;  // under each key
  // A sender's records (by any of its hashes) at or after `since`, newest first, at most `limit`.
  std::vector<ScanRecord> FromSender(const std::vector<std::string>& sender_hashes, std::time_t since, int limit);
  std::optional<ScanRecord> FindById(int64_t id);
  // The messages sendguard quarantined with this mf_message_id_hash, oldest first (the
  // Message-ID is the sender's to choose: more than one message may carry it).
  std::vector<ScanRecord> Quarantined(const std::string& message_sha256, int limit = 20);
  // The newest record for an MTA queue id.
  std::optional<ScanRecord> FindByQueueId(const std::string& queue_id);
  std::string SubjectHash(const std::string& subject, size_t key = 0) const;
  // A subject access search: the records (newest first, at most `limit`) that name the address
  // as sender or recipient, by keyed hash; never the address itself.
  std::vector<ScanRecord> NamingAddress(const std::string& address, int limit);
  // Recall detection: the newest record not yet recalled from `sender` with `subject`, sent
  // at or after `since`; marking it keeps a second recall from filing twice.
  std::optional<ScanRecord> FindRecallTarget(const std::string& sender, const std::string& subject, std::time_t since);
  Status MarkRecalled(int64_t id);

 private:
  // One record: `where` binds `text` when it is not empty, else `number`.
  std::optional<ScanRecord> FindOne(const std::string& where, int64_t number, const std::string& text);

  common::SqlDb& db_;
  const common::KeyedHasher& hasher_;
};

}  // namespace sendguard::milter
