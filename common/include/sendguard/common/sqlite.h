// A thin, safe layer over SQLite for every sendguard store (milter state, incidents):
// WAL and foreign keys on, a busy timeout, prepared statements only (values are always
// bound, never spliced into SQL), schema migrations with a version table, online backup.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sendguard/common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sendguard::common {

class SqliteStatement;

// One connection. Not thread-safe: one per thread (SQLite's WAL lets many read while one writes).
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
  // A prepared statement, cached by its text.
  Result<SqliteStatement*> Prepare(const std::string& sql);
  // Copies the whole database to `dest` while it stays in use (SQLite's online backup).
  Status Backup(const std::filesystem::path& dest);

  int64_t LastInsertId() const;
  int Changes() const;
  std::string Error() const;
  sqlite3* handle() { return db_; }

 private:
  explicit SqliteDb(sqlite3* db);
  sqlite3* db_;
  std::vector<std::pair<std::string, std::unique_ptr<SqliteStatement>>> cache_;
};

// A prepared statement: Bind (1-based), then Step until it returns false (the statement
// is then reset). A caller that stops early must Reset(): an unfinished statement keeps a
// read transaction open, and in WAL mode that makes this connection's next write fail.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& Reset();  // clears bindings too
  SqliteStatement& Bind(int index, std::string_view text);
  SqliteStatement& Bind(int index, int64_t value);
  SqliteStatement& BindNull(int index);
  // True when a row is ready; false when done. Errors are kept in status().
  bool Step();
  // Steps to the end (for INSERT/UPDATE); the error, if any.
  Status Run();
  const Status& status() const { return status_; }

  int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() is called.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db) : db_(db) { begun_ = db_.Exec("BEGIN IMMEDIATE").ok(); }
  ~SqliteTransaction() {
    if (begun_) db_.Exec("ROLLBACK");
  }
  Status Commit() {
    if (!begun_) return Internal("transaction did not begin: " + db_.Error());
    begun_ = false;
    return db_.Exec("COMMIT");
  }

 private:
  SqliteDb& db_;
  bool begun_ = false;
};

}  // namespace sendguard::common
