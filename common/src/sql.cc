// SPDX-License-Identifier: Apache-2.0
// What both backends share (see sql.h): transactions and savepoints, schema migrations, and
// choosing the backend from a store setting.
#include "sendguard/common/sql.h"

#include <algorithm>

#include "sendguard/common/postgres.h"
#include "sendguard/common/sqlite.h"

namespace sendguard::common {

SqlTransaction::SqlTransaction(SqlDb& db) : db_(db), depth_(db.transaction_depth_) {
  begin_status_ = db_.RefuseIfUnbegun();
  if (begin_status_.ok()) {
    begin_status_ = depth_ == 0 ? db_.BeginOutermost(turn_) : db_.Exec("SAVEPOINT " + Savepoint());
  }
  begun_ = begin_status_.ok();
  if (begun_) ++db_.transaction_depth_;
  else ++db_.unbegun_transactions_;
}

std::string SqlTransaction::Savepoint() const { return "sendguard_" + std::to_string(depth_); }

SqlTransaction::~SqlTransaction() {
  if (!begun_) {
    if (!committed_) --db_.unbegun_transactions_;
    return;
  }
  if (depth_ == 0) {
    db_.Exec("ROLLBACK");
  } else {
    db_.Exec("ROLLBACK TO SAVEPOINT " + Savepoint());
    db_.Exec("RELEASE SAVEPOINT " + Savepoint());
  }
  --db_.transaction_depth_;
}

Status SqlTransaction::Commit() {
  if (!begun_) return Internal("transaction did not begin: " + begin_status_.message());
  Status st = db_.Exec(depth_ == 0 ? std::string("COMMIT") : "RELEASE SAVEPOINT " + Savepoint());
  if (!st.ok()) return st;  // still begun: the destructor rolls back
  begun_ = false;
  committed_ = true;
  --db_.transaction_depth_;
  if (turn_.owns_lock()) turn_.unlock();
  return st;
}

namespace {
std::string VersionTable(SqlDialect d, std::string_view component) {
  if (d == SqlDialect::kSqlite || component.empty()) return "schema_version";
  return "schema_version_" + std::string(component);
}
}  // namespace

int SqlDb::SchemaVersion(std::string_view component) {
  auto st = Prepare("SELECT version FROM " + VersionTable(dialect(), component));
  if (!st.ok() || !(*st)->Step()) return 0;
  int version = static_cast<int>((*st)->Int(0));
  (*st)->Reset();  // never leave a read transaction open (see SqlStatement)
  return version;
}

Status SqlDb::Migrate(const std::vector<std::string>& sqlite, const std::vector<std::string>& postgres,
                      std::string_view component) {
  const std::vector<std::string>& migrations = dialect() == SqlDialect::kSqlite ? sqlite : postgres;
  const std::string table = VersionTable(dialect(), component);
  // Already up to date (every connection a program opens after the first): a plain read, no
  // write lock, so opening a connection never waits behind, or holds up, another process's
  // writes to the same file (the milter and sendguard-desk share the gateway's).
  if (!migrations.empty() && SchemaVersion(component) == static_cast<int>(migrations.size())) return Status();
  for (;;) {
    // One migration a transaction, under a lock: another process migrating the same database
    // at the same moment waits, then finds the version moved on.
    SqlTransaction tx(*this);
    if (!tx.begun()) return tx.begin_status();
    if (Status st = LockForWrite("sendguard-schema"); !st.ok()) return st;
    if (Status st = Exec("CREATE TABLE IF NOT EXISTS " + table + " (version INTEGER NOT NULL)"); !st.ok()) return st;
    const int version = SchemaVersion(component);
    if (version > static_cast<int>(migrations.size())) {
      return InvalidArgument("database schema version " + std::to_string(version) + " is newer than this program (" +
                             std::to_string(migrations.size()) + "); upgrade sendguard");
    }
    if (version == static_cast<int>(migrations.size())) return tx.Commit();
    if (Status st = Exec(migrations[static_cast<size_t>(version)]); !st.ok()) {
      return Internal("migration " + std::to_string(version + 1) + ": " + st.message());
    }
    if (Status st = Exec("DELETE FROM " + table); !st.ok()) return st;
    auto ins = Prepare("INSERT INTO " + table + " (version) VALUES (?)");
    if (!ins.ok()) return ins.status();
    if (Status st = (*ins)->Bind(1, static_cast<int64_t>(version + 1)).Run(); !st.ok()) return st;
    if (Status st = tx.Commit(); !st.ok()) return st;
  }
}

bool IsPostgresSetting(std::string_view where) {
  return where.starts_with("postgresql://") || where.starts_with("postgres://") ||
         where.find("dbname=") != std::string_view::npos || where.find("host=") != std::string_view::npos;
}

namespace {

// password=secret, password = secret, password='a b\'c' (libpq's keyword form), or a URL query
// parameter (&password=secret): the value to the end of its word becomes "***".
void RedactPasswordKeywords(std::string& s) {
  for (size_t p = s.find("password"); p != std::string::npos; p = s.find("password", p + 1)) {
    size_t start = p + 8;
    while (start < s.size() && s[start] == ' ') ++start;
    if (start >= s.size() || s[start] != '=') continue;
    ++start;
    while (start < s.size() && s[start] == ' ') ++start;
    size_t end = start;
    if (end < s.size() && s[end] == '\'') {
      for (++end; end < s.size() && s[end] != '\''; ++end) {
        if (s[end] == '\\') ++end;  // an escaped character
      }
      if (end < s.size()) ++end;  // the closing quote
    }
    // To the end of the word (unquoted, or text run on after a closing quote: libpq would refuse
    // such a setting, but whatever it meant is not shown).
    while (end < s.size() && s[end] != ' ' && s[end] != '&') ++end;
    s.replace(start, std::min(end, s.size()) - start, "***");
  }
}

// postgresql://user:secret@host/db: the password is in the URL's authority (before the path or
// query), between the first ':' and the last '@' there.
void RedactUrlPassword(std::string& s) {
  for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (!s.starts_with(scheme)) continue;
    const size_t from = scheme.size();
    const size_t authority_end = std::min(s.find_first_of("/?", from), s.size());
    const size_t at = s.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
    const size_t colon = s.find(':', from);
    if (at != std::string::npos && at >= from && colon < at) s.replace(colon + 1, at - colon - 1, "***");
    break;
  }
}

}  // namespace

std::string RedactedSetting(std::string_view where) {
  std::string s(where);
  if (!IsPostgresSetting(s)) return s;
  // Each step can reveal work for the other (a keyword's value that held a '/' hid a URL's
  // '@'): repeated until nothing changes, so what is shown is redacted whatever is redacted first.
  for (int round = 0; round < 8; ++round) {
    const std::string before = s;
    RedactPasswordKeywords(s);
    RedactUrlPassword(s);
    if (s == before) break;
  }
  return s;
}

Result<std::unique_ptr<SqlDb>> OpenSqlDb(const std::string& where) {
  if (IsPostgresSetting(where)) {
    auto db = PostgresDb::Open(where);
    if (!db.ok()) return db.status();
    return std::unique_ptr<SqlDb>(std::move(*db));
  }
  auto db = SqliteDb::Open(where);
  if (!db.ok()) return db.status();
  return std::unique_ptr<SqlDb>(std::move(*db));
}

}  // namespace sendguard::common
