// SPDX-License-Identifier: Apache-2.0
// Confirmation codes: bound to sender, recipients and content; expire; cannot be forged;
// pass once through the ledger; the subject tag is found and removed.
#include "sendguard/milter/confirm_code.h"

#include <gtest/gtest.h>

#include "milter_fixtures.h"

namespace sendguard::milter {
namespace {

class ConfirmCodeTest : public fixtures::StateBackendTest {
 protected:
  ConfirmSubject Subject() const {
    return {"S@bury.gov.uk", {"j.smith@gmial.com", "b@example.org"}, std::string(64, 'a')};
  }
  const std::time_t now_ = 1'795'000'000;  // a Sunday in November 2026
};

TEST_P(ConfirmCodeTest, IssuedCodeVerifiesForTheSameMessage) {
  ConfirmCodes codes(hasher_);
  std::string code = codes.Issue(Subject(), now_);
  ASSERT_EQ(code.size(), 17u);
  EXPECT_EQ(code[5], '-');
  EXPECT_EQ(code.find_first_of("ILOU"), std::string::npos);
  EXPECT_EQ(codes.Verify(code, Subject(), now_), ConfirmCheck::kValid);
  // Recipient order, case and angle brackets do not matter.
  ConfirmSubject same{"s@bury.gov.uk", {"<B@example.org>", "j.smith@gmial.com"}, std::string(64, 'a')};
  EXPECT_EQ(codes.Verify(code, same, now_ + 1800), ConfirmCheck::kValid);
  // Lower case and without dashes, as people retype it.
  std::string typed;
  for (char c : code) {
    if (c != '-') typed.push_back(static_cast<char>(std::tolower(c)));
  }
  EXPECT_EQ(codes.Verify(typed, Subject(), now_), ConfirmCheck::kValid);
}

TEST_P(ConfirmCodeTest, CannotBeReplayedForAnotherMessageRecipientsOrSender) {
  ConfirmCodes codes(hasher_);
  std::string code = codes.Issue(Subject(), now_);
  ConfirmSubject other = Subject();
  other.content_digest = std::string(64, 'b');
  EXPECT_EQ(codes.Verify(code, other, now_), ConfirmCheck::kMismatch);
  other = Subject();
  other.recipients.push_back("extra@example.org");
  EXPECT_EQ(codes.Verify(code, other, now_), ConfirmCheck::kMismatch);
  other = Subject();
  other.recipients.pop_back();
  EXPECT_EQ(codes.Verify(code, other, now_), ConfirmCheck::kMismatch);
  other = Subject();
  other.sender = "colleague@bury.gov.uk";
  EXPECT_EQ(codes.Verify(code, other, now_), ConfirmCheck::kMismatch);
  // Another deployment's secret issues different codes.
  common::KeyedHasher elsewhere("another-secret");
  EXPECT_EQ(ConfirmCodes(elsewhere).Verify(code, Subject(), now_), ConfirmCheck::kMismatch);
}

TEST_P(ConfirmCodeTest, ExpiresAfterItsLifetime) {
  ConfirmCodes codes(hasher_, 3600);
  std::string code = codes.Issue(Subject(), now_);
  EXPECT_EQ(codes.Verify(code, Subject(), now_ + 3599), ConfirmCheck::kValid);
  EXPECT_EQ(codes.Verify(code, Subject(), now_ + 3600 + 61), ConfirmCheck::kExpired);
  EXPECT_EQ(codes.Verify(code, Subject(), now_ + 86400 * 30), ConfirmCheck::kExpired);
  EXPECT_GE(codes.ExpiryOf(code, now_), now_ + 3600);
  EXPECT_LE(codes.ExpiryOf(code, now_), now_ + 3660);
}

TEST_P(ConfirmCodeTest, ForgedCodesAreRefused) {
  ConfirmCodes codes(hasher_);
  std::string code = codes.Issue(Subject(), now_);
  // Every single-symbol change is refused.
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '-') continue;
    std::string forged = code;
    forged[i] = forged[i] == 'Z' ? 'Y' : 'Z';
    ConfirmCheck c = codes.Verify(forged, Subject(), now_);
    EXPECT_NE(c, ConfirmCheck::kValid) << forged;
  }
  EXPECT_NE(codes.Verify("00000-00000-00000", Subject(), now_), ConfirmCheck::kValid);
  EXPECT_EQ(codes.Verify("ZZZZZ-ZZZZZ-ZZZZZ", Subject(), now_), ConfirmCheck::kMalformed);
  EXPECT_EQ(codes.Verify("hello", Subject(), now_), ConfirmCheck::kMalformed);
  EXPECT_EQ(codes.Verify("", Subject(), now_), ConfirmCheck::kMalformed);
  EXPECT_EQ(codes.Verify("UUUUU-UUUUU-UUUUU", Subject(), now_), ConfirmCheck::kMalformed);
}

TEST_P(ConfirmCodeTest, LedgerLetsACodePassOnce) {
  ConfirmCodes codes(hasher_);
  ConfirmLedger ledger(*db_, hasher_);
  std::string code = codes.Issue(Subject(), now_);
  auto first = ledger.Use(code, codes.ExpiryOf(code, now_), now_);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(*first);
  auto second = ledger.Use(code, codes.ExpiryOf(code, now_), now_ + 10);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(*second);
  db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  EXPECT_EQ(AllBytes().find(code), std::string::npos) << "the ledger keeps only a keyed hash";
}

TEST_P(ConfirmCodeTest, SubjectTagIsFoundAndRemoved) {
  std::string stripped;
  auto code = ExtractConfirmTag("Referrals for Monday [Confirm 7k2qm x4d9a pw3hc] ", &stripped);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, "7K2QM-X4D9A-PW3HC");
  EXPECT_EQ(stripped, "Referrals for Monday");
  code = ExtractConfirmTag("[confirm 7K2QM-X4D9A-PW3HC] Re: list", &stripped);
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(stripped, "Re: list");
  EXPECT_FALSE(ExtractConfirmTag("Please [confirm] the meeting", &stripped).has_value());
  EXPECT_FALSE(ExtractConfirmTag("no tag here", &stripped).has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, ConfirmCodeTest, ::testing::ValuesIn(sendguard::testing::kBackends),
                         [](const auto& p) { return sendguard::testing::BackendName(p.param); });

}  // namespace
}  // namespace sendguard::milter
