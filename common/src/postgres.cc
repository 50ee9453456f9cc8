// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL backend (see postgres.h): the only file that calls libpq.
#include "sendguard/common/postgres.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace sendguard::common {
namespace {

void IgnoreNotice(void*, const char*) {}  // "relation already exists, skipping" and the like

// The connection string without its password, for messages.
std::string DescribeConnection(pg_conn* conn) {
  std::string out = "postgresql://";
  if (const char* user = PQuser(conn); user && *user) out += std::string(user) + "@";
  const char* host = PQhost(conn);
  out += host && *host ? host : "localhost";
  if (const char* port = PQport(conn); port && *port) out += std::string(":") + port;
  if (const char* db = PQdb(conn); db && *db) out += std::string("/") + db;
  return out;
}

// 64-bit FNV-1a: the same number for the same name in every process (an advisory lock key).
int64_t LockKey(std::string_view name) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : name) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<int64_t>(h);
}

std::string ResultError(pg_conn* conn, pg_result* res) {
  std::string msg = res ? PQresultErrorMessage(res) : "";
  if (msg.empty()) msg = PQerrorMessage(conn);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

}  // namespace

std::string PostgresDb::NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 0;
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      out += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    size_t j = i + 1;
    while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
    if (j > i + 1) {
      out += '$';
      out.append(sql.substr(i + 1, j - i - 1));
      i = j - 1;
    } else {
      out += '$' + std::to_string(++next);
    }
  }
  return out;
}

Result<std::unique_ptr<PostgresDb>> PostgresDb::Open(const std::string& conninfo, PostgresLimits limits) {
  // connect_timeout as a keyword beside the caller's string: libpq takes the later value.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const std::string timeout = std::to_string(std::max<int64_t>(1, limits.connect_timeout.count()));
  const char* values[] = {conninfo.c_str(), timeout.c_str(), "sendguard", nullptr};
  pg_conn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (!conn) return IoError("postgresql: out of memory connecting");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string msg = ResultError(conn, nullptr);
    PQfinish(conn);
    return IoError("cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<PostgresDb> db(new PostgresDb(conn, DescribeConnection(conn), limits));
  if (Status st = db->Configure(); !st.ok()) return st;
  return db;
}

PostgresDb::PostgresDb(pg_conn* conn, std::string describe, PostgresLimits limits)
    : conn_(conn), describe_(std::move(describe)), limits_(limits) {}

PostgresDb::~PostgresDb() {
  cache_.clear();
  PQfinish(conn_);
}

Status PostgresDb::Configure() {
  PQsetNoticeProcessor(conn_, &IgnoreNotice, nullptr);
  configured_ = true;  // Exec below must not come back here
  Status st = Exec("SET statement_timeout = " + std::to_string(limits_.statement_timeout.count()) +
                   "; SET lock_timeout = " + std::to_string(limits_.statement_timeout.count()) +
                   "; SET client_min_messages = warning; SET TIME ZONE 'UTC'");
  configured_ = st.ok();
  return st;
}

Status PostgresDb::EnsureConnected() {
  if (Status st = RefuseIfUnbegun(); !st.ok()) return st;
  // Connected but without its time limits (setting them failed after a reconnection): no
  // statement runs until they are set.
  if (PQstatus(conn_) == CONNECTION_OK) return configured_ ? Status() : Configure();
  if (transaction_depth_ > 0) return IoError("PostgreSQL connection lost inside a transaction: " + Error());
  // While the server is away every caller would otherwise wait out a connect timeout, one
  // after another behind the store's lock: try again at most once a second.
  const auto now = std::chrono::steady_clock::now();
  if (now - last_reset_ < std::chrono::seconds(1)) return IoError("PostgreSQL (" + describe_ + ") is unreachable; retrying");
  last_reset_ = now;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) return IoError("cannot reconnect to PostgreSQL (" + describe_ + "): " + Error());
  ++generation_;
  configured_ = false;
  return Configure();
}

Status PostgresDb::Failed(const std::string& what, pg_result* res) {
  std::string msg = ResultError(conn_, res);
  if (res) PQclear(res);
  // A broken connection is an I/O failure (the caller may answer from a local copy); a
  // refused statement is the program's or the data's fault.
  if (PQstatus(conn_) != CONNECTION_OK) return IoError("postgresql (" + describe_ + "): " + what + ": " + msg);
  return Internal("postgresql: " + what + ": " + msg);
}

std::string PostgresDb::Error() const {
  std::string msg = PQerrorMessage(conn_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return msg;
}

Status PostgresDb::Exec(const std::string& sql) {
  if (Status st = EnsureConnected(); !st.ok()) return st;
  pg_result* res = PQexec(conn_, sql.c_str());
  const ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) return Failed("exec", res);
  // COMMIT of a transaction that an error had aborted "succeeds" as a ROLLBACK.
  const bool rolled_back = sql == "COMMIT" && std::string_view(PQcmdStatus(res)) == "ROLLBACK";
  PQclear(res);
  if (rolled_back) return Internal("postgresql: the transaction was rolled back (a statement in it failed)");
  return Status();
}

Status PostgresDb::BeginOutermost(std::unique_lock<std::mutex>&) { return Exec("BEGIN"); }

Status PostgresDb::LockForWrite(std::string_view name) {
  auto st = Prepare("SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, LockKey(name));
  while ((*st)->Step()) {
  }
  return (*st)->status();
}

Result<SqlStatement*> PostgresDb::Prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return &it->second->Reset();
  auto stmt = std::make_unique<PostgresStatement>(*this, NumberPlaceholders(sql), "sg" + std::to_string(++next_name_));
  auto [it, added] = cache_.emplace(std::string(sql), std::move(stmt));
  return it->second.get();
}

Status PostgresDb::Backup(const std::filesystem::path&) {
  return InvalidArgument("a PostgreSQL store is backed up with pg_dump or the server's own backups, not by sendguard");
}

PostgresStatement::PostgresStatement(PostgresDb& owner, std::string sql, std::string name)
    : owner_(owner), sql_(std::move(sql)), name_(std::move(name)) {}

PostgresStatement::~PostgresStatement() {
  if (result_) PQclear(result_);
}

PostgresStatement& PostgresStatement::Reset() {
  if (result_) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
  executed_ = false;
  params_.clear();
  status_ = Status();
  return *this;
}

void PostgresStatement::SetParam(int index, std::optional<std::string> value) {
  if (index < 1) return;
  if (params_.size() < static_cast<size_t>(index)) params_.resize(static_cast<size_t>(index));
  params_[static_cast<size_t>(index) - 1] = std::move(value);
}

PostgresStatement& PostgresStatement::Bind(int index, std::string_view text) {
  // PostgreSQL text cannot hold NUL: such a value is cut there (SQLite kept it); callers
  // store hashes, ids and JSON, none of which has one.
  SetParam(index, std::string(text.substr(0, text.find('\0'))));
  return *this;
}

PostgresStatement& PostgresStatement::Bind(int index, int64_t value) {
  SetParam(index, std::to_string(value));
  return *this;
}

PostgresStatement& PostgresStatement::BindNull(int index) {
  SetParam(index, std::nullopt);
  return *this;
}

Status PostgresStatement::Execute() {
  if (Status st = owner_.EnsureConnected(); !st.ok()) return st;
  pg_conn* conn = owner_.conn_;
  if (prepared_generation_ != owner_.generation_) {
    pg_result* res = PQprepare(conn, name_.c_str(), sql_.c_str(), 0, nullptr);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) return owner_.Failed("cannot prepare: " + sql_.substr(0, 80), res);
    PQclear(res);
    prepared_generation_ = owner_.generation_;
  }
  std::vector<const char*> values;
  values.reserve(params_.size());
  for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
  result_ = PQexecPrepared(conn, name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0);
  const ExecStatusType s = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    pg_result* failed = result_;
    result_ = nullptr;
    return owner_.Failed("statement failed", failed);
  }
  const char* tuples = PQcmdTuples(result_);
  owner_.changes_ = tuples && *tuples ? std::atoi(tuples) : 0;
  return Status();
}

bool PostgresStatement::Step() {
  if (!executed_) {
    executed_ = true;
    row_ = -1;
    status_ = Execute();
    if (!status_.ok()) {
      executed_ = false;  // the next Step runs it again (on a reopened connection)
      return false;
    }
  }
  if (result_ && row_ + 1 < PQntuples(result_)) {
    ++row_;
    return true;
  }
  // Done: ready to run again with the same parameters (as a finished SQLite statement is).
  if (result_) PQclear(result_);
  result_ = nullptr;
  executed_ = false;
  return false;
}

Status PostgresStatement::Run() {
  while (Step()) {
  }
  return status_;
}

int64_t PostgresStatement::Int(int column) const {
  if (!result_ || row_ < 0 || PQgetisnull(result_, row_, column)) return 0;
  const char* v = PQgetvalue(result_, row_, column);
  if (v[0] == 't' && v[1] == '\0') return 1;  // a boolean column
  if (v[0] == 'f' && v[1] == '\0') return 0;
  return std::strtoll(v, nullptr, 10);
}

std::string PostgresStatement::Text(int column) const {
  if (!result_ || row_ < 0 || PQgetisnull(result_, row_, column)) return {};
  return std::string(PQgetvalue(result_, row_, column), static_cast<size_t>(PQgetlength(result_, row_, column)));
}

int PostgresStatement::Columns() const { return result_ ? PQnfields(result_) : 0; }

bool PostgresStatement::IsNull(int column) const {
  return !result_ || row_ < 0 || PQgetisnull(result_, row_, column);
}

}  // namespace sendguard::common
