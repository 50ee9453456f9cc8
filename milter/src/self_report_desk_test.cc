// SPDX-License-Identifier: Apache-2.0
// The self-report desk: links go only to the organisation's own addresses, and at most
// kLinksPerHour an hour to one address, with the same answer whatever happened.
#include "sendguard/milter/self_report_desk.h"

#include <gtest/gtest.h>

#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

class SelfReportDeskTest : public ::testing::Test {
 protected:
  SelfReportDeskTest()
      : db_(std::move(*OpenStateDb(":memory:"))),
        hasher_(std::string(32, 'k')),
        key_("self-report-test-secret", "milter state"),
        desk_(*db_, hasher_, key_) {
    config_.organisation.directory.internal = {"council.example.gov.uk"};
    config_.notify_from = "sendguard@council.example.gov.uk";
    config_.core_url = "http://127.0.0.1:8025";
  }
  int64_t Count(const std::string& table) {
    auto q = db_->Prepare("SELECT count(*) FROM " + table);
    (*q)->Reset().Step();
    const int64_t n = (*q)->Int(0);
    (*q)->Reset();
    return n;
  }
  std::unique_ptr<common::SqlDb> db_;
  common::KeyedHasher hasher_;
  common::SealKey key_;
  SelfReportDesk desk_;
  Config config_;
};

TEST_F(SelfReportDeskTest, LinksGoOnlyToOwnAddressesAndAtMostThreeAnHour) {
  const std::time_t now = 1'800'000'000;
  auto outside = desk_.RequestLink("someone@example.org", config_, now);
  EXPECT_EQ(outside.http_status, 202);
  EXPECT_EQ(Count("mail_outbox"), 0) << "no mail to an outside address";
  for (int i = 0; i < SelfReportDesk::kLinksPerHour + 2; ++i) {
    auto r = desk_.RequestLink("S.Okafor@council.example.gov.uk", config_, now + i * 60);
    EXPECT_EQ(r.http_status, 202) << "the same answer every time";
    EXPECT_EQ(r.body, outside.body);
  }
  EXPECT_EQ(Count("mail_outbox"), SelfReportDesk::kLinksPerHour);
  EXPECT_EQ(Count("self_report_links"), SelfReportDesk::kLinksPerHour);
  // Another address is not affected, and an hour later the first may ask again.
  EXPECT_EQ(desk_.RequestLink("j.bloggs@council.example.gov.uk", config_, now + 300).http_status, 202);
  EXPECT_EQ(Count("mail_outbox"), SelfReportDesk::kLinksPerHour + 1);
  EXPECT_EQ(desk_.RequestLink("s.okafor@council.example.gov.uk", config_, now + 3600 + 1).http_status, 202);
  EXPECT_EQ(Count("mail_outbox"), SelfReportDesk::kLinksPerHour + 2);
  EXPECT_EQ(desk_.RequestLink("not an address", config_, now).http_status, 422);
}

}  // namespace
}  // namespace sendguard::milter
