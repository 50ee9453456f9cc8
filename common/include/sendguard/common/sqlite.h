// SPDX-License-Identifier: Apache-2.0
// The SQLite backend of sql.h (the embedded default): WAL and foreign keys on, a busy
// timeout, prepared statements only (values are always bound, never spliced into SQL),
// online backup, and one writer at a time per file in a process.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sendguard/common/sql.h"
#include "sendguard/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sendguard::common {

class SqliteStatement;

// One connection. Not thread-safe: one per thread (SQLite's WAL lets many read while one writes).
// Connections in one process to one file share a writer mutex that SqlTransaction takes:
// threads then wait their turn on the mutex, woken the moment it is free, instead of in
// SQLite's busy handler, which sleeps 1, 2, 5, 10 ms... between tries (measured: 857 such
// sleeps for 2,000 messages through the milter's two workers). Other processes still meet
// the busy timeout.
class SqliteDb : public SqlDb {
 public:
  // Opens (creating) `path`; ":memory:" for a private in-memory database.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::filesystem::path& path);
  ~SqliteDb() override;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  SqlDialect dialect() const override { return SqlDialect::kSqlite; }
  std::string Describe() const override { return path_; }
  Status Exec(const std::string& sql) override;
  // A prepared statement, cached by its text (a hash lookup: no copy of the text per call).
  Result<SqlStatement*> Prepare(std::string_view sql) override;
  Status Backup(const std::filesystem::path& dest) override;
  int Changes() const override;
  std::string Error() const override;
  Status LockForWrite(std::string_view) override { return Status(); }

  // How often this connection waited for another process's (or an unshared connection's)
  // write lock.
  int64_t BusyWaits() const { return busy_waits_.load(); }

 protected:
  Status BeginOutermost(std::unique_lock<std::mutex>& turn) override;

 private:
  friend class SqliteStatement;
  SqliteDb(sqlite3* db, std::shared_ptr<std::mutex> writer, std::string path);
  sqlite3* db_;
  std::string path_;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, TextHash, std::equal_to<>> cache_;
  std::shared_ptr<std::mutex> writer_;  // shared by this process's connections to the file
  std::atomic<int64_t> busy_waits_{0};
};

class SqliteStatement : public SqlStatement {
 public:
  SqliteStatement(SqliteDb& owner, sqlite3_stmt* stmt);
  ~SqliteStatement() override;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& Reset() override;
  SqliteStatement& Bind(int index, std::string_view text) override;
  SqliteStatement& Bind(int index, int64_t value) override;
  SqliteStatement& BindNull(int index) override;
  bool Step() override;
  // A write outside any transaction takes the file's writer mutex for its duration, as a
  // transaction would.
  Status Run() override;
  const Status& status() const override { return status_; }
  int64_t Int(int column) const override;
  std::string Text(int column) const override;
  bool IsNull(int column) const override;
  int Columns() const override;

 private:
  SqliteDb& owner_;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

}  // namespace sendguard::common
