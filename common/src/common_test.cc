// SPDX-License-Identifier: Apache-2.0
// Tests for the common module: keyed hashes (RFC 4231 vector), text helpers.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sendguard/common/digest.h"
#include "sendguard/common/key_ring.h"
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

// A ring of `signing` then `verifying`, as `sendguard secret` writes it.
std::string Ring(const std::string& signing, const std::vector<std::string>& verifying = {}) {
  KeyRing ring{{signing}};
  for (const auto& k : verifying) ring.keys.push_back(k);
  return FormatKeyRing(ring);
}

const std::string kOld(32, 'o');
const std::string kNew(32, 'n');

TEST(KeyRingTest, RawBytesAreOneKeyAndARingParsesWithItsRoles) {
  auto raw = ParseKeyRing(kOld);
  ASSERT_TRUE(raw.ok());
  ASSERT_EQ(raw->keys.size(), 1u);
  EXPECT_EQ(raw->keys[0], kOld);
  const std::string text = Ring(kNew, {kOld});
  EXPECT_TRUE(LooksLikeKeyRing(text));
  EXPECT_EQ(text.find(kNew), std::string::npos);  // written as hex
  auto ring = ParseKeyRing(text);
  ASSERT_TRUE(ring.ok()) << ring.status().message();
  ASSERT_EQ(ring->keys.size(), 2u);
  EXPECT_EQ(ring->keys[0], kNew);
  EXPECT_EQ(ring->keys[1], kOld);
  EXPECT_EQ(ring->SigningId(), KeyRing::IdOf(kNew));
  EXPECT_EQ(KeyRing::IdOf(kNew).size(), 8u);
  EXPECT_NE(KeyRing::IdOf(kNew), KeyRing::IdOf(kOld));
  EXPECT_EQ(ring->Find(KeyRing::IdOf(kOld)), 1);
  EXPECT_EQ(ring->Find("00000000"), -1);
}

TEST(KeyRingTest, ADamagedRingIsRefusedWithFileAndLine) {
  const std::string hex = HexEncode(kNew);
  struct Case {
    std::string text, where;
  } cases[] = {
      {"sendguard-keyring 1\nsign " + hex + "\nsign " + hex + "\n", "s:3: a second 'sign' key"},
      {"sendguard-keyring 1\nverify " + hex + "\n", "s: no 'sign' key"},
      {"sendguard-keyring 1\nsign zz\n", "s:2: a key is at least 16 bytes"},
      {"sendguard-keyring 1\nsign abcd\n", "s:2: a key is at least 16 bytes"},
      {"# made by hand\nsendguard-keyring 1\n\nsigning " + hex + "\n", "s:4: expected 'sign HEX' or 'verify HEX'"},
      {"sendguard-keyring 1\nsign " + hex + "\nverify " + HexEncode(kOld) + "\nverify " + HexEncode(kOld) + "\n",
       "listed twice"},
  };
  for (const auto& c : cases) {
    auto ring = ParseKeyRing(c.text, "s");
    ASSERT_FALSE(ring.ok()) << c.text;
    EXPECT_NE(ring.status().message().find(c.where), std::string::npos) << ring.status().message();
  }
  // A ring written a little differently is still a ring: never one raw key made of its text.
  const std::string good = "sendguard-keyring 1\nsign " + hex + "\n";
  for (const std::string& variant : {"\xEF\xBB\xBF" + good, "sendguard-keyring   1   # written by hand\nsign " + hex + "\n",
                                     "sendguard-keyring 1\r\nsign " + hex + "\r\n"}) {
    auto ring = ParseKeyRing(variant, "s");
    ASSERT_TRUE(ring.ok()) << ring.status().message();
    EXPECT_EQ(ring->keys, std::vector<std::string>{kNew});
  }
  for (const std::string& damaged : {"sendguard-keyring 2\nsign " + hex + "\n", "sendguard-keyring\nsign " + hex + "\n"}) {
    EXPECT_TRUE(LooksLikeKeyRing(damaged));
    auto ring = ParseKeyRing(damaged, "s");
    ASSERT_FALSE(ring.ok()) << damaged;
    EXPECT_NE(ring.status().message().find("s:1: expected 'sendguard-keyring 1'"), std::string::npos) << ring.status().message();
  }
  // ReadSecretFile refuses a damaged ring, so no service starts on one.
  const std::string path = ::testing::TempDir() + "/damaged-ring";
  { std::ofstream(path) << cases[0].text; }
  auto read = ReadSecretFile(path);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find(path + ":3:"), std::string::npos);
  EXPECT_TRUE(SecretFileIsDamagedRing(path));
  { std::ofstream(path) << good; }
  EXPECT_FALSE(SecretFileIsDamagedRing(path));
  { std::ofstream(path, std::ios::trunc); }
  EXPECT_FALSE(SecretFileIsDamagedRing(path)) << "an empty file is a missing secret, not a damaged ring";
}

TEST(KeyRingTest, AHasherSignsUnderTheSigningKeyAndMatchesUnderEveryKey) {
  KeyedHasher before(kOld);
  KeyedHasher during(Ring(kNew, {kOld}));
  KeyedHasher after(Ring(kNew));
  // The signing key alone makes new hashes; a plain secret and a one-key ring of it agree.
  EXPECT_EQ(during.Hex("x"), after.Hex("x"));
  EXPECT_EQ(KeyedHasher(Ring(kOld)).Hex("x"), before.Hex("x"));
  EXPECT_EQ(during.key_id(), KeyRing::IdOf(kNew));
  EXPECT_EQ(before.key_id(), KeyRing::IdOf(kOld));
  ASSERT_EQ(during.key_count(), 2u);
  EXPECT_EQ(during.HexEachKey("x"), (std::vector<std::string>{after.Hex("x"), before.Hex("x")}));
  EXPECT_EQ(during.HexUnder(1, "x"), before.Hex("x"));
  // What the old key signed still verifies while it is in the ring, and no longer once retired.
  const std::string old_token = before.Hex("link|1").substr(0, 32);
  EXPECT_TRUE(during.Verifies("link|1", old_token, 32));
  EXPECT_FALSE(after.Verifies("link|1", old_token, 32));
  EXPECT_FALSE(during.Verifies("link|2", old_token, 32));
  EXPECT_FALSE(during.Verifies("link|1", old_token.substr(0, 31), 32));
  EXPECT_FALSE(during.Verifies("link|1", "", 0));
  EXPECT_TRUE(during.Verifies("link|1", during.Hex("link|1")));
}

// "SG1" | nonce | ciphertext | tag, as seals were made before they named their key.
std::string SealV1(const std::string& secret, const std::string& purpose, const std::string& plain,
                   const std::string& context) {
  unsigned char key[32];
  unsigned int len = sizeof key;
  const std::string label = "sendguard seal v1 " + purpose;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(label.data()),
       label.size(), key, &len);
  std::string out = "SG1" + std::string(12, '\x07');
  out.resize(out.size() + plain.size() + 16);
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + 3);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int n = 0;
  EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, key, nonce);
  EVP_EncryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(context.data()), static_cast<int>(context.size()));
  EVP_EncryptUpdate(ctx, nonce + 12, &n, reinterpret_cast<const unsigned char*>(plain.data()), static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(ctx, nonce + 12 + n, &n);
  EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, nonce + 12 + plain.size());
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

TEST(KeyRingTest, SealsNameTheirKeyAndOpenAfterARotationUntilTheKeyIsRetired) {
  SealKey before(kOld, "held");
  SealKey during(Ring(kNew, {kOld}), "held");
  SealKey after(Ring(kNew), "held");
  auto old_seal = before.Seal("the held message", "id-1");
  ASSERT_TRUE(old_seal.ok());
  EXPECT_EQ(old_seal->substr(0, 3), "SG2");
  EXPECT_EQ(HexEncode(old_seal->substr(3, 4)), KeyRing::IdOf(kOld));
  EXPECT_EQ(*during.Open(*old_seal, "id-1"), "the held message");
  auto refused = after.Open(*old_seal, "id-1");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find(KeyRing::IdOf(kOld)), std::string::npos) << refused.status().message();
  auto new_seal = during.Seal("x", "id-2");
  EXPECT_EQ(HexEncode(new_seal->substr(3, 4)), KeyRing::IdOf(kNew));
  EXPECT_TRUE(after.Open(*new_seal, "id-2").ok());
  EXPECT_FALSE(before.Open(*new_seal, "id-2").ok());
  // Relabelled with another key's id, or an id no key has, the seal does not open.
  std::string relabelled = *new_seal;
  relabelled.replace(3, 4, old_seal->substr(3, 4));
  EXPECT_FALSE(during.Open(relabelled, "id-2").ok());
  relabelled.replace(3, 4, std::string(4, '\0'));
  auto unknown = during.Open(relabelled, "id-2");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("00000000, which is not in the secret's key ring"), std::string::npos)
      << unknown.status().message();
  // A seal made before seals named their key opens under any key of the ring.
  const std::string v1 = SealV1(kOld, "held", "older message", "id-3");
  EXPECT_EQ(*before.Open(v1, "id-3"), "older message");
  EXPECT_EQ(*during.Open(v1, "id-3"), "older message");
  EXPECT_FALSE(after.Open(v1, "id-3").ok());
  EXPECT_FALSE(during.Open(v1, "id-4").ok());
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
