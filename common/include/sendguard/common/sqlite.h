// SPDX-License-Identifier: Apache-2.0
// A thin, safe layer over SQLite for every sendguard store (milter state, incidents):
// WAL and foreign keys on, a busy timeout, prepared statements only (values are always
// bound, never spliced into SQL), schema migrations with a version table, online backup,
// and transactions that nest (savepoints) with one writer at a time per file in a process.
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

#include "sendguard/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sendguard::common {

class SqliteStatement;

// One connection. Not thread-safe: one per thread (SQLite's WAL lets many read while one writes).
// Connections in one process to one file share a writer mutex that SqliteTransaction takes:
// threads then wait their turn on the mutex, woken the moment it is free, instead of in
// SQLite's busy handler, which sleeps 1, 2, 5, 10 ms... between tries (measured: 857 such
// sleeps for 2,000 messages through the milter's two workers). Other processes still meet
// the busy timeout.
class SqliteDb {
 public:
  // Opens (creating) `path`; ":memory:" for a private in-memory database.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::filesystem::path& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Applies migrations[v..] for a database at version v, each in one transaction; the
  // version is kept in the `schema_version` table. A database newer than the code is an error.
  Status Migrate(const std::vector<std::string>& migrations);
  int SchemaVersion();

  // Runs SQL without parameters (schema, pragmas, BEGIN/COMMIT).
  Status Exec(const std::string& sql);
  // A prepared statement, cached by its text (a hash lookup: no copy of the text per call).
  Result<SqliteStatement*> Prepare(std::string_view sql);
  // Copies the whole database to `dest` while it stays in use (SQLite's online backup).
  Status Backup(const std::filesystem::path& dest);

  // How often this connection waited for another process's (or an unshared connection's)
  // write lock.
  int64_t BusyWaits() const { return busy_waits_.load(); }
  int64_t LastInsertId() const;
  int Changes() const;
  std::string Error() const;
  sqlite3* handle() { return db_; }

 private:
  friend class SqliteTransaction;
  friend class SqliteStatement;
  SqliteDb(sqlite3* db, std::shared_ptr<std::mutex> writer);
  sqlite3* db_;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, TextHash, std::equal_to<>> cache_;
  std::shared_ptr<std::mutex> writer_;  // shared by this process's connections to the file
  int transaction_depth_ = 0;           // SqliteTransactions open on this connection
  std::atomic<int64_t> busy_waits_{0};
};

// A prepared statement: Bind (1-based), then Step until it returns false (the statement
// is then reset). A caller that stops early must Reset(): an unfinished statement keeps a
// read transaction open, and in WAL mode that makes this connection's next write fail.
class SqliteStatement {
 public:
  SqliteStatement(SqliteDb& owner, sqlite3_stmt* stmt);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& Reset();  // clears bindings too
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& BindNull(int index);
  // True when a row is ready; false when done. Errors are kept in status().
  bool Step();
  // Steps to the end (for INSERT/UPDATE); the error, if any. A write outside any transaction
  // takes the file's writer mutex for its duration, as a transaction would.
  Status Run();
  const Status& status() const { return status_; }

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  SqliteDb& owner_;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() is called. The outermost one on a
// connection holds the file's writer mutex until it ends; one opened inside another is a
// savepoint, so a part can fail and roll back alone while the whole still commits once.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  Status Commit();

 private:
  std::string Savepoint() const;  // this nested transaction's savepoint name
  SqliteDb& db_;
  std::unique_lock<std::mutex> writer_;
  int depth_ = 0;  // 0 for the outermost
  bool begun_ = false;
};

}  // namespace sendguard::common
