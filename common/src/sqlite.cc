// SPDX-License-Identifier: Apache-2.0
// The SQLite backend (see sqlite.h): the only file that calls the SQLite C API.
#include "sendguard/common/sqlite.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iterator>
#include <map>
#include <thread>

namespace sendguard::common {
namespace {

// The writer mutex of a database file, one per file per process (a private one in memory).
std::shared_ptr<std::mutex> WriterFor(const std::filesystem::path& path) {
  if (path == ":memory:") return std::make_shared<std::mutex>();
  static std::mutex registry_mutex;
  static std::map<std::string, std::weak_ptr<std::mutex>> registry;
  std::error_code ec;
  std::filesystem::path key = std::filesystem::weakly_canonical(path, ec);
  if (ec) key = path;
  std::lock_guard lock(registry_mutex);
  std::weak_ptr<std::mutex>& slot = registry[key.string()];
  if (auto writer = slot.lock()) return writer;
  auto writer = std::make_shared<std::mutex>();
  slot = writer;
  return writer;
}

// SQLite's own busy handler, counted: waits 1, 2, 5 ... 100 ms between tries, 5 s in all.
int BusyWait(void* counter, int tries) {
  static constexpr int kDelaysMs[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
  static constexpr int kTotalMs = 5000;
  constexpr int n = static_cast<int>(std::size(kDelaysMs));
  // Waited so far: the first `tries` delays, the last one repeating.
  int waited = std::max(0, tries - n) * kDelaysMs[n - 1];
  for (int i = 0; i < std::min(tries, n); ++i) waited += kDelaysMs[i];
  if (waited >= kTotalMs) return 0;
  ++*static_cast<std::atomic<int64_t>*>(counter);
  std::this_thread::sleep_for(std::chrono::milliseconds(kDelaysMs[std::min(tries, n - 1)]));
  return 1;
}

}  // namespace

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return IoError("cannot open database " + path.string() + ": " + msg);
  }
  std::unique_ptr<SqliteDb> out(new SqliteDb(db, WriterFor(path), path.string()));
  sqlite3_busy_handler(db, &BusyWait, &out->busy_waits_);
  // temp_store=MEMORY: statement journals (a statement that fires triggers, as the shared
  // store's journal does, needs one) in memory, not a temporary file created and deleted per
  // statement (measured: +20% milter CPU per two-recipient message before; bench/shared_store_bench.sh).
  for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL",
                             "PRAGMA temp_store=MEMORY"}) {
    if (Status st = out->Exec(pragma); !st.ok() && path != ":memory:") return st;
  }
  return out;
}

SqliteDb::SqliteDb(sqlite3* db, std::shared_ptr<std::mutex> writer, std::string path)
    : db_(db), path_(std::move(path)), writer_(std::move(writer)) {}

Status SqliteDb::BeginOutermost(std::unique_lock<std::mutex>& turn) {
  turn = std::unique_lock(*writer_);
  Status st = Exec("BEGIN IMMEDIATE");
  if (!st.ok()) turn.unlock();
  return st;
}

SqliteDb::~SqliteDb() {
  cache_.clear();  // statements first
  sqlite3_close(db_);
}

Status SqliteDb::Exec(const std::string& sql) {
  if (Status st = RefuseIfUnbegun(); !st.ok()) return st;
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal("sqlite: " + msg);
  }
  return Status();
}

Result<SqlStatement*> SqliteDb::Prepare(std::string_view sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return &it->second->Reset();
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return Internal("sqlite: cannot prepare: " + Error());
  }
  auto [it, added] = cache_.emplace(std::string(sql), std::make_unique<SqliteStatement>(*this, stmt));
  return it->second.get();
}

Status SqliteDb::Backup(const std::filesystem::path& dest) {
  // The copy is as private as the store (0600), whatever the umask of whoever runs it.
  const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create backup file " + dest.string() + ": " + std::strerror(errno));
  const bool private_mode = ::fchmod(fd, 0600) == 0;
  ::close(fd);
  if (!private_mode) return IoError("cannot make backup file " + dest.string() + " private (0600)");
  sqlite3* out = nullptr;
  if (sqlite3_open(dest.c_str(), &out) != SQLITE_OK) {
    sqlite3_close(out);
    return IoError("cannot open backup file " + dest.string());
  }
  sqlite3_backup* b = sqlite3_backup_init(out, "main", db_, "main");
  if (!b) {
    std::string msg = sqlite3_errmsg(out);
    sqlite3_close(out);
    return Internal("backup: " + msg);
  }
  int rc;
  while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    sqlite3_sleep(5);
  }
  sqlite3_backup_finish(b);
  std::string msg = sqlite3_errmsg(out);
  sqlite3_close(out);
  if (rc != SQLITE_DONE) return Internal("backup: " + msg);
  return Status();
}

int SqliteDb::Changes() const { return sqlite3_changes(db_); }
std::string SqliteDb::Error() const { return sqlite3_errmsg(db_); }

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  status_ = Status();
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool SqliteStatement::Step() {
  if (Status st = owner_.RefuseIfUnbegun(); !st.ok()) {
    status_ = st;
    return false;
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) status_ = Internal(std::string("sqlite: ") + sqlite3_errmsg(db_));
  // A finished statement still holds its read transaction until reset; in WAL mode a stale
  // read snapshot makes this connection's next write fail with SQLITE_BUSY at once.
  sqlite3_reset(stmt_);
  return false;
}

SqliteStatement::SqliteStatement(SqliteDb& owner, sqlite3_stmt* stmt) : owner_(owner), db_(owner.db_), stmt_(stmt) {}

Status SqliteStatement::Run() {
  std::unique_lock<std::mutex> turn;
  if (owner_.transaction_depth_ == 0 && !sqlite3_stmt_readonly(stmt_)) turn = std::unique_lock(*owner_.writer_);
  while (Step()) {
  }
  Status st = status_;
  sqlite3_reset(stmt_);
  return st;
}

int64_t SqliteStatement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string SqliteStatement::Text(int column) const {
  const unsigned char* t = sqlite3_column_text(stmt_, column);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

int SqliteStatement::Columns() const { return sqlite3_column_count(stmt_); }

bool SqliteStatement::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

}  // namespace sendguard::common
