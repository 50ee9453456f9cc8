// The SQLite incident store: schema migrations, prepared statements only, WAL, foreign keys,
// one transaction per change (document + audit), online backup.
#include <mutex>

#include "sendguard/common/sqlite.h"
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
};

std::string Dump(const json& v) { return v.is_null() ? std::string() : v.dump(); }

class SqliteStore final : public IncidentStore {
 public:
  explicit SqliteStore(std::unique_ptr<common::SqliteDb> db) : db_(std::move(db)) {}

  Result<std::string> Insert(const std::string& id, const std::string& key, const json& document,
                             const IndexColumns& index, const AuditEntry& created) override {
    std::lock_guard lock(mu_);
    common::SqliteTransaction tx(*db_);
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
    s.Bind(4, document.dump()).Bind(5, index.kind).Bind(6, index.status).Bind(7, index.source);
    s.Bind(8, index.service_area).Bind(9, index.types).Bind(10, index.period_date).Bind(11, index.deadline);
    s.Bind(12, FormatInstant(created.at)).Bind(13, index.message_hash);
    if (Status st = s.Run(); !st.ok()) return Conflict(st);
    if (Status st = Append(id, created); !st.ok()) return st;
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
    common::SqliteTransaction tx(*db_);
    auto up = db_->Prepare(
        "UPDATE incidents SET version = version + 1, document = ?, incident_number = ?, kind = ?, status = ?,"
        " service_area = ?, types = ?, period_date = ?, deadline = ? WHERE id = ? AND version = ?");
    if (!up.ok()) return up.status();
    auto& s = **up;
    s.Reset().Bind(1, document.dump());
    if (index.incident_number.empty()) s.BindNull(2); else s.Bind(2, index.incident_number);
    s.Bind(3, index.kind).Bind(4, index.status).Bind(5, index.service_area).Bind(6, index.types);
    s.Bind(7, index.period_date).Bind(8, index.deadline).Bind(9, id).Bind(10, expected_version);
    if (Status st = s.Run(); !st.ok()) return Conflict(st);
    if (db_->Changes() != 1) {
      return Status(StatusCode::kResourceExhausted, "the incident changed since it was read (version " +
                                                        std::to_string(expected_version) + "); reload and try again");
    }
    for (const auto& e : entries) {
      if (Status st = Append(id, e); !st.ok()) return st;
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
    auto q = db_->Prepare("SELECT 1 FROM notifications WHERE incident_id = ? AND event = ?");
    if (!q.ok()) return q.status();
    (*q)->Reset().Bind(1, id).Bind(2, event);
    bool found = (*q)->Step();
    (*q)->Reset();
    return found;
  }

  Status MarkNotified(const std::string& id, const std::string& event, Instant at) override {
    std::lock_guard lock(mu_);
    auto q = db_->Prepare("INSERT OR IGNORE INTO notifications (incident_id, event, at) VALUES (?, ?, ?)");
    if (!q.ok()) return q.status();
    return (*q)->Reset().Bind(1, id).Bind(2, event).Bind(3, FormatInstant(at)).Run();
  }

  Status Backup(const std::filesystem::path& dest) override {
    std::lock_guard lock(mu_);
    return db_->Backup(dest);
  }

 private:
  static StoredIncident Row(common::SqliteStatement& s) {
    StoredIncident r;
    r.id = s.Text(0);
    r.version = s.Int(1);
    r.document = json::parse(s.Text(2), nullptr, false);
    r.message_hash = s.Text(3);
    return r;
  }

  // A UNIQUE violation on incident_number is the caller's problem, not an internal one.
  static Status Conflict(const Status& st) {
    if (st.message().find("UNIQUE") != std::string::npos && st.message().find("incident_number") != std::string::npos) {
      return InvalidArgument("incident_number: already used by another incident");
    }
    return st;
  }

  Status Append(const std::string& id, const AuditEntry& e) {
    auto ins = db_->Prepare(
        "INSERT INTO audit (incident_id, at, by_id, by_name, role, what, old_value, new_value, reason)"
        " VALUES (?,?,?,?,?,?,?,?,?)");
    if (!ins.ok()) return ins.status();
    auto& s = **ins;
    s.Reset().Bind(1, id).Bind(2, FormatInstant(e.at)).Bind(3, e.by_id).Bind(4, e.by_name).Bind(5, e.role);
    s.Bind(6, e.what);
    if (e.old_value.is_null()) s.BindNull(7); else s.Bind(7, Dump(e.old_value));
    if (e.new_value.is_null()) s.BindNull(8); else s.Bind(8, Dump(e.new_value));
    s.Bind(9, e.reason);
    return s.Run();
  }

  std::mutex mu_;  // one connection, shared by the server's threads
  std::unique_ptr<common::SqliteDb> db_;
};

}  // namespace

Result<std::unique_ptr<IncidentStore>> OpenSqliteStore(const std::filesystem::path& path) {
  auto db = common::SqliteDb::Open(path);
  if (!db.ok()) return db.status();
  if (Status st = (*db)->Migrate(kMigrations); !st.ok()) return st;
  return std::unique_ptr<IncidentStore>(std::make_unique<SqliteStore>(std::move(*db)));
}

}  // namespace sendguard::incident
