// SPDX-License-Identifier: Apache-2.0
// The database interface on both backends (SQLite files, and the tests' PostgreSQL server):
// migrations, bound values, savepoints, advisory locks; and what only PostgreSQL has to
// show: placeholders numbered, bounded waits, a lost connection reopened.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "sendguard/common/postgres.h"
#include "sendguard/common/sql.h"
#include "sendguard/testing/test_database.h"

namespace sendguard::common {
namespace {

namespace fs = std::filesystem;

class SqlBackendTest : public ::testing::TestWithParam<SqlDialect> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sendguard-sql-" + std::to_string(::getpid()));
    where_ = testing::NewTestDatabase(GetParam(), dir_);
    ASSERT_FALSE(where_.empty()) << "no test database for " << testing::BackendName(GetParam())
                                 << " (is the CTest fixture `postgres` running?)";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<SqlDb> Open() {
    auto db = OpenSqlDb(where_);
    EXPECT_TRUE(db.ok()) << db.status().message();
    return db.ok() ? std::move(*db) : nullptr;
  }
  static int64_t Rows(SqlDb& db) {
    auto q = db.Prepare("SELECT count(*) FROM t");
    if (!q.ok() || !(*q)->Step()) return -1;
    int64_t n = (*q)->Int(0);
    (*q)->Reset();
    return n;
  }
  fs::path dir_;
  std::string where_;
};

TEST_P(SqlBackendTest, MigratesOnceAndBindsValuesNeverSplicesThem) {
  const std::vector<std::string> v1 = {"CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT NOT NULL)"};
  {
    auto db = Open();
    ASSERT_TRUE(db);
    EXPECT_EQ(db->dialect(), GetParam());
    ASSERT_TRUE(db->Migrate(v1, v1).ok());
    EXPECT_EQ(db->SchemaVersion(), 1);
    auto ins = db->Prepare("INSERT INTO t (k, n) VALUES (?, ?)");
    ASSERT_TRUE(ins.ok());
    ASSERT_TRUE((*ins)->Bind(1, "x'); DROP TABLE t; --").Bind(2, int64_t{7}).Run().ok());
    EXPECT_EQ(db->Changes(), 1);
    EXPECT_FALSE((*ins)->Bind(1, "x'); DROP TABLE t; --").Bind(2, int64_t{8}).Run().ok()) << "primary key holds";
  }
  auto db = Open();
  ASSERT_TRUE(db);
  const std::vector<std::string> v2 = {v1[0], "ALTER TABLE t ADD COLUMN m BIGINT"};
  ASSERT_TRUE(db->Migrate(v2, v2).ok());
  EXPECT_EQ(db->SchemaVersion(), 2);
  auto sel = db->Prepare("SELECT k, n, m FROM t WHERE n = ?1 OR n = ?1 + 100");
  ASSERT_TRUE(sel.ok());
  (*sel)->Bind(1, int64_t{7});
  ASSERT_TRUE((*sel)->Step()) << (*sel)->status().message();
  EXPECT_EQ((*sel)->Text(0), "x'); DROP TABLE t; --");
  EXPECT_EQ((*sel)->Int(1), 7);
  EXPECT_TRUE((*sel)->IsNull(2));
  EXPECT_FALSE((*sel)->Step());
  // The upsert every store uses, with CASE for "the later of two".
  auto up = db->Prepare(
      "INSERT INTO t (k, n) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE SET "
      "n = CASE WHEN t.n > ?2 THEN t.n ELSE ?2 END");
  ASSERT_TRUE(up.ok());
  ASSERT_TRUE((*up)->Bind(1, "x'); DROP TABLE t; --").Bind(2, int64_t{3}).Run().ok());
  ASSERT_TRUE((*up)->Bind(1, "x'); DROP TABLE t; --").Bind(2, int64_t{9}).Run().ok());
  auto n = db->Prepare("SELECT n FROM t WHERE k = ?");
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE((*n)->Bind(1, "x'); DROP TABLE t; --").Step());
  EXPECT_EQ((*n)->Int(0), 9);
  (*n)->Reset();
  Status older = db->Migrate(v1, v1);
  EXPECT_FALSE(older.ok());
  EXPECT_NE(older.message().find("newer than this program"), std::string::npos);
}

TEST_P(SqlBackendTest, NestedTransactionsAreSavepointsThatFailAlone) {
  auto db = Open();
  ASSERT_TRUE(db);
  SqlDb& d = *db;
  ASSERT_TRUE(d.Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  {
    SqlTransaction outer(d);
    ASSERT_TRUE(d.Exec("INSERT INTO t VALUES ('a')").ok());
    {
      SqlTransaction inner(d);  // abandoned: only its own row goes
      ASSERT_TRUE(d.Exec("INSERT INTO t VALUES ('b')").ok());
    }
    {
      SqlTransaction inner(d);
      ASSERT_TRUE(d.Exec("INSERT INTO t VALUES ('c')").ok());
      ASSERT_TRUE(inner.Commit().ok());
    }
    {
      SqlTransaction inner(d);  // a failed statement: only this savepoint is lost (PostgreSQL
      EXPECT_FALSE(d.Exec("INSERT INTO t VALUES ('a')").ok());  // aborts up to it, not the whole)
    }
    EXPECT_EQ(Rows(d), 2);
    ASSERT_TRUE(outer.Commit().ok());
  }
  EXPECT_EQ(Rows(d), 2);
  {
    SqlTransaction outer(d);  // abandoned: its committed savepoint goes with it
    {
      SqlTransaction inner(d);
      ASSERT_TRUE(d.Exec("INSERT INTO t VALUES ('d')").ok());
      ASSERT_TRUE(inner.Commit().ok());
    }
  }
  EXPECT_EQ(Rows(d), 2);
  SqlTransaction again(d);  // the connection is usable afterwards
  ASSERT_TRUE(d.Exec("INSERT INTO t VALUES ('e')").ok());
  EXPECT_TRUE(again.Commit().ok());
  EXPECT_EQ(Rows(d), 3);
}

// Read, add one, write back, from two connections at once: without LockForWrite PostgreSQL's
// READ COMMITTED would lose updates; with it every increment lands.
TEST_P(SqlBackendTest, LockForWriteMakesReadThenWriteTakeTurnsAcrossConnections) {
  {
    auto db = Open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->Exec("CREATE TABLE c (k TEXT PRIMARY KEY, n BIGINT NOT NULL); INSERT INTO c VALUES ('x', 0)").ok());
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      auto db = OpenSqlDb(where_);
      if (!db.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < 100; ++i) {
        SqlTransaction tx(**db);
        if (!(*db)->LockForWrite("counter").ok()) ++failures;
        auto get = (*db)->Prepare("SELECT n FROM c WHERE k = 'x'");
        if (!get.ok() || !(*get)->Step()) {
          ++failures;
          continue;
        }
        const int64_t n = (*get)->Int(0);
        (*get)->Reset();
        std::this_thread::yield();
        auto put = (*db)->Prepare("UPDATE c SET n = ? WHERE k = 'x'");
        if (!put.ok() || !(*put)->Bind(1, n + 1).Run().ok() || !tx.Commit().ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto db = Open();
  ASSERT_TRUE(db);
  auto get = db->Prepare("SELECT n FROM c");
  ASSERT_TRUE(get.ok() && (*get)->Step());
  EXPECT_EQ((*get)->Int(0), 200);
  (*get)->Reset();
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlBackendTest, ::testing::ValuesIn(testing::kBackends),
                         [](const auto& p) { return testing::BackendName(p.param); });

// Store settings are logged and printed: a password in one never is, in any of libpq's forms.
TEST(SqlSettingTest, PasswordsAreRedactedInEveryFormLibpqTakes) {
  EXPECT_EQ(RedactedSetting("postgresql://sendguard:s3cret@pg.example/sendguard?sslmode=verify-full"),
            "postgresql://sendguard:***@pg.example/sendguard?sslmode=verify-full");
  EXPECT_EQ(RedactedSetting("postgresql://pg.example/sendguard?sslmode=require&password=s3cret&connect_timeout=5"),
            "postgresql://pg.example/sendguard?sslmode=require&password=***&connect_timeout=5");
  EXPECT_EQ(RedactedSetting("host=pg dbname=sendguard password=s3cret user=sg"), "host=pg dbname=sendguard password=*** user=sg");
  EXPECT_EQ(RedactedSetting("host=pg password = s3cret user=sg"), "host=pg password = *** user=sg");
  EXPECT_EQ(RedactedSetting("host=pg password='two words \\' here' user=sg"), "host=pg password=*** user=sg");
  EXPECT_EQ(RedactedSetting("host=pg passwordfile=/x user=sg"), "host=pg passwordfile=/x user=sg") << "not a password";
  EXPECT_EQ(RedactedSetting("/var/lib/sendguard/incidents.db"), "/var/lib/sendguard/incidents.db");
  for (const char* where : {"postgresql://u:s3cret@h/d", "host=h password=s3cret", "host=h password = 's3 cret'"}) {
    EXPECT_EQ(RedactedSetting(where).find("s3"), std::string::npos) << where;
  }
}

TEST(PostgresTest, NumbersPlaceholdersOutsideQuotes) {
  EXPECT_EQ(PostgresDb::NumberPlaceholders("SELECT ? , ?, '?' FROM t WHERE a = ?"), "SELECT $1 , $2, '?' FROM t WHERE a = $3");
  EXPECT_EQ(PostgresDb::NumberPlaceholders("VALUES (?1, ?2, ?2, \"q?\")"), "VALUES ($1, $2, $2, \"q?\")");
}

TEST(PostgresTest, AServerThatIsNotThereFailsWithinTheConnectTimeout) {
  const auto start = std::chrono::steady_clock::now();
  // A closed port on loopback: refused at once. 192.0.2.1 (TEST-NET) would be the timeout's case.
  auto db = PostgresDb::Open("host=127.0.0.1 port=1 dbname=x", {std::chrono::seconds(2), std::chrono::milliseconds(500)});
  EXPECT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIoError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(PostgresTest, AStatementIsCutAtTheStatementTimeout) {
  const std::string where = testing::NewTestDatabase(SqlDialect::kPostgres, "");
  ASSERT_FALSE(where.empty());
  auto db = PostgresDb::Open(where, {std::chrono::seconds(2), std::chrono::milliseconds(300)});
  ASSERT_TRUE(db.ok()) << db.status().message();
  const auto start = std::chrono::steady_clock::now();
  auto q = (*db)->Prepare("SELECT pg_sleep(5)");
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE((*q)->Step());
  EXPECT_FALSE((*q)->status().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // And the connection still serves.
  auto one = (*db)->Prepare("SELECT 1");
  ASSERT_TRUE(one.ok() && (*one)->Step());
  EXPECT_EQ((*one)->Int(0), 1);
  (*one)->Reset();
}

TEST(PostgresTest, ALostConnectionIsReopenedAndItsStatementsPreparedAgain) {
  const std::string where = testing::NewTestDatabase(SqlDialect::kPostgres, "");
  ASSERT_FALSE(where.empty());
  auto db = PostgresDb::Open(where);
  auto killer = PostgresDb::Open(where);
  ASSERT_TRUE(db.ok() && killer.ok());
  auto pid = (*db)->Prepare("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok() && (*pid)->Step());
  const int64_t backend = (*pid)->Int(0);
  (*pid)->Reset();
  auto kill = (*killer)->Prepare("SELECT pg_terminate_backend(CAST(? AS INTEGER))");
  ASSERT_TRUE(kill.ok());
  ASSERT_TRUE((*kill)->Bind(1, backend).Step());
  (*kill)->Reset();
  // The first call after the loss fails as an I/O error (the caller may answer from a local
  // copy); the next reconnects and prepares its statement again.
  auto again = (*db)->Prepare("SELECT pg_backend_pid()");
  ASSERT_TRUE(again.ok());
  bool got = (*again)->Step();
  if (!got) {
    EXPECT_EQ((*again)->status().code(), StatusCode::kIoError) << (*again)->status().message();
    got = (*again)->Step();
  }
  ASSERT_TRUE(got) << (*again)->status().message();
  EXPECT_NE((*again)->Int(0), backend);
  (*again)->Reset();
}

}  // namespace
}  // namespace sendguard::common
