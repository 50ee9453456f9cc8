// SPDX-License-Identifier: Apache-2.0
// The incident store on SQLite or PostgreSQL (common/sql.h): schema migrations for each,
// prepared statements only, foreign keys, one transaction per change (document + audit, each
// entry chained to the one before by its hash, writers taking turns on the chain even from
// several cores), notifications and jobs claimed before they are sent (so two cores on one
// database send each once), online backup (SQLite), and the chain's verification.
#include <chrono>
#include <random>
#include <map>
#include <set>
#include <mutex>

#include "sendguard/common/digest.h"
#include "sendguard/common/sql.h"
#include "sendguard/incident/store.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

const std::vector<std::string> kMigrations = {
    // 1: incidents and their audit log.
    "CREATE TABLE incidents ("
    "  id TEXT PRIMARY KEY,"
    "  idempotency_key TEXT UNIQUE,"
    "  incident_number TEXT UNIQUE,"
    "  version INTEGER NOT NULL,"
    "  document TEXT NOT NULL,"
    "  kind TEXT NOT NULL, status TEXT NOT NULL, source TEXT NOT NULL,"
    "  service_area TEXT NOT NULL DEFAULT '', types TEXT NOT NULL DEFAULT '',"
    "  period_date TEXT NOT NULL DEFAULT '', deadline TEXT NOT NULL DEFAULT '',"
    "  created_at TEXT NOT NULL);"
    "CREATE INDEX incidents_status ON incidents(status, deadline);"
    "CREATE INDEX incidents_period ON incidents(period_date);"
    "CREATE TABLE audit ("
    "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  incident_id TEXT NOT NULL REFERENCES incidents(id),"
    "  at TEXT NOT NULL, by_id TEXT NOT NULL, by_name TEXT NOT NULL, role TEXT NOT NULL,"
    "  what TEXT NOT NULL, old_value TEXT, new_value TEXT, reason TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX audit_incident ON audit(incident_id, seq);"
    // The audit log is append-only.
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;",
    // 2: notifications sent (new drafts, clocks due soon or overdue), each once.
    "CREATE TABLE notifications ("
    "  incident_id TEXT NOT NULL REFERENCES incidents(id),"
    "  event TEXT NOT NULL, at TEXT NOT NULL,"
    "  PRIMARY KEY (incident_id, event));",
    // 3: the email an incident is about, so incidents about the same email are linked.
    "ALTER TABLE incidents ADD COLUMN message_hash TEXT NOT NULL DEFAULT '';"
    "UPDATE incidents SET message_hash = coalesce(json_extract(document, '$.mf_message_id_hash'), '');"
    "CREATE INDEX incidents_message ON incidents(message_hash) WHERE message_hash != '';",
    // 4: the audit hash chain (see AuditCheck). Entries from before it keep empty hashes.
    "ALTER TABLE audit ADD COLUMN doc_hash TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';",
    // 5: jobs done once (digests), and retention: entries from here on hash a digest of their
    // values (value_digest), so a redacted entry (values and reason gone, nothing else changed)
    // still verifies; an entry may be deleted only once its tombstone is kept; no entry may be
    // added without a hash or already redacted.
    "CREATE TABLE jobs_done (key TEXT PRIMARY KEY, at TEXT NOT NULL);"
    "ALTER TABLE audit ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE audit ADD COLUMN value_digest TEXT NOT NULL DEFAULT '';"
    "CREATE TRIGGER audit_insert_chained BEFORE INSERT ON audit WHEN NEW.hash = '' OR NEW.redacted != 0"
    "  BEGIN SELECT RAISE(ABORT, 'audit entries are added chained and whole'); END;"
    "CREATE TABLE audit_erased (seq INTEGER PRIMARY KEY, incident_id TEXT NOT NULL, hash TEXT NOT NULL,"
    "  prev_hash TEXT NOT NULL, erased_at TEXT NOT NULL, run TEXT NOT NULL);"
    "CREATE TABLE retention_runs (run TEXT PRIMARY KEY, at TEXT NOT NULL, dry_run INTEGER NOT NULL, summary TEXT NOT NULL);"
    "DROP TRIGGER audit_no_update;"
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN NOT (OLD.redacted = 0 AND NEW.redacted = 1"
    "  AND NEW.old_value IS NULL AND NEW.new_value IS NULL AND NEW.reason = '' AND NEW.seq = OLD.seq"
    "  AND NEW.incident_id = OLD.incident_id AND NEW.at = OLD.at AND NEW.by_id = OLD.by_id AND NEW.by_name = OLD.by_name"
    "  AND NEW.role = OLD.role AND NEW.what = OLD.what AND NEW.doc_hash = OLD.doc_hash AND NEW.prev_hash = OLD.prev_hash"
    "  AND NEW.hash = OLD.hash AND (NEW.value_digest = OLD.value_digest OR OLD.value_digest = ''))"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only (retention may only redact an entry''s values)'); END;"
    "DROP TRIGGER audit_no_delete;"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN NOT EXISTS (SELECT 1 FROM audit_erased WHERE seq = OLD.seq)"
    "  BEGIN SELECT RAISE(ABORT, 'audit is append-only (retention keeps a tombstone first)'); END;",
    // 6: a notification or job is claimed (state 'sending', until lease_until) before it is sent,
    // so of two cores on one database one sends it; a claim whose holder died lapses.
    "ALTER TABLE notifications ADD COLUMN state TEXT NOT NULL DEFAULT 'sent';"
    "ALTER TABLE notifications ADD COLUMN lease_until TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE jobs_done ADD COLUMN state TEXT NOT NULL DEFAULT 'sent';"
    "ALTER TABLE jobs_done ADD COLUMN lease_until TEXT NOT NULL DEFAULT '';",
    // 7: who holds a claim, so a core gives back only its own (not one another core took over).
    "ALTER TABLE notifications ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE jobs_done ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';",
};

// PostgreSQL: the tables and guards SQLite's migrations 1-6 leave (the append-only audit's
// triggers as one PL/pgSQL function).
const std::vector<std::string> kPostgresMigrations = {
    R"sql(
    CREATE TABLE incidents (
      id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, incident_number TEXT UNIQUE, version BIGINT NOT NULL,
      document TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, source TEXT NOT NULL,
      service_area TEXT NOT NULL DEFAULT '', types TEXT NOT NULL DEFAULT '', period_date TEXT NOT NULL DEFAULT '',
      deadline TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, message_hash TEXT NOT NULL DEFAULT '');
    CREATE INDEX incidents_status ON incidents(status, deadline);
    CREATE INDEX incidents_period ON incidents(period_date);
    CREATE INDEX incidents_message ON incidents(message_hash) WHERE message_hash != '';
    CREATE TABLE audit (
      seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, incident_id TEXT NOT NULL REFERENCES incidents(id),
      at TEXT NOT NULL, by_id TEXT NOT NULL, by_name TEXT NOT NULL, role TEXT NOT NULL, what TEXT NOT NULL,
      old_value TEXT, new_value TEXT, reason TEXT NOT NULL DEFAULT '', doc_hash TEXT NOT NULL DEFAULT '',
      prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '', redacted BIGINT NOT NULL DEFAULT 0,
      value_digest TEXT NOT NULL DEFAULT '');
    CREATE INDEX audit_incident ON audit(incident_id, seq);
    CREATE TABLE notifications (incident_id TEXT NOT NULL REFERENCES incidents(id), event TEXT NOT NULL,
      at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'sent', lease_until TEXT NOT NULL DEFAULT '',
      PRIMARY KEY (incident_id, event));
    CREATE TABLE jobs_done (key TEXT PRIMARY KEY, at TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'sent',
      lease_until TEXT NOT NULL DEFAULT '');
    CREATE TABLE audit_erased (seq BIGINT PRIMARY KEY, incident_id TEXT NOT NULL, hash TEXT NOT NULL,
      prev_hash TEXT NOT NULL, erased_at TEXT NOT NULL, run TEXT NOT NULL);
    CREATE TABLE retention_runs (run TEXT PRIMARY KEY, at TEXT NOT NULL, dry_run BIGINT NOT NULL, summary TEXT NOT NULL);
    CREATE FUNCTION sendguard_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW.hash = '' OR NEW.redacted <> 0 THEN
          RAISE EXCEPTION 'audit entries are added chained and whole';
        END IF;
        RETURN NEW;
      ELSIF TG_OP = 'UPDATE' THEN
        IF NOT (OLD.redacted = 0 AND NEW.redacted = 1 AND NEW.old_value IS NULL AND NEW.new_value IS NULL
                AND NEW.reason = '' AND NEW.seq = OLD.seq AND NEW.incident_id = OLD.incident_id AND NEW.at = OLD.at
                AND NEW.by_id = OLD.by_id AND NEW.by_name = OLD.by_name AND NEW.role = OLD.role AND NEW.what = OLD.what
                AND NEW.doc_hash = OLD.doc_hash AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
                AND (NEW.value_digest = OLD.value_digest OR OLD.value_digest = '')) THEN
          RAISE EXCEPTION 'audit is append-only (retention may only redact an entry''s values)';
        END IF;
        RETURN NEW;
      ELSE
        IF NOT EXISTS (SELECT 1 FROM audit_erased WHERE seq = OLD.seq) THEN
          RAISE EXCEPTION 'audit is append-only (retention keeps a tombstone first)';
        END IF;
        RETURN OLD;
      END IF;
    END $$;
    CREATE TRIGGER audit_guard BEFORE INSERT OR UPDATE OR DELETE ON audit
      FOR EACH ROW EXECUTE FUNCTION sendguard_audit_guard();
    )sql",
    // 2: as SQLite's 7.
    R"sql(
    ALTER TABLE notifications ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs_done ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
    )sql",
};

// How long a claimed notification or job is its claimer's: a claim older than this (the core
// died between claiming and sending) may be taken by another.
constexpr std::chrono::minutes kClaimLease{10};

// The hash of one entry: its fields as a JSON array (unambiguous), the previous entry's hash
// and the document hash, with SHA-256. `old_text`/`new_text` are the stored column texts.
struct ChainFields {
  std::string incident_id, at, by_id, by_name, role, what;
  std::optional<std::string> old_text, new_text;
  std::string reason, doc_hash, prev_hash;
};

// Entries written before migration 5 (v1) hash their values themselves.
std::string EntryHash(const ChainFields& f) {
  auto text = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  const json fields = json::array({f.prev_hash, f.incident_id, f.at, f.by_id, f.by_name, f.role, f.what, text(f.old_text),
                                   text(f.new_text), f.reason, f.doc_hash});
  return common::Sha256Hex(fields.dump());
}

// From migration 5 on (v2): the values and the reason as one digest, and the entry's hash over
// that digest, so retention can drop the values and keep an entry that still verifies.
std::string ValueDigest(const ChainFields& f) {
  auto text = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  return common::Sha256Hex(json::array({text(f.old_text), text(f.new_text), f.reason}).dump());
}

std::string EntryHashV2(const ChainFields& f, const std::string& value_digest) {
  return common::Sha256Hex(
      json::array({"v2", f.prev_hash, f.incident_id, f.at, f.by_id, f.by_name, f.role, f.what, value_digest, f.doc_hash}).dump());
}

std::string Dump(const json& v) { return v.is_null() ? std::string() : v.dump(); }

class SqlStore final : public IncidentStore {
 public:
  explicit SqlStore(std::unique_ptr<common::SqlDb> db) : db_(std::move(db)) {
    std::random_device random;
    claimer_ = std::to_string(random()) + "-" + std::to_string(random());
  }

  Result<std::string> Insert(const std::string& id, const std::string& key, const json& document,
                             const IndexColumns& index, const AuditEntry& created) override {
    std::lock_guard lock(mu_);
    common::SqlTransaction tx(*db_);
    if (Status st = LockChain(); !st.ok()) return st;
    if (!key.empty()) {
      auto existing = db_->Prepare("SELECT id FROM incidents WHERE idempotency_key = ?");
      if (!existing.ok()) return existing.status();
      (*existing)->Reset().Bind(1, key);
      if ((*existing)->Step()) {
        std::string found = (*existing)->Text(0);
        (*existing)->Reset();
        return found;
      }
    }
    auto ins = db_->Prepare(
        "INSERT INTO incidents (id, idempotency_key, incident_number, version, document, kind, status, source,"
        " service_area, types, period_date, deadline, created_at, message_hash) VALUES (?,?,?,1,?,?,?,?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.status();
    auto& s = **ins;
    s.Reset().Bind(1, id);
    if (key.empty()) s.BindNull(2); else s.Bind(2, key);
    if (index.incident_number.empty()) s.BindNull(3); else s.Bind(3, index.incident_number);
    const std::string text = document.dump();
    s.Bind(4, text).Bind(5, index.kind).Bind(6, index.status).Bind(7, index.source);
    s.Bind(8, index.service_area).Bind(9, index.types).Bind(10, index.period_date).Bind(11, index.deadline);
    s.Bind(12, FormatInstant(created.at)).Bind(13, index.message_hash);
    if (Status st = s.Run(); !st.ok()) return Conflict(st);
    if (Status st = Append(id, created, common::Sha256Hex(text)); !st.ok()) return st;
    if (Status st = tx.Commit(); !st.ok()) return st;
    return id;
  }

  Result<std::optional<StoredIncident>> Get(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("SELECT id, version, document, message_hash FROM incidents WHERE id = ?");
    if (!q.ok()) return q.status();
    (*q)->Reset().Bind(1, id);
    if (!(*q)->Step()) {
      if (!(*q)->status().ok()) return (*q)->status();
      return std::optional<StoredIncident>{};
    }
    StoredIncident out = Row(**q);
    (*q)->Reset();
    return std::optional<StoredIncident>{std::move(out)};
  }

  Status Update(const std::string& id, int64_t expected_version, const json& document, const IndexColumns& index,
                const std::vector<AuditEntry>& entries) override {
    std::lock_guard lock(mu_);
    return UpdateLocked(id, expected_version, document, index, entries);
  }

  // Update with mu_ held (its own transaction, nested as a savepoint inside a caller's).
  Status UpdateLocked(const std::string& id, int64_t expected_version, const json& document, const IndexColumns& index,
                      const std::vector<AuditEntry>& entries) {
    common::SqlTransaction tx(*db_);
    if (Status st = LockChain(); !st.ok()) return st;
    auto up = db_->Prepare(
        "UPDATE incidents SET version = version + 1, document = ?, incident_number = ?, kind = ?, status = ?,"
        " service_area = ?, types = ?, period_date = ?, deadline = ? WHERE id = ? AND version = ?");
    if (!up.ok()) return up.status();
    auto& s = **up;
    const std::string text = document.dump();
    s.Reset().Bind(1, text);
    if (index.incident_number.empty()) s.BindNull(2); else s.Bind(2, index.incident_number);
    s.Bind(3, index.kind).Bind(4, index.status).Bind(5, index.service_area).Bind(6, index.types);
    s.Bind(7, index.period_date).Bind(8, index.deadline).Bind(9, id).Bind(10, expected_version);
    if (Status st = s.Run(); !st.ok()) return Conflict(st);
    if (db_->Changes() != 1) {
      return Status(StatusCode::kResourceExhausted, "the incident changed since it was read (version " +
                                                        std::to_string(expected_version) + "); reload and try again");
    }
    const std::string doc_hash = common::Sha256Hex(text);
    for (const auto& e : entries) {
      if (Status st = Append(id, e, doc_hash); !st.ok()) return st;
    }
    return tx.Commit();
  }

  Result<std::vector<StoredIncident>> List(const ListFilter& f) override {
    std::lock_guard lock(mu_);
    // One statement; empty filters match everything.
    auto q = db_->Prepare(
        "SELECT id, version, document, message_hash FROM incidents WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR kind = ?2)"
        " AND (?3 = '' OR types LIKE '%,' || ?3 || ',%') AND (?4 = '' OR service_area = ?4)"
        " AND (?5 = '' OR period_date >= ?5) AND (?6 = '' OR period_date < ?6) AND (?9 = '' OR message_hash = ?9)"
        " ORDER BY CASE WHEN ?7 = 1 THEN (deadline = '') END, CASE WHEN ?7 = 1 THEN deadline END,"
        " created_at DESC LIMIT ?8");
    if (!q.ok()) return q.status();
    auto& s = **q;
    s.Reset().Bind(1, f.status).Bind(2, f.kind).Bind(3, f.type).Bind(4, f.service_area).Bind(5, f.from).Bind(6, f.to);
    s.Bind(7, int64_t{f.by_deadline ? 1 : 0}).Bind(8, int64_t{f.limit}).Bind(9, f.message_hash);
    std::vector<StoredIncident> out;
    while (s.Step()) out.push_back(Row(s));
    if (!s.status().ok()) return s.status();
    return out;
  }

  Result<std::vector<AuditEntry>> Audit(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare(
        "SELECT seq, at, by_id, by_name, role, what, old_value, new_value, reason FROM audit WHERE incident_id = ?"
        " ORDER BY seq");
    if (!q.ok()) return q.status();
    auto& s = **q;
    s.Reset().Bind(1, id);
    std::vector<AuditEntry> out;
    while (s.Step()) {
      AuditEntry e;
      e.seq = s.Int(0);
      auto at = ParseInstant(s.Text(1));
      if (at.ok()) e.at = *at;
      e.by_id = s.Text(2);
      e.by_name = s.Text(3);
      e.role = s.Text(4);
      e.what = s.Text(5);
      e.old_value = s.IsNull(6) ? json() : json::parse(s.Text(6), nullptr, false);
      e.new_value = s.IsNull(7) ? json() : json::parse(s.Text(7), nullptr, false);
      e.reason = s.Text(8);
      out.push_back(std::move(e));
    }
    if (!s.status().ok()) return s.status();
    return out;
  }

  Result<bool> Notified(const std::string& id, const std::string& event) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("SELECT 1 FROM notifications WHERE incident_id = ? AND event = ? AND state = 'sent'");
    if (!q.ok()) return q.status();
    (*q)->Reset().Bind(1, id).Bind(2, event);
    bool found = (*q)->Step();
    (*q)->Reset();
    return found;
  }

  Status MarkNotified(const std::string& id, const std::string& event, Instant at) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare(
        "INSERT INTO notifications (incident_id, event, at, state) VALUES (?1, ?2, ?3, 'sent') "
        "ON CONFLICT (incident_id, event) DO UPDATE SET at = ?3, state = 'sent', lease_until = ''");
    if (!q.ok()) return q.status();
    return (*q)->Reset().Bind(1, id).Bind(2, event).Bind(3, FormatInstant(at)).Run();
  }

  Result<bool> ClaimNotification(const std::string& id, const std::string& event, Instant now) override {
    std::lock_guard lock(mu_);
    return Claim("notifications", "incident_id, event", "?1, ?2", id, event, now);
  }

  Status ReleaseNotification(const std::string& id, const std::string& event) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("DELETE FROM notifications WHERE incident_id = ? AND event = ? AND state = 'sending' AND claimed_by = ?");
    if (!q.ok()) return q.status();
    return (*q)->Reset().Bind(1, id).Bind(2, event).Bind(3, claimer_).Run();
  }

  Result<bool> ClaimJob(const std::string& key, Instant now) override {
    std::lock_guard lock(mu_);
    return Claim("jobs_done", "key", "?1", key, "", now);
  }

  Status ReleaseJob(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("DELETE FROM jobs_done WHERE key = ? AND state = 'sending' AND claimed_by = ?");
    if (!q.ok()) return q.status();
    return (*q)->Reset().Bind(1, key).Bind(2, claimer_).Run();
  }

  Result<std::vector<std::pair<std::string, Instant>>> Notifications(const std::string& id) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("SELECT event, at FROM notifications WHERE incident_id = ? AND state = 'sent' ORDER BY at, event");
    if (!q.ok()) return q.status();
    auto& s = **q;
    s.Reset().Bind(1, id);
    std::vector<std::pair<std::string, Instant>> out;
    while (s.Step()) {
      auto at = ParseInstant(s.Text(1));
      if (at.ok()) out.emplace_back(s.Text(0), *at);
    }
    if (!s.status().ok()) return s.status();
    return out;
  }

  Result<bool> JobDone(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("SELECT 1 FROM jobs_done WHERE key = ? AND state = 'sent'");
    if (!q.ok()) return q.status();
    (*q)->Reset().Bind(1, key);
    const bool found = (*q)->Step();
    (*q)->Reset();
    return found;
  }

  Status MarkJobDone(const std::string& key, Instant at) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare(
        "INSERT INTO jobs_done (key, at, state) VALUES (?1, ?2, 'sent') "
        "ON CONFLICT (key) DO UPDATE SET at = ?2, state = 'sent', lease_until = ''");
    if (!q.ok()) return q.status();
    return (*q)->Reset().Bind(1, key).Bind(2, FormatInstant(at)).Run();
  }

  Status Anonymise(const std::string& id, int64_t expected_version, const json& document, const IndexColumns& index,
                   const AuditEntry& entry) override {
    std::lock_guard lock(mu_);
    common::SqlTransaction tx(*db_);
    if (Status st = LockChain(); !st.ok()) return st;
    // A v1 entry (before migration 5) keeps a digest of what it held; its hash covered the values
    // themselves, so once redacted only its place in the chain can be checked.
    // (PostgreSQL stores have none: they began at the chain's v2.)
    auto redact = db_->Prepare(
        db_->dialect() == common::SqlDialect::kSqlite
            ? "UPDATE audit SET value_digest = CASE WHEN value_digest = '' THEN 'v1:' || hex(coalesce(old_value, '') || '|' ||"
              " coalesce(new_value, '') || '|' || reason) ELSE value_digest END, old_value = NULL, new_value = NULL, reason = '',"
              " redacted = 1 WHERE incident_id = ? AND redacted = 0"
            : "UPDATE audit SET old_value = NULL, new_value = NULL, reason = '', redacted = 1 WHERE incident_id = ? AND redacted = 0");
    if (!redact.ok()) return redact.status();
    if (Status st = (*redact)->Reset().Bind(1, id).Run(); !st.ok()) return st;
    if (Status st = UpdateLocked(id, expected_version, document, index, {entry}); !st.ok()) return st;
    return tx.Commit();
  }

  Status Erase(const std::string& id, const std::string& run, Instant at) override {
    std::lock_guard lock(mu_);
    common::SqlTransaction tx(*db_);
    if (Status st = LockChain(); !st.ok()) return st;
    for (const char* sql : {"INSERT INTO audit_erased (seq, incident_id, hash, prev_hash, erased_at, run)"
                            " SELECT seq, incident_id, hash, prev_hash, ?2, ?3 FROM audit WHERE incident_id = ?1",
                            "DELETE FROM audit WHERE incident_id = ?1", "DELETE FROM notifications WHERE incident_id = ?1",
                            "DELETE FROM incidents WHERE id = ?1"}) {
      auto q = db_->Prepare(sql);
      if (!q.ok()) return q.status();
      auto& s = (*q)->Reset().Bind(1, id);
      if (std::string(sql).find("?2") != std::string::npos) s.Bind(2, FormatInstant(at)).Bind(3, run);
      if (Status st = s.Run(); !st.ok()) return st;
    }
    return tx.Commit();
  }

  Status RecordRetentionRun(const std::string& run, Instant at, bool dry_run, const json& summary) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("INSERT INTO retention_runs (run, at, dry_run, summary) VALUES (?, ?, ?, ?)");
    if (!q.ok()) return q.status();
    return (*q)->Reset().Bind(1, run).Bind(2, FormatInstant(at)).Bind(3, int64_t{dry_run ? 1 : 0}).Bind(4, summary.dump()).Run();
  }

  Result<std::vector<json>> RetentionRuns(int limit) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("SELECT run, at, dry_run, summary FROM retention_runs ORDER BY at DESC, run DESC LIMIT ?");
    if (!q.ok()) return q.status();
    auto& s = **q;
    s.Reset().Bind(1, int64_t{limit});
    std::vector<json> out;
    while (s.Step()) {
      out.push_back({{"run", s.Text(0)}, {"at", s.Text(1)}, {"dry_run", s.Int(2) != 0},
                     {"summary", json::parse(s.Text(3), nullptr, false)}});
    }
    if (!s.status().ok()) return s.status();
    return out;
  }

  Result<AuditCheck> VerifyAudit() override {
    std::lock_guard lock(mu_);
    common::SqlTransaction tx(*db_);  // one consistent snapshot
    if (db_->dialect() == common::SqlDialect::kPostgres) {
      if (Status st = db_->Exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); !st.ok()) return st;
    }
    AuditCheck out;
    auto fail = [&](int64_t seq, const std::string& incident, const std::string& problem) {
      out.ok = false;
      out.first_bad_seq = seq;
      out.incident_id = incident;
      out.problem = problem;
      return out;
    };
    // Live entries and the tombstones of erased ones, in one sequence. A tombstone carries its
    // entry's hash and previous hash only (its incident must be gone); a redacted entry has no
    // values but its value digest (its incident must have been anonymised).
    auto q = db_->Prepare(
        "SELECT seq, incident_id, at, by_id, by_name, role, what, old_value, new_value, reason, doc_hash, prev_hash, hash,"
        " redacted, value_digest FROM audit UNION ALL SELECT seq, incident_id, '', '', '', '', '', NULL, NULL, '', '', prev_hash,"
        " hash, 2, '' FROM audit_erased ORDER BY seq");
    if (!q.ok()) return q.status();
    auto& s = **q;
    s.Reset();
    std::string prev;
    bool chained = false;
    std::map<std::string, std::string> last_doc_hash;  // incident -> the doc hash its newest entry recorded
    std::set<std::string> legacy_incidents;            // incidents with entries from before the chain
    std::map<std::string, int64_t> redacted, erased;   // incident -> one such entry's seq
    while (s.Step()) {
      const int64_t seq = s.Int(0);
      ChainFields f{s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6),
                    s.IsNull(7) ? std::nullopt : std::optional<std::string>(s.Text(7)),
                    s.IsNull(8) ? std::nullopt : std::optional<std::string>(s.Text(8)),
                    s.Text(9), s.Text(10), s.Text(11)};
      const std::string hash = s.Text(12);
      const int64_t kept = s.Int(13);  // 0 whole, 1 redacted, 2 erased (a tombstone)
      const std::string digest = s.Text(14);
      if (hash.empty() && !chained && kept == 0) {
        ++out.legacy;
        legacy_incidents.insert(f.incident_id);
        continue;
      }
      if (hash.empty()) {
        s.Reset();
        return fail(seq, f.incident_id, "the entry has no hash although the chain had begun (edited or inserted)");
      }
      chained = true;
      if (f.prev_hash != prev) {
        s.Reset();
        return fail(seq, f.incident_id, "the entry does not follow the one before it (an entry was deleted, inserted or reordered)");
      }
      const bool v2 = !digest.empty() && digest.rfind("v1:", 0) != 0;
      if (kept == 0) {
        const bool matches = v2 ? digest == ValueDigest(f) && EntryHashV2(f, digest) == hash : digest.empty() && EntryHash(f) == hash;
        if (!matches) {
          s.Reset();
          return fail(seq, f.incident_id, "the entry's contents do not match its hash (it was edited)");
        }
      } else if (kept == 1) {
        if (v2 && EntryHashV2(f, digest) != hash) {
          s.Reset();
          return fail(seq, f.incident_id, "the redacted entry does not match its hash (it was edited)");
        }
        redacted.emplace(f.incident_id, seq);
      } else {
        erased.emplace(f.incident_id, seq);
      }
      prev = hash;
      if (kept != 2) last_doc_hash[f.incident_id] = f.doc_hash;
      ++out.entries;
    }
    if (!s.status().ok()) return s.status();
    out.head = prev;
    auto docs = db_->Prepare("SELECT id, document FROM incidents ORDER BY created_at, id");
    if (!docs.ok()) return docs.status();
    auto& d = **docs;
    d.Reset();
    while (d.Step()) {
      ++out.incidents;
      const std::string id = d.Text(0);
      const std::string text = d.Text(1);
      if (auto e = erased.find(id); e != erased.end()) {
        d.Reset();
        return fail(e->second, id, "a live incident's audit entry was erased (tombstones are for deleted incidents only)");
      }
      if (auto r = redacted.find(id); r != redacted.end()) {
        const json doc = json::parse(text, nullptr, false);
        if (!doc.is_object() || !doc.contains("anonymised")) {
          d.Reset();
          return fail(r->second, id, "an audit entry was redacted although the incident was not anonymised");
        }
      }
      auto it = last_doc_hash.find(id);
      if (it == last_doc_hash.end()) {
        if (!legacy_incidents.count(id)) {
          d.Reset();
          return fail(0, id, "the incident has no audit entry (it was inserted directly)");
        }
        continue;  // filed before the chain began
      }
      if (common::Sha256Hex(text) != it->second) {
        d.Reset();
        return fail(0, id, "the incident's document differs from what its last audit entry recorded (edited directly)");
      }
    }
    if (!d.status().ok()) return d.status();
    return out;
  }

  Status Backup(const std::filesystem::path& dest) override {
    std::lock_guard lock(mu_);
    return db_->Backup(dest);
  }

 private:
  // Every writer of the audit chain takes its turn (the next entry names the newest one's hash).
  Status LockChain() { return db_->LockForWrite("sendguard-incident-audit-chain"); }

  // Claims a row of `table` (keys `k1`, `k2`) for this process until now + the lease: inserted
  // as 'sending', or taken over from a claim that lapsed. Whether this call got it.
  Result<bool> Claim(const std::string& table, const std::string& columns, const std::string& keys, const std::string& k1,
                     const std::string& k2, Instant now) {
    const bool two = !k2.empty() || table == "notifications";
    const std::string n = two ? "?3" : "?2", lease = two ? "?4" : "?3", who = two ? "?5" : "?4";
    auto q = db_->Prepare("INSERT INTO " + table + " (" + columns + ", at, state, lease_until, claimed_by) VALUES (" + keys +
                          ", " + n + ", 'sending', " + lease + ", " + who + ") ON CONFLICT (" + columns +
                          ") DO UPDATE SET at = " + n + ", lease_until = " + lease + ", claimed_by = " + who + " WHERE " +
                          table + ".state = 'sending' AND " + table + ".lease_until < " + n);
    if (!q.ok()) return q.status();
    auto& s = (*q)->Reset().Bind(1, k1);
    int next = 2;
    if (two) s.Bind(next++, k2);
    s.Bind(next, FormatInstant(now));
    s.Bind(next + 1, FormatInstant(now + kClaimLease));
    s.Bind(next + 2, claimer_);
    if (Status st = s.Run(); !st.ok()) return st;
    return db_->Changes() == 1;
  }

  static StoredIncident Row(common::SqlStatement& s) {
    StoredIncident r;
    r.id = s.Text(0);
    r.version = s.Int(1);
    r.document = json::parse(s.Text(2), nullptr, false);
    r.message_hash = s.Text(3);
    return r;
  }

  // A UNIQUE violation on incident_number is the caller's problem, not an internal one.
  static Status Conflict(const Status& st) {
    const std::string& m = st.message();
    if ((m.find("UNIQUE") != std::string::npos || m.find("unique constraint") != std::string::npos) &&
        m.find("incident_number") != std::string::npos) {
      return InvalidArgument("incident_number: already used by another incident");
    }
    return st;
  }

  // Appends one entry inside the caller's write transaction (BEGIN IMMEDIATE: no other writer
  // can take the same previous hash).
  Status Append(const std::string& id, const AuditEntry& e, const std::string& doc_hash) {
    auto last = db_->Prepare("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (!last.ok()) return last.status();
    (*last)->Reset();
    ChainFields f;
    if ((*last)->Step()) f.prev_hash = (*last)->Text(0);
    (*last)->Reset();
    f.incident_id = id;
    f.at = FormatInstant(e.at);
    f.by_id = e.by_id;
    f.by_name = e.by_name;
    f.role = e.role;
    f.what = e.what;
    if (!e.old_value.is_null()) f.old_text = Dump(e.old_value);
    if (!e.new_value.is_null()) f.new_text = Dump(e.new_value);
    f.reason = e.reason;
    f.doc_hash = doc_hash;
    auto ins = db_->Prepare(
        "INSERT INTO audit (incident_id, at, by_id, by_name, role, what, old_value, new_value, reason, doc_hash, prev_hash, hash,"
        " value_digest) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.status();
    auto& s = **ins;
    const std::string digest = ValueDigest(f);
    s.Reset().Bind(1, id).Bind(2, f.at).Bind(3, f.by_id).Bind(4, f.by_name).Bind(5, f.role).Bind(6, f.what);
    if (f.old_text) s.Bind(7, *f.old_text); else s.BindNull(7);
    if (f.new_text) s.Bind(8, *f.new_text); else s.BindNull(8);
    s.Bind(9, f.reason).Bind(10, f.doc_hash).Bind(11, f.prev_hash).Bind(12, EntryHashV2(f, digest)).Bind(13, digest);
    return s.Run();
  }

  std::mutex mu_;  // one connection, shared by the server's threads
  std::unique_ptr<common::SqlDb> db_;
  std::string claimer_;  // this store's name on its claims (random per process and store)
};

}  // namespace

Result<std::unique_ptr<IncidentStore>> OpenStore(const std::string& where) {
  auto db = common::OpenSqlDb(where);
  if (!db.ok()) return db.status();
  if (Status st = (*db)->Migrate(kMigrations, kPostgresMigrations, "incidents"); !st.ok()) {
    return Status(st.code(), (*db)->Describe() + ": " + st.message());
  }
  return std::unique_ptr<IncidentStore>(std::make_unique<SqlStore>(std::move(*db)));
}

Result<std::unique_ptr<IncidentStore>> OpenSqliteStore(const std::filesystem::path& path) { return OpenStore(path.string()); }

}  // namespace sendguard::incident
