// SPDX-License-Identifier: Apache-2.0
// Where incidents live: an interface, implemented over SQLite (one host) or PostgreSQL (one
// database for several cores).
// An incident is stored as its validated document plus the columns lists filter on; every
// change appends to an audit log in the same transaction. Optimistic concurrency: a write
// names the version it read.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/incident/london_time.h"

namespace sendguard::incident {

struct StoredIncident {
  std::string id;
  int64_t version = 0;
  nlohmann::json document;
  std::string message_hash;  // IndexColumns::message_hash, as filed
};

// One audit record: who changed what, when, from what to what, and why (§1.12).
struct AuditEntry {
  int64_t seq = 0;
  Instant at;
  std::string by_id;
  std::string by_name;
  std::string role;
  std::string what;  // a field name, "transition", "created" or "note"
  nlohmann::json old_value;
  nlohmann::json new_value;
  std::string reason;
};

// Columns kept beside the document for filtering and sorting.
struct IndexColumns {
  std::string kind, status, source, service_area, incident_number;
  std::string period_date;  // YYYY-MM-DD or ""
  std::string deadline;     // the earliest running clock's due instant, or ""
  std::string types;        // ",T1,T2," for LIKE filters
  // The email the incident is about (mf_message_id_hash, or the scan record's for a
  // self-report); set when filed, never changed. Links incidents about the same email.
  std::string message_hash;
};

// What `sendguard-core audit verify` found. Every audit entry carries the hash of the entry
// before it (one chain over the whole store, in seq order) and of the incident's document as
// that change left it, so an edited, deleted or inserted entry, or a document changed without
// an entry, breaks the chain at a place verify names.
struct AuditCheck {
  bool ok = true;
  int64_t entries = 0;         // chained entries checked
  int64_t legacy = 0;          // entries written before the chain began (no hash)
  int64_t incidents = 0;
  int64_t first_bad_seq = 0;   // 0 when the fault is a document, not an entry
  std::string incident_id;     // where the first fault is
  std::string problem;         // what is wrong there
  std::string head;            // the newest entry's hash: record it elsewhere to anchor the chain
};

struct ListFilter {
  std::string status, kind, type, service_area;
  std::string from, to;  // period dates, inclusive / exclusive
  std::string message_hash;  // incidents about one email
  bool by_deadline = true;  // else newest first
  int limit = 500;
};

class IncidentStore {
 public:
  virtual ~IncidentStore() = default;
  // Inserts a new incident. When `idempotency_key` is already stored, inserts nothing and
  // returns the existing incident's id (hand-overs are retried; none may be filed twice).
  virtual Result<std::string> Insert(const std::string& id, const std::string& idempotency_key,
                                     const nlohmann::json& document, const IndexColumns& index,
                                     const AuditEntry& created) = 0;
  virtual Result<std::optional<StoredIncident>> Get(const std::string& id) = 0;
  // Replaces the document if it is still at `expected_version`, appending `entries`.
  virtual Status Update(const std::string& id, int64_t expected_version, const nlohmann::json& document,
                        const IndexColumns& index, const std::vector<AuditEntry>& entries) = 0;
  virtual Result<std::vector<StoredIncident>> List(const ListFilter& filter) = 0;
  virtual Result<std::vector<AuditEntry>> Audit(const std::string& id) = 0;
  virtual Status Backup(const std::filesystem::path& dest) = 0;
  // Walks the audit hash chain and checks each incident's document against its last entry.
  virtual Result<AuditCheck> VerifyAudit() = 0;
  // Notifications sent, so each event ("new", "ICO_72H:DUE_SOON", ...) goes out once.
  virtual Result<bool> Notified(const std::string& id, const std::string& event) = 0;
  virtual Status MarkNotified(const std::string& id, const std::string& event, Instant at) = 0;
  // Before sending: whether this process may send it (no other process has it claimed or sent
  // it; a claim lapses after a lease, so a core that died meanwhile does not stop it). After:
  // MarkNotified, or ReleaseNotification when it could not be sent (tried again later).
  virtual Result<bool> ClaimNotification(const std::string& id, const std::string& event, Instant now) = 0;
  virtual Status ReleaseNotification(const std::string& id, const std::string& event) = 0;
  // Every notification sent about one incident: (event, when), oldest first.
  virtual Result<std::vector<std::pair<std::string, Instant>>> Notifications(const std::string& id) = 0;
  // Jobs that run once whichever round or process gets there (a digest for one period).
  virtual Result<bool> JobDone(const std::string& key) = 0;
  virtual Status MarkJobDone(const std::string& key, Instant at) = 0;
  virtual Result<bool> ClaimJob(const std::string& key, Instant now) = 0;  // as ClaimNotification
  virtual Status ReleaseJob(const std::string& key) = 0;

  // Retention (retention.h). Anonymise replaces the document (at `expected_version`), appends
  // `entry`, and redacts the values and reasons of the incident's earlier audit entries (their
  // hashes stay, so the chain still verifies). Erase removes the incident, its notifications
  // and its audit entries, leaving a tombstone (seq, hash, previous hash) for each entry so
  // the chain still verifies across the gap. `run` names the retention run in both.
  virtual Status Anonymise(const std::string& id, int64_t expected_version, const nlohmann::json& document,
                           const IndexColumns& index, const AuditEntry& entry) = 0;
  virtual Status Erase(const std::string& id, const std::string& run, Instant at) = 0;
  // The record of every retention run, dry or real: {run, at, dry_run, summary}, newest first.
  virtual Status RecordRetentionRun(const std::string& run, Instant at, bool dry_run, const nlohmann::json& summary) = 0;
  virtual Result<std::vector<nlohmann::json>> RetentionRuns(int limit) = 0;
};

// Opens (creating and migrating) the store `where` names: a SQLite file path, or PostgreSQL
// (a postgresql:// URL or "host=... dbname=...", common::OpenSqlDb).
Result<std::unique_ptr<IncidentStore>> OpenStore(const std::string& where);
Result<std::unique_ptr<IncidentStore>> OpenSqliteStore(const std::filesystem::path& path);

}  // namespace sendguard::incident
