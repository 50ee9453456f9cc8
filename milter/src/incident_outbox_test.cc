// SPDX-License-Identifier: Apache-2.0
// The incident outbox: idempotent queueing, delivery bookkeeping, and warnings that wait for
// their outcome (taken on confirmation, filed as cancelled when they expire).
#include "sendguard/milter/incident_outbox.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "sendguard/milter/state_db.h"
#include "sendguard/testing/test_database.h"

namespace sendguard::milter {
namespace {

class OutboxTest : public ::testing::TestWithParam<common::SqlDialect> {
 protected:
  OutboxTest() : db_(std::move(*OpenStateDb(sendguard::testing::NewTestDatabase(GetParam(), dir_)))), outbox_(*db_) {}
  ~OutboxTest() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() / ("sendguard-outbox-" + std::to_string(::getpid()));
  std::unique_ptr<common::SqlDb> db_;
  IncidentOutbox outbox_;
};

TEST_P(OutboxTest, QueueingIsIdempotentAndDeliveryIsRecorded) {
  ASSERT_TRUE(outbox_.Enqueue("d1", R"({"mf_action":"BLOCKED"})", 100).ok());
  ASSERT_TRUE(outbox_.Enqueue("d1", R"({"mf_action":"BLOCKED"})", 101).ok());
  ASSERT_TRUE(outbox_.Enqueue("d2", R"({"mf_action":"AUDIT_ONLY"})", 100).ok());
  EXPECT_EQ(*outbox_.Pending(), 2);
  auto due = outbox_.Due(100, 10);
  ASSERT_EQ(due->size(), 2u);
  ASSERT_TRUE(outbox_.Delivered("d1", 102).ok());
  ASSERT_TRUE(outbox_.RetryLater("d2", 1, 110, "connection refused").ok());
  EXPECT_TRUE(outbox_.Due(105, 10)->empty());
  ASSERT_EQ(outbox_.Due(110, 10)->size(), 1u);
  EXPECT_EQ((*outbox_.Due(110, 10))[0].attempts, 1);
  ASSERT_TRUE(outbox_.Refused("d2", "HTTP 400").ok());
  EXPECT_EQ(*outbox_.Pending(), 0);
}

TEST_P(OutboxTest, ConfirmedWarningsAreTakenAndExpiredOnesFiledAsCancelled) {
  ASSERT_TRUE(outbox_.HoldWarning("k1", "w1", R"({"mf_action":"WARNED_USER_CANCELLED","mf_event_id":"w1"})", 1000).ok());
  ASSERT_TRUE(outbox_.HoldWarning("k2", "w2", R"({"mf_action":"WARNED_USER_CANCELLED","mf_event_id":"w2"})", 1000).ok());
  // The sender re-sends with the code: the warning is taken (to be filed as overridden).
  auto taken = outbox_.TakeWarning("k1");
  ASSERT_TRUE(taken.ok() && *taken);
  EXPECT_EQ((*taken)->first, "w1");
  EXPECT_FALSE(*outbox_.TakeWarning("k1"));
  // The other is never confirmed.
  EXPECT_EQ(*outbox_.ExpireWarnings(999), 0);
  EXPECT_EQ(*outbox_.ExpireWarnings(1000), 1);
  auto due = outbox_.Due(1000, 10);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].draft_id, "w2");
  EXPECT_NE((*due)[0].payload.find("\"WARNED_USER_CANCELLED\""), std::string::npos);
  EXPECT_FALSE(*outbox_.TakeWarning("k2"));
}

TEST_P(OutboxTest, ARepeatedWarningKeepsOneEntryAndTheLaterExpiry) {
  ASSERT_TRUE(outbox_.HoldWarning("k", "first", "{}", 1000).ok());
  ASSERT_TRUE(outbox_.HoldWarning("k", "second", "{}", 2000).ok());
  EXPECT_EQ(*outbox_.ExpireWarnings(1500), 0);
  EXPECT_EQ(*outbox_.ExpireWarnings(2000), 1);
  EXPECT_EQ((*outbox_.Due(2000, 10))[0].draft_id, "first");
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxTest, ::testing::ValuesIn(sendguard::testing::kBackends),
                         [](const auto& p) { return sendguard::testing::BackendName(p.param); });

}  // namespace
}  // namespace sendguard::milter
