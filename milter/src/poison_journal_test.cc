// SPDX-License-Identifier: Apache-2.0
// The poison journal on its own: a finished scan leaves nothing, a scan left in flight is a
// crash at the next open, counts add up over reopens and clear when a scan finishes, the file
// stays bounded, a torn last line is ignored; and the digest survives what a retry changes.
#include "sendguard/milter/poison_journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sendguard::milter {
namespace {

class PoisonJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sendguard-poison-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<PoisonJournal> Open(std::vector<PoisonJournal::Suspect>* found = nullptr,
                                      PoisonJournal::Options o = {}, std::time_t now = std::time(nullptr)) {
    auto j = PoisonJournal::Open(path(), o, now, found);
    EXPECT_TRUE(j.ok()) << j.status().message();
    return j.ok() ? std::move(j).value() : nullptr;
  }
  std::string path() const { return (dir_ / "poison.journal").string(); }
  // A digest as PoisonDigest makes them (64 hex characters), one for each letter.
  static std::string D(char c) { return common::Sha256Hex(std::string(1, c)); }

  std::filesystem::path dir_;
};

TEST_F(PoisonJournalTest, AFinishedScanLeavesNoSuspect) {
  {
    auto j = Open();
    ASSERT_TRUE(j->Begin(D('a')).ok());
    ASSERT_TRUE(j->End(D('a')).ok());
    EXPECT_EQ(j->Crashes(D('a')), 0);
  }
  std::vector<PoisonJournal::Suspect> found;
  auto j = Open(&found);
  EXPECT_TRUE(found.empty());
  EXPECT_EQ(j->Suspects(), 0u);
  EXPECT_EQ(std::filesystem::status(path()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(PoisonJournalTest, AScanLeftInFlightIsACrashAtTheNextOpenAndCountsAddUp) {
  for (int crash = 1; crash <= 3; ++crash) {
    std::vector<PoisonJournal::Suspect> found;
    auto j = Open(&found);
    if (crash > 1) {
      ASSERT_EQ(found.size(), 1u);
      EXPECT_EQ(found[0].digest, D('p'));
      EXPECT_EQ(found[0].crashes, crash - 1);
    }
    EXPECT_EQ(j->Crashes(D('p')), crash - 1);
    EXPECT_EQ(j->Crashes(D('q')), 0) << "a message that finished is no suspect";
    ASSERT_TRUE(j->Begin(D('q')).ok());
    ASSERT_TRUE(j->End(D('q')).ok());
    ASSERT_TRUE(j->Begin(D('p')).ok());  // and the process "dies" here: the journal is dropped as it is
  }
  auto j = Open();
  EXPECT_EQ(j->Crashes(D('p')), 3);
  EXPECT_EQ(j->Suspects(), 1u);
}

TEST_F(PoisonJournalTest, TwoCopiesInFlightAtOneCrashCountOnce) {
  {
    auto j = Open();
    ASSERT_TRUE(j->Begin(D('c')).ok());
    ASSERT_TRUE(j->Begin(D('c')).ok());
    ASSERT_TRUE(j->Begin(D('d')).ok());
  }
  std::vector<PoisonJournal::Suspect> found;
  auto j = Open(&found);
  EXPECT_EQ(found.size(), 2u);
  EXPECT_EQ(j->Crashes(D('c')), 1);
  EXPECT_EQ(j->Crashes(D('d')), 1);
}

TEST_F(PoisonJournalTest, ASuspectWhoseScanFinishesIsCleared) {
  {
    auto j = Open();
    ASSERT_TRUE(j->Begin(D('s')).ok());
  }
  {
    auto j = Open();
    ASSERT_EQ(j->Crashes(D('s')), 1);
    ASSERT_TRUE(j->Begin(D('s')).ok());
    ASSERT_TRUE(j->End(D('s')).ok());
    EXPECT_EQ(j->Crashes(D('s')), 0);
  }
  auto j = Open();
  EXPECT_EQ(j->Crashes(D('s')), 0) << "cleared on disk too";
}

TEST_F(PoisonJournalTest, TheFileStaysBoundedAndCountsSurviveCompaction) {
  PoisonJournal::Options o;
  o.compact_bytes = 4096;
  o.max_suspects = 8;
  {
    auto j = Open(nullptr, o);
    ASSERT_TRUE(j->Begin(D('z')).ok());
  }
  auto j = Open(nullptr, o);
  ASSERT_EQ(j->Crashes(D('z')), 1);
  ASSERT_TRUE(j->Begin(D('k')).ok());  // in flight across every compaction below
  for (int i = 0; i < 600; ++i) {  // about 20 rewrites
    const std::string d = D(static_cast<char>('a' + i % 20));
    if (d == D('k') || d == D('z')) continue;
    ASSERT_TRUE(j->Begin(d).ok());
    ASSERT_TRUE(j->End(d).ok());
    ASSERT_LT(j->FileBytes(), 4096 + 400);
  }
  EXPECT_LT(std::filesystem::file_size(path()), 4096u + 400u);
  EXPECT_EQ(j->Crashes(D('z')), 1);
  j.reset();
  j = Open(nullptr, o);
  EXPECT_EQ(j->Crashes(D('z')), 1);
  EXPECT_EQ(j->Crashes(D('k')), 1) << "a scan in flight is kept by every rewrite";
}

TEST_F(PoisonJournalTest, CrashCountsAreBoundedAndForgottenInTime) {
  PoisonJournal::Options o;
  o.max_suspects = 3;
  o.forget_seconds = 100;
  {
    auto j = Open(nullptr, o, 1000);
    for (char c : {'a', 'b'}) ASSERT_TRUE(j->Begin(D(c)).ok());
  }
  {
    auto j = Open(nullptr, o, 1050);
    for (char c : {'c', 'd', 'e'}) ASSERT_TRUE(j->Begin(D(c)).ok());
  }
  {
    auto j = Open(nullptr, o, 1060);
    EXPECT_EQ(j->Suspects(), 3u) << "the oldest crash counts go first";
    EXPECT_EQ(j->Crashes(D('a')), 0);
    EXPECT_EQ(j->Crashes(D('e')), 1);
  }
  auto j = Open(nullptr, o, 1200);
  EXPECT_EQ(j->Suspects(), 0u) << "forgotten after forget_seconds";
}

TEST_F(PoisonJournalTest, ATornLastLineIsIgnored) {
  {
    auto j = Open();
    ASSERT_TRUE(j->Begin(D('t')).ok());
  }
  std::ofstream(path(), std::ios::app) << "B 12";  // a power loss mid-write
  std::vector<PoisonJournal::Suspect> found;
  auto j = Open(&found);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].digest, D('t'));
  EXPECT_FALSE(j->Begin("not a digest\nE x").ok());
  EXPECT_FALSE(j->Begin(std::string(64, 'z')).ok());
}

TEST(PoisonDigestTest, ARetryHasTheSameDigestAndOtherContentAnother) {
  common::KeyedHasher hasher("test-secret");
  auto digest = [&](const std::string& received, const std::string& message_id, const std::string& subject,
                    const std::string& body) {
    PoisonDigest d;
    d.AddHeader("Received", received);
    d.AddHeader("From", "a@example.org");
    d.AddHeader("Subject", subject);
    d.AddHeader("Message-ID", message_id);
    d.AddHeader("Date", received);
    d.AddBody(body);
    return d.Finish(hasher);
  };
  const std::string first = digest("by gw (Postfix) id 4AAA; 10:00", "<1@x>", "s", "body");
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(first, digest("by gw (Postfix) id 4BBB; 10:05", "<2@x>", "s", "body")) << "Received, Date, Message-ID left out";
  EXPECT_NE(first, digest("by gw (Postfix) id 4AAA; 10:00", "<1@x>", "s2", "body"));
  EXPECT_NE(first, digest("by gw (Postfix) id 4AAA; 10:00", "<1@x>", "s", "body2"));
  EXPECT_NE(first, digest("x", "<1@x>", "sb", "ody")) << "fields are length-prefixed";
  EXPECT_NE(first, [&] {
    common::KeyedHasher other("another-secret");
    PoisonDigest d;
    d.AddHeader("From", "a@example.org");
    d.AddHeader("Subject", "s");
    d.AddBody("body");
    return d.Finish(other);
  }()) << "keyed";
}

}  // namespace
}  // namespace sendguard::milter
