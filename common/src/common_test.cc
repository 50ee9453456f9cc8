// SPDX-License-Identifier: Apache-2.0
// Tests for the common module: keyed hashes (RFC 4231 vector), text helpers.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>
#include <unistd.h>

#include "sendguard/common/digest.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/sqlite.h"
#include "sendguard/common/status.h"
#include "sendguard/common/text.h"

namespace sendguard::common {
namespace {

TEST(KeyedHasherTest, MatchesRfc4231TestCase2) {
  KeyedHasher hasher("Jefe");
  EXPECT_EQ(hasher.Hex("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(KeyedHasherTest, MatchesRfc4231TestCase6LongKey) {
  // A 131-byte key is hashed first (longer than the SHA-256 block).
  KeyedHasher hasher(std::string(131, '\xaa'));
  EXPECT_EQ(hasher.Hex("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(KeyedHasherTest, RepeatedCallsAgree) {
  KeyedHasher hasher("k");
  EXPECT_EQ(hasher.Hex("abc"), hasher.Hex("abc"));
  EXPECT_NE(hasher.Hex("abc"), hasher.Hex("abd"));
  EXPECT_EQ(hasher.Hex("").size(), 64u);
}

TEST(KeyedHasherTest, DifferentSecretsGiveDifferentHashes) {
  EXPECT_NE(KeyedHasher("a").Hex("9434765919"), KeyedHasher("b").Hex("9434765919"));
}

TEST(SealTest, OpensWhatItSealedAndRefusesTamperingOtherKeysAndOtherContexts) {
  SealKey key("secret one", "held");
  const char kPlain[] = "From: a@b\r\n\r\nbinary \0\xff bytes";
  std::string plain(kPlain, sizeof kPlain - 1);  // with its NUL and 0xff inside
  auto sealed = key.Seal(plain, "id-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("binary"), std::string::npos);
  auto opened = key.Open(*sealed, "id-1");
  ASSERT_TRUE(opened.ok()) << opened.status().message();
  EXPECT_EQ(*opened, plain);
  EXPECT_NE(*key.Seal(plain, "id-1"), *sealed);  // a fresh nonce each time
  EXPECT_FALSE(key.Open(*sealed, "id-2").ok());
  EXPECT_FALSE(SealKey("secret two", "held").Open(*sealed, "id-1").ok());
  EXPECT_FALSE(SealKey("secret one", "notice").Open(*sealed, "id-1").ok());
  std::string flipped = *sealed;
  flipped[flipped.size() / 2] ^= 1;
  EXPECT_FALSE(key.Open(flipped, "id-1").ok());
  EXPECT_FALSE(key.Open(sealed->substr(0, 20), "id-1").ok());
  EXPECT_TRUE(key.Open(*key.Seal("", "x"), "x").ok());
}

TEST(DigestTest, Sha256KnownAnswersAndStreaming) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.Update("a");
  h.Update("bc");
  EXPECT_EQ(h.HexDigest(), Sha256Hex("abc"));
}

// The number of rows in t.
int64_t Rows(SqliteDb& db) {
  auto q = db.Prepare("SELECT count(*) FROM t");
  if (!q.ok() || !(*q)->Step()) return -1;
  int64_t n = (*q)->Int(0);
  (*q)->Reset();
  return n;
}

TEST(SqliteTest, ThreadsWithTheirOwnConnectionsTakeTurnsWithoutSqliteBusyWaits) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sendguard-sqlite-turns-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    auto setup = SqliteDb::Open(dir / "s.db");
    ASSERT_TRUE(setup.ok());
    ASSERT_TRUE((*setup)->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
  }
  // Four threads, each with its own connection (as the milter's workers and its outbox
  // thread), write 200 times three rows. Every one commits; no row is lost. The path is given
  // two ways: the writer mutex is per file, not per spelling.
  std::atomic<int> failures{0};
  std::atomic<int64_t> busy_waits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      fs::path path = t % 2 ? dir / "s.db" : dir / "." / "s.db";
      auto db = SqliteDb::Open(path);
      if (!db.ok()) {
        ++failures;
        return;
      }
      // A new connection's first look at the WAL can meet a commit in progress and wait
      // once in SQLite (that is between readers and writers, not the writers' turns).
      const int64_t waits_at_open = (*db)->BusyWaits();
      for (int i = 0; i < 200; ++i) {
        // Threads 0 and 1 write in transactions, 2 and 3 one statement at a time.
        std::optional<SqlTransaction> tx;
        if (t < 2) tx.emplace(**db);
        for (int r = 0; r < 3; ++r) {
          auto ins = (*db)->Prepare("INSERT INTO t VALUES (?)");
          const std::string k = std::to_string(t) + "-" + std::to_string(i) + "-" + std::to_string(r);
          if (!ins.ok() || !(*ins)->Bind(1, k).Run().ok()) ++failures;
        }
        if (tx && !tx->Commit().ok()) ++failures;
      }
      busy_waits += (*db)->BusyWaits() - waits_at_open;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(busy_waits.load(), 0) << "the writers met in SQLite's busy handler, not at the mutex";
  auto check = SqliteDb::Open(dir / "s.db");
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(Rows(**check), 4 * 200 * 3);
  fs::remove_all(dir);
}

TEST(TextTest, RepairUtf8ReplacesIllFormedBytesAndNul) {
  EXPECT_EQ(RepairUtf8("ok"), "ok");
  EXPECT_EQ(RepairUtf8(std::string("a\0b", 3)), "a b");
  EXPECT_EQ(RepairUtf8("a\xff" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(RepairUtf8("\xC3\xA9"), "\xC3\xA9");
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9"));
}

TEST(TextTest, AppendUtf8WritesOnlyWellFormedText) {
  std::string out;
  for (char32_t cp : {U'A', U'\u00e9', U'\u20ac', U'\U0001F600'}) AppendUtf8(out, cp);
  EXPECT_EQ(out, "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  for (char32_t bad : {char32_t{0}, char32_t{0xD800}, char32_t{0xDFFF}, char32_t{0x110000}, char32_t{0xFFFFFFFF}}) {
    std::string one;
    AppendUtf8(one, bad);
    EXPECT_EQ(one, "\xEF\xBF\xBD");
  }
  EXPECT_TRUE(IsValidUtf8(out));
}

TEST(TextTest, TrimAndCase) {
  EXPECT_EQ(Trim("  x y \n"), "x y");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(AsciiLower("NHS No"), "nhs no");
  EXPECT_EQ(AsciiUpper("ab12"), "AB12");
  EXPECT_EQ(Split("a,,b", ',').size(), 3u);
}

TEST(StatusTest, ResultCarriesValueOrStatus) {
  Result<int> good(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  Result<int> bad(InvalidArgument("nope"));
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().ToString(), "invalid argument: nope");
}

}  // namespace
}  // namespace sendguard::common

namespace sendguard::common {
namespace {

TEST(Utf8Prefix, NeverCutsACharacterInTwo) {
  EXPECT_EQ(Utf8Prefix("abc", 10), "abc");
  EXPECT_EQ(Utf8Prefix("ab\xc3\xa9", 3), "ab");       // é would be cut: left out
  EXPECT_EQ(Utf8Prefix("ab\xc3\xa9", 4), "ab\xc3\xa9");
  EXPECT_EQ(Utf8Prefix("\xe2\x82\xac\xe2\x82\xac", 5), "\xe2\x82\xac");  // two euro signs, 5 bytes: one
  EXPECT_TRUE(IsValidUtf8(Utf8Prefix(std::string(199, 'a') + "\xc3\xa9", 200)));
}

TEST(FillPlaceholders, EveryOccurrenceAndNoRescan) {
  EXPECT_EQ(FillPlaceholders("{a} and {a} {b}", {{"a", "{b}"}, {"b", "x"}}), "{b} and {b} x");
}

}  // namespace
}  // namespace sendguard::common
