// SPDX-License-Identifier: Apache-2.0
// Held messages: sealed at rest, states that move once (held -> releasing -> released, held ->
// cancelled, held -> expired), copies deleted on every outcome, links and release headers that
// only this deployment's secret can make; the milter's own mail queue is sealed too.
#include "sendguard/milter/held_messages.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "milter_fixtures.h"
#include "sendguard/milter/mail_outbox.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/testing/test_database.h"

namespace sendguard::milter {
namespace {

class HeldMessagesTest : public ::testing::TestWithParam<common::SqlDialect> {
 protected:
  HeldMessagesTest()
      : dir_(std::filesystem::temp_directory_path() / ("sendguard-held-" + std::to_string(::getpid()))),
        db_(std::move(*OpenStateDb(sendguard::testing::NewTestDatabase(GetParam(), dir_ / "db")))),
        key_("held-test-secret", "milter state"),
        held_(*db_, dir_, &key_) {
    std::filesystem::remove_all(dir_);
  }
  ~HeldMessagesTest() override { std::filesystem::remove_all(dir_); }
  static HeldMessage Make(const std::string& id, std::time_t expires) { return fixtures::AHeld(id, expires); }
  std::string FileText(const std::string& id) {
    std::ifstream in(dir_ / id, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  std::filesystem::path dir_;
  std::unique_ptr<common::SqlDb> db_;
  common::SealKey key_;
  HeldMessages held_;
};

TEST_P(HeldMessagesTest, TheCopyIsSealedAtRestAndReadBackWhole) {
  const std::string id = NewHoldId();
  ASSERT_EQ(id.size(), 32u);
  ASSERT_TRUE(held_.Hold(Make(id, 5000)).ok());
  const std::string at_rest = FileText(id);
  EXPECT_FALSE(at_rest.empty());
  EXPECT_EQ(at_rest.find("943 476 5919"), std::string::npos);
  EXPECT_EQ(at_rest.find("example.org"), std::string::npos);
  auto loaded = held_.Load(id);
  ASSERT_TRUE(loaded.ok() && *loaded);
  EXPECT_EQ((*loaded)->raw, Make(id, 5000).raw);
  EXPECT_EQ((*loaded)->flagged, std::vector<std::string>{"j.smith@example.org"});
  EXPECT_EQ((*loaded)->state, "held");
  // The sealed file moved to another id does not open.
  const std::string other = NewHoldId();
  ASSERT_TRUE(held_.Hold(Make(other, 5000)).ok());
  std::filesystem::copy_file(dir_ / id, dir_ / other, std::filesystem::copy_options::overwrite_existing);
  EXPECT_FALSE(held_.Load(other).ok());
}

TEST_P(HeldMessagesTest, AReleaseHappensOnceAndDeletesTheCopy) {
  const std::string id = NewHoldId();
  ASSERT_TRUE(held_.Hold(Make(id, 5000)).ok());
  EXPECT_FALSE(*held_.MarkReleased(id, 1100)) << "not being released";
  EXPECT_TRUE(*held_.BeginRelease(id, "partially_released", 1100));
  EXPECT_FALSE(*held_.BeginRelease(id, "released", 1100)) << "one release at a time";
  EXPECT_FALSE(*held_.Cancel(id, 1100)) << "too late to cancel";
  EXPECT_TRUE(*held_.MarkReleased(id, 1101));
  EXPECT_FALSE(*held_.MarkReleased(id, 1102)) << "the release header works once";
  EXPECT_EQ(*held_.EndRelease(id, true, 1102), "partially_released");
  EXPECT_FALSE(std::filesystem::exists(dir_ / id));
}

TEST_P(HeldMessagesTest, ARefusedReleaseIsHeldAgainAndAnExpiredOneCannotStart) {
  const std::string id = NewHoldId();
  ASSERT_TRUE(held_.Hold(Make(id, 5000)).ok());
  ASSERT_TRUE(*held_.BeginRelease(id, "released", 1100));
  EXPECT_EQ(*held_.EndRelease(id, false, 1101), "held");
  EXPECT_TRUE(std::filesystem::exists(dir_ / id));
  EXPECT_FALSE(*held_.BeginRelease(id, "released", 5000)) << "expired";
  auto expired = held_.Expire(5000);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, std::vector<std::string>{id});
  EXPECT_FALSE(std::filesystem::exists(dir_ / id));
  EXPECT_EQ(held_.State(id)->first, "expired");
  EXPECT_TRUE(held_.Expire(6000)->empty());
}

TEST_P(HeldMessagesTest, CancelDeletesAndIsFinal) {
  const std::string id = NewHoldId();
  ASSERT_TRUE(held_.Hold(Make(id, 5000)).ok());
  EXPECT_TRUE(*held_.Cancel(id, 1200));
  EXPECT_FALSE(std::filesystem::exists(dir_ / id));
  EXPECT_FALSE(*held_.Cancel(id, 1201));
  EXPECT_FALSE(*held_.BeginRelease(id, "released", 1201));
  EXPECT_EQ(held_.State(id)->first, "cancelled");
}

TEST(HoldTokensTest, LinksAndReleaseHeadersNeedTheSecret) {
  common::KeyedHasher mine("secret-a"), theirs("secret-b");
  const std::string id = NewHoldId();
  const std::string token = HoldLinkToken(mine, id);
  EXPECT_TRUE(HoldLinkTokenValid(mine, id, token));
  EXPECT_FALSE(HoldLinkTokenValid(theirs, id, token));
  EXPECT_FALSE(HoldLinkTokenValid(mine, NewHoldId(), token));
  EXPECT_FALSE(HoldLinkTokenValid(mine, id, token.substr(0, 31) + (token[31] == '0' ? "1" : "0")));
  const std::string header = ReleaseHeader(mine, id);
  EXPECT_EQ(ReleaseHeaderId(mine, header), id);
  EXPECT_EQ(ReleaseHeaderId(mine, " " + header + "\r\n"), id);
  EXPECT_FALSE(ReleaseHeaderId(theirs, header));
  EXPECT_FALSE(ReleaseHeaderId(mine, id + "; sig=" + std::string(64, 'f')));
  EXPECT_FALSE(ReleaseHeaderId(mine, id));
}

class MailOutboxTest : public ::testing::TestWithParam<common::SqlDialect> {};

TEST_P(MailOutboxTest, QueuedMailIsSealedSentOnceAndItsContentDropped) {
  const auto dir = std::filesystem::temp_directory_path() / ("sendguard-mail-" + std::to_string(::getpid()));
  auto db = std::move(*OpenStateDb(sendguard::testing::NewTestDatabase(GetParam(), dir)));
  common::SealKey key("mail-test-secret", "milter state");
  MailOutbox mail(*db, key);
  ASSERT_TRUE(mail.Enqueue("n1", "sendguard@council.example.gov.uk", {"s.okafor@council.example.gov.uk"},
                           "Subject: held\r\n\r\nto j.smith@example.org\r\n", 100)
                  .ok());
  auto q = db->Prepare("SELECT sealed FROM mail_outbox");
  ASSERT_TRUE(q.ok() && (*q)->Step());
  EXPECT_EQ((*q)->Text(0).find("6a2e736d697468"), std::string::npos) << "not hex of clear text";
  (*q)->Reset();
  auto due = mail.Due(100, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].send.recipients, std::vector<std::string>{"s.okafor@council.example.gov.uk"});
  EXPECT_NE((*due)[0].send.message.find("j.smith@example.org"), std::string::npos);
  ASSERT_TRUE(mail.RetryLater("n1", 1, 200, "connection refused").ok());
  EXPECT_TRUE(mail.Due(150, 10)->empty());
  ASSERT_TRUE(mail.Sent("n1", 201).ok());
  EXPECT_TRUE(mail.Due(300, 10)->empty());
  // Sealed under another secret: never sent.
  const common::SealKey other_key("other", "milter state");  // MailOutbox keeps a reference: named, not a temporary
  MailOutbox stranger(*db, other_key);
  ASSERT_TRUE(mail.Enqueue("n2", "a@b", {"c@d"}, "x", 300).ok());
  EXPECT_TRUE(stranger.Due(300, 10)->empty());
  ASSERT_TRUE(mail.Prune(1000).ok());
  db.reset();
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, HeldMessagesTest, ::testing::ValuesIn(sendguard::testing::kBackends),
                         [](const auto& p) { return sendguard::testing::BackendName(p.param); });

INSTANTIATE_TEST_SUITE_P(Backends, MailOutboxTest, ::testing::ValuesIn(sendguard::testing::kBackends),
                         [](const auto& p) { return sendguard::testing::BackendName(p.param); });

}  // namespace
}  // namespace sendguard::milter
