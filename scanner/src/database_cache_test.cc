// SPDX-License-Identifier: Apache-2.0
// The compiled-rules cache: a second load of the same rules comes from it and finds the same;
// a changed rule set gets its own entry; a corrupted, truncated, renamed, loosely owned or
// linked entry is refused and the rules compiled as if there were none; it never grows past
// its bound and is never made where its parent is missing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "database_cache.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/scanner.h"
#include "test_support.h"

namespace sendguard::scanner {
namespace {

namespace fs = std::filesystem;
using testing::CountAtLeast;
using testing::TempDir;

class DatabaseCacheTest : public ::testing::Test {
 protected:
  // A small rule set of its own (the shipped one takes seconds to compile under ASan);
  // `digits` changes its one pattern, so each value is another rule set.
  std::shared_ptr<const CompiledRules> Compile(int digits = 6, const fs::path* cache_dir = nullptr) {
    TempDir rules;
    rules.Write("types/housing_ref.yaml",
                "id: org.housing_ref\nname: housing reference\ncategory: BASIC_IDENTIFIERS\n"
                "patterns:\n  - regex: 'HSG-\\d{" + std::to_string(digits) + "}'\n    distinctive: true\n"
                "validator: none\ncontext:\n  keywords: [tenancy]\nmust_match: ['HSG-" +
                std::string(static_cast<size_t>(digits), '1') + "']\n");
    auto rs = rules::LoadRuleSet({rules.path()});
    EXPECT_TRUE(rs.ok()) << rs.status().message();
    if (!rs.ok()) return nullptr;
    auto compiled = CompileRules(std::move(rs).value(), {}, {.cache_dir = cache_dir ? *cache_dir : cache_});
    EXPECT_TRUE(compiled.ok()) << compiled.status().message();
    return compiled.ok() ? *compiled : nullptr;
  }

  // Both housing references in the sample, found through whichever database `rules` holds.
  static uint64_t Found(const std::shared_ptr<const CompiledRules>& rules) {
    common::KeyedHasher hasher("k");
    Scanner scanner(rules, hasher);
    return CountAtLeast(scanner.ScanText("tenancy file HSG-123456 and HSG-654321"), "org.housing_ref",
                        Confidence::kHigh);
  }

  std::vector<fs::path> Entries() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(cache_, ec)) out.push_back(e.path());
    return out;
  }

  static void Overwrite(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
  }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  TempDir dir_;
  fs::path cache_ = dir_.path() / "rules-cache";
};

TEST_F(DatabaseCacheTest, TheSecondLoadComesFromTheCacheAndFindsTheSame) {
  auto first = Compile();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->database_origin().rfind("compiled; kept in the cache", 0), 0u) << first->database_origin();
  ASSERT_EQ(Entries().size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(cache_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(Entries()[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto second = Compile();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->database_origin(), "from the cache");
  EXPECT_EQ(Found(first), 2u);
  EXPECT_EQ(Found(second), 2u);
  EXPECT_EQ(Entries().size(), 1u);
}

TEST_F(DatabaseCacheTest, AChangedRuleSetGetsItsOwnEntryAndFindsByItsOwnPattern) {
  ASSERT_TRUE(Compile(6));
  auto seven = Compile(7);
  ASSERT_TRUE(seven);
  EXPECT_NE(seven->database_origin(), "from the cache");
  EXPECT_EQ(Entries().size(), 2u);
  EXPECT_EQ(Found(seven), 0u);  // seven digits: neither six-digit reference is one
  EXPECT_EQ(Compile(6)->database_origin(), "from the cache");
  EXPECT_EQ(Compile(7)->database_origin(), "from the cache");
}

TEST_F(DatabaseCacheTest, ADamagedOrRenamedEntryIsRefusedRecompiledAndReplaced) {
  ASSERT_TRUE(Compile(6));
  const fs::path six = Entries().at(0);
  const fs::path other = dir_.path() / "other-cache";  // another rule set's entry, kept apart
  ASSERT_TRUE(Compile(7, &other));
  const std::string seven = Read(fs::directory_iterator(other)->path());
  const std::string good = Read(six);

  struct Damage {
    const char* what;
    std::string bytes;
  };
  std::string flipped = good;
  flipped[flipped.size() - 100] ^= 0x40;
  const std::vector<Damage> damages = {
      {"corrupted (its digest does not match)", flipped},
      {"truncated or has bytes added", good.substr(0, good.size() - 1)},
      {"truncated or has bytes added", good + "x"},
      {"is not an entry of this cache", "not a cache entry at all\n"},
      {"is not an entry of this cache", ""},
      {"holds another rule set's database", seven},  // a valid entry under the wrong name
  };
  for (const auto& d : damages) {
    Overwrite(six, d.bytes);
    auto rules = Compile(6);
    ASSERT_TRUE(rules);
    EXPECT_NE(rules->database_origin().find(d.what), std::string::npos) << d.what << ": " << rules->database_origin();
    EXPECT_EQ(rules->database_origin().rfind("compiled; kept in the cache", 0), 0u) << rules->database_origin();
    EXPECT_EQ(Found(rules), 2u) << d.what;
    EXPECT_EQ(Read(six), good) << d.what << ": the entry is written again";
    EXPECT_EQ(Compile(6)->database_origin(), "from the cache") << d.what;
  }
}

TEST_F(DatabaseCacheTest, WhatOthersCouldWriteIsNotTrustedAndALinkIsNotFollowed) {
  ASSERT_TRUE(Compile());
  const fs::path entry = Entries().at(0);

  ASSERT_EQ(::chmod(entry.c_str(), 0666), 0);
  auto loose_entry = Compile();
  EXPECT_NE(loose_entry->database_origin().find("writable by nobody else"), std::string::npos)
      << loose_entry->database_origin();
  struct stat st {};
  ASSERT_EQ(::stat(entry.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "replaced by a private entry";
  EXPECT_EQ(Compile()->database_origin(), "from the cache");

  // A link to an entry elsewhere (in a directory that is itself private) is never followed.
  const fs::path elsewhere = dir_.path() / "elsewhere.db";
  fs::rename(entry, elsewhere);
  fs::create_symlink(elsewhere, entry);
  auto linked = Compile();
  EXPECT_NE(linked->database_origin().find("cannot open"), std::string::npos) << linked->database_origin();
  EXPECT_FALSE(fs::is_symlink(fs::symlink_status(entry))) << "the link is replaced by an entry";
  EXPECT_EQ(Compile()->database_origin(), "from the cache");

  // A directory others can write: neither read nor written.
  ASSERT_EQ(::chmod(cache_.c_str(), 0777), 0);
  const std::string before = Read(entry);
  auto loose_dir = Compile(8);
  EXPECT_NE(loose_dir->database_origin().find("compiled (cache: "), std::string::npos) << loose_dir->database_origin();
  EXPECT_NE(Compile(6)->database_origin(), "from the cache");
  EXPECT_EQ(Entries().size(), 1u) << "nothing is written there";
  EXPECT_EQ(Found(loose_dir), 0u);
  EXPECT_EQ(Read(entry), before);
}

TEST_F(DatabaseCacheTest, NoCacheIsMadeWhereItsParentIsMissingOrWhenItIsOff) {
  const fs::path nowhere = dir_.path() / "missing" / "rules-cache";
  auto rules = Compile(6, &nowhere);
  ASSERT_TRUE(rules);
  EXPECT_NE(rules->database_origin().find("compiled (cache: cannot make"), std::string::npos)
      << rules->database_origin();
  EXPECT_FALSE(fs::exists(dir_.path() / "missing"));
  EXPECT_EQ(Found(rules), 2u);

  const fs::path off;
  auto uncached = Compile(6, &off);
  EXPECT_EQ(uncached->database_origin(), "compiled");
  EXPECT_EQ(Found(uncached), 2u);
}

TEST_F(DatabaseCacheTest, ItKeepsTheMostRecentlyUsedEntriesUpToItsBound) {
  for (int digits = 2; digits < 2 + static_cast<int>(DatabaseCache::kMaxEntries) + 3; ++digits) ASSERT_TRUE(Compile(digits));
  EXPECT_EQ(Entries().size(), DatabaseCache::kMaxEntries);
  EXPECT_EQ(Compile(2 + static_cast<int>(DatabaseCache::kMaxEntries) + 2)->database_origin(), "from the cache");
  EXPECT_NE(Compile(2)->database_origin(), "from the cache") << "the oldest went first";
}

TEST(DatabaseCacheKeyTest, TheKeyTellsApartEverythingTheDatabaseDependsOn) {
  const std::string k = DatabaseCache::Key({"ab", "c"}, {0, 0}, HS_MODE_STREAM);
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(k, DatabaseCache::Key({"ab", "c"}, {0, 0}, HS_MODE_STREAM));
  EXPECT_NE(k, DatabaseCache::Key({"a", "bc"}, {0, 0}, HS_MODE_STREAM));
  EXPECT_NE(k, DatabaseCache::Key({"c", "ab"}, {0, 0}, HS_MODE_STREAM));
  EXPECT_NE(k, DatabaseCache::Key({"ab", "c"}, {HS_FLAG_CASELESS, 0}, HS_MODE_STREAM));
  EXPECT_NE(k, DatabaseCache::Key({"ab", "c"}, {0, 0}, HS_MODE_BLOCK));
  EXPECT_NE(k, DatabaseCache::Key({"ab"}, {0}, HS_MODE_STREAM));
}

}  // namespace
}  // namespace sendguard::scanner
