// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL backend of sql.h (libpq): the shared store of several gateways and cores.
// Statements are prepared once per connection and run with text parameters whose types the
// server infers; `?`/`?N` placeholders become `$N`. Every wait is bounded: connecting
// (connect_timeout) and each statement (statement_timeout). A lost connection is reopened
// at the next call and its statements prepared again.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sendguard/common/sql.h"

struct pg_conn;
struct pg_result;

namespace sendguard::common {

class PostgresStatement;

struct PostgresLimits {
  std::chrono::seconds connect_timeout{5};
  std::chrono::milliseconds statement_timeout{10000};
};

class PostgresDb : public SqlDb {
 public:
  // `conninfo`: a postgresql:// URL or "host=... dbname=..." (libpq's own forms; a password
  // is better kept in ~/.pgpass or PGPASSFILE than in the string).
  static Result<std::unique_ptr<PostgresDb>> Open(const std::string& conninfo, PostgresLimits limits = {});
  ~PostgresDb() override;
  PostgresDb(const PostgresDb&) = delete;
  PostgresDb& operator=(const PostgresDb&) = delete;

  SqlDialect dialect() const override { return SqlDialect::kPostgres; }
  std::string Describe() const override { return describe_; }
  Status Exec(const std::string& sql) override;
  Result<SqlStatement*> Prepare(std::string_view sql) override;
  Status Backup(const std::filesystem::path& dest) override;
  int Changes() const override { return changes_; }
  std::string Error() const override;
  Status LockForWrite(std::string_view name) override;

  // `?` and `?N` placeholders as `$N`, outside quoted strings and identifiers.
  static std::string NumberPlaceholders(std::string_view sql);

 protected:
  Status BeginOutermost(std::unique_lock<std::mutex>& turn) override;

 private:
  friend class PostgresStatement;
  PostgresDb(pg_conn* conn, std::string describe, PostgresLimits limits);
  // Reopens a lost connection (outside a transaction); statements are prepared again.
  Status EnsureConnected();
  Status Configure();
  Status Failed(const std::string& what, pg_result* res);

  pg_conn* conn_;
  std::string describe_;
  PostgresLimits limits_;
  uint64_t generation_ = 1;  // bumped at each reconnection: statements prepare again
  std::chrono::steady_clock::time_point last_reset_{};  // reconnections at most once a second
  bool configured_ = false;  // statement_timeout and the rest set on this connection
  uint64_t next_name_ = 0;
  int changes_ = 0;
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::unique_ptr<PostgresStatement>, TextHash, std::equal_to<>> cache_;
};

class PostgresStatement : public SqlStatement {
 public:
  PostgresStatement(PostgresDb& owner, std::string sql, std::string name);
  ~PostgresStatement() override;
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

  PostgresStatement& Reset() override;
  PostgresStatement& Bind(int index, std::string_view text) override;
  PostgresStatement& Bind(int index, int64_t value) override;
  PostgresStatement& BindNull(int index) override;
  bool Step() override;
  Status Run() override;
  const Status& status() const override { return status_; }
  int64_t Int(int column) const override;
  std::string Text(int column) const override;
  bool IsNull(int column) const override;
  int Columns() const override;

 private:
  Status Execute();  // runs the statement with its parameters; keeps the result
  void SetParam(int index, std::optional<std::string> value);
  PostgresDb& owner_;
  std::string sql_;   // with $N placeholders
  std::string name_;  // the server-side prepared statement's name
  uint64_t prepared_generation_ = 0;
  std::vector<std::optional<std::string>> params_;
  pg_result* result_ = nullptr;
  int row_ = -1;
  bool executed_ = false;
  Status status_;
};

}  // namespace sendguard::common
