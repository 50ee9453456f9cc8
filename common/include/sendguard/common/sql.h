// SPDX-License-Identifier: Apache-2.0
// The one database interface every sendguard store is written against, with two backends:
// SQLite (sqlite.h, the embedded default: one host, files) and PostgreSQL (postgres.h, the
// shared store of several gateways and cores). Stores write one SQL text for both: `?` or
// `?N` placeholders (the PostgreSQL backend numbers them `$N`), upserts with ON CONFLICT,
// CASE instead of two-argument max/min, COALESCE, CAST(? AS BIGINT) where a parameter's type
// would otherwise be unknown. Schemas differ (types, identity columns): a store gives a list
// of migrations for each dialect.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::common {

enum class SqlDialect { kSqlite, kPostgres };

// A prepared statement: Bind (1-based), then Step until it returns false (the statement is
// then reset). A caller that stops early must Reset(): an unfinished SQLite statement keeps a
// read transaction open, and in WAL mode that makes the connection's next write fail.
class SqlStatement {
 public:
  virtual ~SqlStatement() = default;
  virtual SqlStatement& Reset() = 0;  // clears bindings too
  virtual SqlStatement& Bind(int index, std::string_view text) = 0;
  virtual SqlStatement& Bind(int index, int64_t value) = 0;
  virtual SqlStatement& BindNull(int index) = 0;
  // True when a row is ready; false when done. Errors are kept in status().
  virtual bool Step() = 0;
  // Steps to the end (for INSERT/UPDATE); the error, if any.
  virtual Status Run() = 0;
  virtual const Status& status() const = 0;
  virtual int64_t Int(int column) const = 0;
  virtual std::string Text(int column) const = 0;
  virtual bool IsNull(int column) const = 0;
  virtual int Columns() const = 0;  // how many columns a row has
};

// One connection. Not thread-safe: one per thread.
class SqlDb {
 public:
  virtual ~SqlDb() = default;
  virtual SqlDialect dialect() const = 0;
  // Where this database is, for messages (a file path, or host/port/dbname without password).
  virtual std::string Describe() const = 0;

  // Applies migrations[v..] of this dialect for a database at version v, each in one
  // transaction; the version is kept in the `schema_version` table (on PostgreSQL, where
  // several components may share one database, `schema_version_<component>`). A database newer
  // than the code is an error. Several processes migrating at once: one does it, the rest wait.
  Status Migrate(const std::vector<std::string>& sqlite, const std::vector<std::string>& postgres,
                 std::string_view component = "");
  int SchemaVersion(std::string_view component = "");

  // Runs SQL without parameters (schema, BEGIN/COMMIT); several statements are allowed.
  virtual Status Exec(const std::string& sql) = 0;
  // A prepared statement, cached by its text.
  virtual Result<SqlStatement*> Prepare(std::string_view sql) = 0;
  // Copies the whole database to a file (SQLite's online backup); PostgreSQL refuses (pg_dump).
  virtual Status Backup(const std::filesystem::path& dest) = 0;
  // Rows changed by the last INSERT/UPDATE/DELETE run on this connection.
  virtual int Changes() const = 0;
  virtual std::string Error() const = 0;

  // Inside a transaction: waits until no other transaction (of any process) holds `name`,
  // and holds it until this transaction ends. SQLite's BEGIN IMMEDIATE already makes writers
  // take turns, so there it does nothing; PostgreSQL takes a transaction advisory lock. For
  // read-then-write sequences (an audit hash chain, a claim) that must not interleave.
  virtual Status LockForWrite(std::string_view name) = 0;

 protected:
  friend class SqlTransaction;
  // The outermost transaction's begin: SQLite takes the file's writer mutex into `turn`.
  virtual Status BeginOutermost(std::unique_lock<std::mutex>& turn) = 0;
  int transaction_depth_ = 0;  // SqlTransactions open on this connection
  // SqlTransactions alive whose BEGIN failed: while there is one, every statement on this
  // connection fails (and PostgreSQL does not reconnect), so what was meant to be one
  // transaction never runs as separate autocommitted statements.
  int unbegun_transactions_ = 0;
  Status RefuseIfUnbegun() const {
    return unbegun_transactions_ > 0 ? Internal("the transaction did not begin; nothing of it is run") : Status();
  }
};

// BEGIN ... COMMIT, rolled back unless Commit() is called. One opened inside another is a
// savepoint, so a part can fail and roll back alone while the whole still commits once.
class SqlTransaction {
 public:
  explicit SqlTransaction(SqlDb& db);
  ~SqlTransaction();
  SqlTransaction(const SqlTransaction&) = delete;
  SqlTransaction& operator=(const SqlTransaction&) = delete;
  [[nodiscard]] Status Commit();
  bool begun() const { return begun_; }
  const Status& begin_status() const { return begin_status_; }

 private:
  std::string Savepoint() const;  // this nested transaction's savepoint name
  SqlDb& db_;
  std::unique_lock<std::mutex> turn_;
  int depth_ = 0;  // 0 for the outermost
  bool begun_ = false;
  bool committed_ = false;
  Status begin_status_;
};

// Opens the database a store setting names: a `postgresql://` or `postgres://` URL, or a
// "host=... dbname=..." connection string, is PostgreSQL; anything else is a SQLite file path.
Result<std::unique_ptr<SqlDb>> OpenSqlDb(const std::string& where);
// Whether a store setting names PostgreSQL (as OpenSqlDb reads it).
bool IsPostgresSetting(std::string_view where);
// A store setting fit for logs and printed configuration: a password in it is replaced.
std::string RedactedSetting(std::string_view where);

}  // namespace sendguard::common
