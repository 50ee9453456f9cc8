// SPDX-License-Identifier: Apache-2.0
// A fresh, empty database of either backend for a test: a SQLite file in a temporary
// directory, or a new database on the tests' PostgreSQL server (started by the CTest fixture
// `postgres`, tests/support/postgres/pg_test_server.sh, whose address the build gives as
// SENDGUARD_TEST_PG). Tests written once run on both: INSTANTIATE_TEST_SUITE_P with
// ::testing::ValuesIn(sendguard::testing::kBackends).
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "sendguard/common/postgres.h"
#include "sendguard/common/sql.h"
#include "sendguard/common/sqlite.h"

namespace sendguard::testing {

inline constexpr common::SqlDialect kBackends[] = {common::SqlDialect::kSqlite, common::SqlDialect::kPostgres};

inline std::string BackendName(common::SqlDialect d) { return d == common::SqlDialect::kSqlite ? "sqlite" : "postgres"; }

// The tests' PostgreSQL server, as the build names it ("" when the build names none).
inline std::string TestPostgresServer() {
#ifdef SENDGUARD_TEST_PG
  return SENDGUARD_TEST_PG;
#else
  return "";
#endif
}

// A new empty database: for SQLite a file path under `dir`; for PostgreSQL a connection
// string to a database made for this call (named after the process and a counter).
inline std::string NewTestDatabase(common::SqlDialect d, const std::filesystem::path& dir) {
  static std::atomic<int> counter{0};
  const int n = ++counter;
  if (d == common::SqlDialect::kSqlite) {
    std::filesystem::create_directories(dir);
    return (dir / ("test-" + std::to_string(n) + ".db")).string();
  }
  const std::string server = TestPostgresServer();
  if (server.empty()) return "";
  auto admin = common::PostgresDb::Open(server + " dbname=postgres");
  if (!admin.ok()) return "";
  const std::string name = "sg_" + std::to_string(::getpid()) + "_" + std::to_string(n) + "_" +
                           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
  (*admin)->Exec("DROP DATABASE IF EXISTS " + name);
  if (!(*admin)->Exec("CREATE DATABASE " + name).ok()) return "";
  return server + " dbname=" + name;
}

}  // namespace sendguard::testing

namespace sendguard::common {
// How gtest prints a backend parameter in test names and failures.
inline void PrintTo(SqlDialect d, std::ostream* os) { *os << testing::BackendName(d); }
}  // namespace sendguard::common
