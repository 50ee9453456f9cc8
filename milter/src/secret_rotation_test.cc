// SPDX-License-Identifier: Apache-2.0
// Rotating the deployment secret (common/key_ring.h) on both backends: what the gateway
// recorded, issued or signed under the old key still matches and verifies while the old key
// is in the ring (recipient history, confirmation codes and their ledger, hold links and
// release headers, scan records), new records are made under the new key, and once the old
// key is retired its records no longer match.
#include <gtest/gtest.h>

#include "milter_fixtures.h"
#include "sendguard/common/key_ring.h"
#include "sendguard/milter/confirm_code.h"
#include "sendguard/milter/held_messages.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/scan_records.h"

namespace sendguard::milter {
namespace {

const std::string kOldKey(32, 'o');
const std::string kNewKey(32, 'n');

std::string Ring(const std::vector<std::string>& keys) { return common::FormatKeyRing(common::KeyRing{keys}); }

class SecretRotationTest : public fixtures::StateBackendTest {
 protected:
  common::KeyedHasher before_{kOldKey};
  common::KeyedHasher during_{Ring({kNewKey, kOldKey})};
  common::KeyedHasher after_{Ring({kNewKey})};
};

TEST_P(SecretRotationTest, RecipientHistoryRecordedUnderTheOldKeyStillCounts) {
  ASSERT_TRUE(RecipientHistory(*db_, before_)
                  .Record("s.okafor@bury.gov.uk", {{"Anita Patel", "a.patel@example.org"}, {"", "gp@nhs.net"}}, 1000)
                  .ok());
  RecipientHistory h(*db_, during_);
  EXPECT_TRUE(h.KnowsSender("s.okafor@bury.gov.uk"));
  EXPECT_TRUE(h.HasSentTo("s.okafor@bury.gov.uk", "a.patel@example.org"));
  EXPECT_TRUE(h.SeenTogether("s.okafor@bury.gov.uk", "gp@nhs.net", "a.patel@example.org"));
  EXPECT_TRUE(h.KnowsCorrespondentName("s.okafor@bury.gov.uk", "patel"));
  EXPECT_FALSE(h.HasSentTo("s.okafor@bury.gov.uk", "someone.else@example.org"));
  // New sends are recorded under the new key, and both count.
  ASSERT_TRUE(h.Record("s.okafor@bury.gov.uk", {{"", "a.patel@example.org"}}, 2000).ok());
  auto use = h.Use("s.okafor@bury.gov.uk");
  ASSERT_TRUE(use.ok());
  // Rows under each key are counted: an upper bound while two keys are in the ring (the same
  // correspondent recorded under both counts twice; the hashes cannot be matched to merge them).
  EXPECT_EQ(use->sent_to, 3);
  // Retired: only what the new key recorded is known.
  RecipientHistory retired(*db_, after_);
  EXPECT_TRUE(retired.HasSentTo("s.okafor@bury.gov.uk", "a.patel@example.org"));
  EXPECT_FALSE(retired.HasSentTo("s.okafor@bury.gov.uk", "gp@nhs.net"));
}

TEST_P(SecretRotationTest, ACodeIssuedBeforeTheRotationVerifiesAndPassesOnce) {
  const ConfirmSubject subject{"s.okafor@bury.gov.uk", {"a.patel@example.org"}, "digest-1"};
  const std::time_t now = 1'800'000'000;
  const std::string old_code = ConfirmCodes(before_).Issue(subject, now);
  EXPECT_EQ(ConfirmCodes(during_).Verify(old_code, subject, now + 60), ConfirmCheck::kValid);
  EXPECT_EQ(ConfirmCodes(after_).Verify(old_code, subject, now + 60), ConfirmCheck::kMismatch);
  // Used under the old key (another gateway, before it restarted): refused as used under the ring.
  ConfirmCodes codes(during_);
  ASSERT_TRUE(*ConfirmLedger(*db_, before_).Use(old_code, codes.ExpiryOf(old_code, now), now));
  auto again = ConfirmLedger(*db_, during_).Use(old_code, codes.ExpiryOf(old_code, now), now + 60);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_TRUE(*ConfirmLedger(*db_, during_).WasUsed(old_code));
  // Where the warning waits: under each key, the signing key's first.
  const auto keys = codes.SubjectKeys(subject);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], ConfirmCodes(after_).SubjectKey(subject));
  EXPECT_EQ(keys[1], ConfirmCodes(before_).SubjectKey(subject));
}

TEST_P(SecretRotationTest, HoldLinksAndReleaseHeadersSignedBeforeTheRotationStillVerify) {
  const std::string id(32, 'a');
  const std::string token = HoldLinkToken(before_, id);
  EXPECT_TRUE(HoldLinkTokenValid(during_, id, token));
  EXPECT_FALSE(HoldLinkTokenValid(after_, id, token));
  EXPECT_TRUE(HoldLinkTokenValid(during_, id, HoldLinkToken(during_, id)));
  const std::string header = ReleaseHeader(before_, id);
  EXPECT_EQ(ReleaseHeaderId(during_, header), id);
  EXPECT_FALSE(ReleaseHeaderId(after_, header));
  EXPECT_FALSE(ReleaseHeaderId(during_, ReleaseHeader(before_, std::string(32, 'b')).replace(0, 32, id)));
}

TEST_P(SecretRotationTest, ScanRecordsMadeUnderTheOldKeyAreFoundForSelfReportsRecallsAndSubjectAccess) {
  ScanRecords old_records(*db_, before_);
  ScanRecord r = fixtures::ASend(old_records, "<abc@bury.gov.uk>", "s.okafor@bury.gov.uk", "a.patel@example.org", "Care plan");
  r.at = 5000;
  ASSERT_TRUE(old_records.Add(r).ok());
  ScanRecords records(*db_, during_);
  ASSERT_TRUE(records.FindByMessageId("abc@bury.gov.uk"));
  EXPECT_EQ(records.FindByMessageId("abc@bury.gov.uk")->queue_id, "4F3A2123");
  EXPECT_EQ(records.FromSender(records.SenderHashes("s.okafor@bury.gov.uk"), 0, 10).size(), 1u);
  EXPECT_EQ(records.NamingAddress("a.patel@example.org", 10).size(), 1u);
  EXPECT_TRUE(records.FindRecallTarget("s.okafor@bury.gov.uk", "Care plan", 0));
  // A new record under the new key: both listed, newest first.
  r.at = 6000;
  r.queue_id = "5B4C3234";
  r.sender_hash = records.SenderHash("s.okafor@bury.gov.uk");
  ASSERT_TRUE(records.Add(r).ok());
  auto both = records.FromSender(records.SenderHashes("s.okafor@bury.gov.uk"), 0, 10);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].queue_id, "5B4C3234");
  EXPECT_EQ(records.FromSender(records.SenderHashes("s.okafor@bury.gov.uk"), 0, 1).size(), 1u);
  ScanRecords retired(*db_, after_);
  EXPECT_FALSE(retired.FindByMessageId("abc@bury.gov.uk"));
  EXPECT_EQ(retired.FromSender(retired.SenderHashes("s.okafor@bury.gov.uk"), 0, 10).size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SecretRotationTest, ::testing::ValuesIn(sendguard::testing::kBackends),
                         [](const auto& p) { return sendguard::testing::BackendName(p.param); });

}  // namespace
}  // namespace sendguard::milter
