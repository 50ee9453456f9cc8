// SPDX-License-Identifier: Apache-2.0
// Each misdirection signal: when it fires, with which evidence, and when it must not.
#include "sendguard/rules/signals.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "rules_fixtures.h"

namespace sendguard::rules {
namespace {

using fixtures::Council;
using fixtures::Identifier;
using fixtures::MemoryHistory;
using fixtures::Message;

std::vector<std::string> Types(const std::vector<Signal>& signals, const std::string& recipient = "*") {
  std::vector<std::string> out;
  for (const auto& s : signals) {
    if (recipient == "*" || s.recipient == recipient) out.push_back(s.type);
  }
  return out;
}

bool Has(const std::vector<Signal>& signals, const std::string& type, const std::string& recipient = "*") {
  auto t = Types(signals, recipient);
  return std::find(t.begin(), t.end(), type) != t.end();
}

TEST(SignalsTest, LookalikeTableOnRecipients) {
  const Organisation org = Council();
  MemoryHistory history;
  history.Sent("a@bury.gov.uk", {"someone@stockport.gov.uk"});
  struct Row {
    const char* recipient;
    const char* resembles;  // nullptr: must not fire
  };
  const Row rows[] = {
      {"x@burry.gov.uk", "bury.gov.uk"},       {"x@bury-gov.uk", "bury.gov.uk"},
      {"x@nhs.com", "nhs.net"},                {"x@gmial.com", "gmail.com"},
      {"x@stockpart.gov.uk", "stockport.gov.uk"},  // a previously used domain
      {"x@gmp-police.uk", "gmp.police.uk"},    {"x@bury.gov.uk", nullptr},
      {"x@mail.bury.gov.uk", nullptr},         {"x@nhs.net", nullptr},
      {"x@gmail.com", nullptr},                {"x@stockport.gov.uk", nullptr},
      {"x@example.org", nullptr},              {"x@yahoo.fr", nullptr},
  };
  for (const auto& row : rows) {
    auto signals = ComputeSignals(Message("a@bury.gov.uk", {row.recipient}), org, &history);
    auto it = std::find_if(signals.begin(), signals.end(), [](const Signal& s) { return s.type == "lookalike_domain"; });
    if (row.resembles) {
      ASSERT_NE(it, signals.end()) << row.recipient;
      EXPECT_EQ(it->resembles, row.resembles) << row.recipient;
      EXPECT_EQ(it->recipient, row.recipient);
      EXPECT_NE(it->detail.find(row.resembles), std::string::npos) << it->detail;
    } else {
      EXPECT_EQ(it, signals.end()) << row.recipient << " -> " << it->detail;
    }
  }
}

TEST(SignalsTest, OpenCcCountsOnlyVisibleOutsideAddresses) {
  const Organisation org = Council();
  std::vector<std::string> to = {"a@example.org", "b@example.org", "c@gmail.com", "d@example.net", "e@bury.gov.uk",
                                 "f@nhs.net"};
  MessageFacts m = Message("s@bury.gov.uk", to);
  EXPECT_FALSE(Has(ComputeSignals(m, org, nullptr), "open_cc"));  // 4 outside: below 5
  m.visible.push_back({"", "g@example.com"});
  m.recipients.push_back("g@example.com");
  auto signals = ComputeSignals(m, org, nullptr);
  ASSERT_TRUE(Has(signals, "open_cc"));
  EXPECT_NE(std::find_if(signals.begin(), signals.end(),
                         [](const Signal& s) { return s.type == "open_cc" && s.detail.rfind("5 addresses", 0) == 0; }),
            signals.end());
  // The same recipients in Bcc (envelope only) disclose nothing.
  m.visible.clear();
  EXPECT_FALSE(Has(ComputeSignals(m, org, nullptr), "open_cc"));
}

TEST(SignalsTest, FirstTimeRecipientNeedsHistoryAndIgnoresColleagues) {
  const Organisation org = Council();
  MemoryHistory history;
  history.Sent("s@bury.gov.uk", {"known@example.org"});
  MessageFacts m = Message("s@bury.gov.uk", {"known@example.org", "new@example.org", "colleague@bury.gov.uk"});
  auto signals = ComputeSignals(m, org, &history);
  EXPECT_TRUE(Has(signals, "first_time_recipient", "new@example.org"));
  EXPECT_FALSE(Has(signals, "first_time_recipient", "known@example.org"));
  EXPECT_FALSE(Has(signals, "first_time_recipient", "colleague@bury.gov.uk"));
  EXPECT_FALSE(Has(ComputeSignals(m, org, nullptr), "first_time_recipient"));
  // A sender the history has never seen: nothing can be judged yet.
  m.sender = "newstarter@bury.gov.uk";
  EXPECT_FALSE(Has(ComputeSignals(m, org, &history), "first_time_recipient"));
}

TEST(SignalsTest, UnusualRecipientAmongAKnownGroup) {
  const Organisation org = Council();
  MemoryHistory history;
  history.Sent("s@bury.gov.uk", {"gp1@nhs.net", "gp2@nhs.net", "school@example.org"});
  history.Sent("s@bury.gov.uk", {"john.smith@gmail.com"});  // known, but never with the group
  MessageFacts m = Message("s@bury.gov.uk", {"gp1@nhs.net", "gp2@nhs.net", "john.smith@gmail.com"});
  auto signals = ComputeSignals(m, org, &history);
  EXPECT_TRUE(Has(signals, "unusual_recipient", "john.smith@gmail.com"));
  EXPECT_FALSE(Has(signals, "unusual_recipient", "gp1@nhs.net"));
  EXPECT_FALSE(Has(signals, "first_time_recipient", "john.smith@gmail.com"));
  // The usual group: nothing unusual.
  m = Message("s@bury.gov.uk", {"gp1@nhs.net", "gp2@nhs.net", "school@example.org"});
  EXPECT_FALSE(Has(ComputeSignals(m, org, &history), "unusual_recipient"));
}

TEST(SignalsTest, FreemailAndReplyAll) {
  const Organisation org = Council();
  MessageFacts m = Message("s@bury.gov.uk", {"resident@hotmail.co.uk", "x@example.org"});
  auto signals = ComputeSignals(m, org, nullptr);
  EXPECT_TRUE(Has(signals, "freemail_recipient", "resident@hotmail.co.uk"));
  EXPECT_FALSE(Has(signals, "freemail_recipient", "x@example.org"));
  EXPECT_FALSE(Has(signals, "reply_all_large"));
  std::vector<std::string> many;
  for (int i = 0; i < 12; ++i) many.push_back("p" + std::to_string(i) + "@bury.gov.uk");
  m = Message("s@bury.gov.uk", many);
  EXPECT_FALSE(Has(ComputeSignals(m, org, nullptr), "reply_all_large"));
  m.is_reply = true;
  EXPECT_TRUE(Has(ComputeSignals(m, org, nullptr), "reply_all_large"));
}

TEST(SignalsTest, GreetingMismatchNeedsAKnownCorrespondent) {
  const Organisation org = Council();
  MemoryHistory history;
  history.Sent("s@bury.gov.uk", {"a.patel@example.org"}, {"anita", "patel"});
  MessageFacts m = Message("s@bury.gov.uk", {"j.smith@example.org"});
  m.salutation = "Mrs Patel";
  auto signals = ComputeSignals(m, org, &history);
  ASSERT_TRUE(Has(signals, "greeting_mismatch"));
  for (const auto& s : signals) EXPECT_EQ(s.detail.find("Patel"), std::string::npos) << "no names in evidence";
  // The greeted person is on the message (by display name or local part): no signal.
  m.visible = {{"Mrs A Patel", "anita@example.org"}};
  EXPECT_FALSE(Has(ComputeSignals(m, org, &history), "greeting_mismatch"));
  m = Message("s@bury.gov.uk", {"patel.a@example.org"});
  m.salutation = "Mrs Patel";
  EXPECT_FALSE(Has(ComputeSignals(m, org, &history), "greeting_mismatch"));
  // A name the sender has never written to, or a group greeting: no signal.
  m = Message("s@bury.gov.uk", {"j.smith@example.org"});
  m.salutation = "Mr Jones";
  EXPECT_FALSE(Has(ComputeSignals(m, org, &history), "greeting_mismatch"));
  m.salutation = "all";
  EXPECT_FALSE(Has(ComputeSignals(m, org, &history), "greeting_mismatch"));
}

TEST(SignalsTest, OutsideSharingAgreement) {
  const Organisation org = Council();
  MessageFacts m = Message("s@bury.gov.uk", {"gp@nhs.net"},
                           {Identifier("uk.nhs_number", "NHS number", "HEALTH", 3),
                            Identifier("uk.nino", "National Insurance number", "OFFICIAL_DOCUMENTS", 1)});
  auto signals = ComputeSignals(m, org, nullptr);
  ASSERT_TRUE(Has(signals, "outside_sharing_agreement", "gp@nhs.net"));
  auto it = std::find_if(signals.begin(), signals.end(), [](const Signal& s) { return s.type == "outside_sharing_agreement"; });
  EXPECT_EQ(it->detail, "OFFICIAL_DOCUMENTS not covered by the agreement with nhs.net");
  // Within the agreement, or low confidence only: nothing.
  m.findings.pop_back();
  EXPECT_FALSE(Has(ComputeSignals(m, org, nullptr), "outside_sharing_agreement"));
  m.findings.push_back(Identifier("uk.nino", "National Insurance number", "OFFICIAL_DOCUMENTS", 1, Confidence::kLow));
  EXPECT_FALSE(Has(ComputeSignals(m, org, nullptr), "outside_sharing_agreement"));
  // A partner without a configured agreement: nothing.
  m = Message("s@bury.gov.uk", {"pc@gmp.police.uk"}, {Identifier("uk.nino", "NI", "OFFICIAL_DOCUMENTS", 1)});
  EXPECT_FALSE(Has(ComputeSignals(m, org, nullptr), "outside_sharing_agreement"));
}

TEST(SignalsTest, AddressListsAndNameTokens) {
  auto list = ParseAddressList(R"x("Patel, Anita" (Dr) <A.Patel@Example.org>, b@x.org (comment), Team: c@y.org, d@z.org;)x");
  ASSERT_EQ(list.size(), 4u);
  EXPECT_EQ(list[0].display, "Patel, Anita");
  EXPECT_EQ(list[0].address, "A.Patel@Example.org");
  EXPECT_EQ(list[1].address, "b@x.org");
  EXPECT_EQ(list[2].address, "c@y.org");
  EXPECT_EQ(list[3].address, "d@z.org");
  EXPECT_TRUE(ParseAddressList("undisclosed-recipients:;").empty());
  EXPECT_EQ(NormaliseAddress(" <A.B@X.ORG> "), "a.b@x.org");
  EXPECT_EQ(NameTokens("Mrs A. Patel"), (std::vector<std::string>{"patel"}));
  EXPECT_EQ(NameTokens("anita.patel2@example.org"), (std::vector<std::string>{"anita", "patel"}));
}

}  // namespace
}  // namespace sendguard::rules
