// SPDX-License-Identifier: Apache-2.0
// The wording a member of staff reads, in English and Welsh, and what it must never contain.
#include "sendguard/rules/explanation.h"

#include <gtest/gtest.h>

#include "rules_fixtures.h"
#include "sendguard/rules/policy_engine.h"
#include "sendguard/rules/rule_loader.h"

namespace sendguard::rules {
namespace {

using fixtures::Council;
using fixtures::Identifier;
using fixtures::Keyword;
using fixtures::Message;

PolicyEngine Engine(Organisation org = Council()) {
  auto templates = LoadTemplates({SENDGUARD_RULES_DIR});
  EXPECT_TRUE(templates.ok()) << templates.status().message();
  auto policies = LoadPolicies({SENDGUARD_RULES_DIR}, nullptr, &org);
  EXPECT_TRUE(policies.ok()) << policies.status().message();
  return PolicyEngine(std::move(org), policies.ok() ? *policies : PolicySet{},
                      templates.ok() ? *templates : Templates{});
}

MessageFacts Referral(const std::string& sender, const std::string& to) {
  auto nhs = Identifier("uk.nhs_number", "NHS number", "HEALTH", 14);
  nhs.files = {"referrals.xlsx"};
  auto health = Keyword("health", "health information", "HEALTH");
  health.files = {"referrals.xlsx"};
  return Message(sender, {to}, {nhs, health});
}

TEST(ExplanationTest, LookalikeFreemailInEnglish) {
  PolicyEngine engine = Engine();
  Verdict v = engine.Decide(Referral("s@bury.gov.uk", "j.smith@gmial.com"), nullptr);
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_EQ(v.explanation,
            "This email contains 14 NHS numbers and health information in 'referrals.xlsx' and is going to someone "
            "outside the council (j.smith@gmial.com, which looks like gmail.com). Check the address.");
}

TEST(ExplanationTest, SameVerdictInWelsh) {
  PolicyEngine engine = Engine();
  Verdict v = engine.Decide(Referral("s@bury.gov.wales", "j.smith@gmial.com"), nullptr);
  EXPECT_EQ(v.language, "cy");
  EXPECT_EQ(v.explanation,
            "Mae'r e-bost hwn yn cynnwys 14 rhif GIG a gwybodaeth iechyd yn 'referrals.xlsx' ac mae'n mynd at rhywun "
            "y tu allan i'r cyngor (j.smith@gmial.com, sy'n edrych fel gmail.com). Gwiriwch y cyfeiriad.");
  EXPECT_EQ(engine.Phrase("cy", "confirm", {{"code", "ABCDE-FGHIJ-KLMNP"}, {"minutes", "60"}}).find("[confirm ABCDE-FGHIJ-KLMNP]") !=
                std::string::npos,
            true);
}

TEST(ExplanationTest, SeveralRecipientsPersonalAddressesAndSingulars) {
  PolicyEngine engine = Engine();
  MessageFacts m = Message("s@bury.gov.uk", {"a@gmail.com", "b@example.org", "c@example.net", "d@example.com", "e@bury.gov.uk"},
                           {Identifier("uk.nhs_number", "NHS number", "HEALTH", 1),
                            Identifier("dob", "date of birth", "BASIC_IDENTIFIERS", 2)});
  Verdict v = engine.Decide(m, nullptr);
  EXPECT_EQ(v.action, Action::kWarn);
  EXPECT_EQ(v.explanation,
            "This email contains 1 NHS number and 2 dates of birth and is going to 4 people outside the council "
            "(a@gmail.com, a personal email address, b@example.org, c@example.net and 1 more).");
}

TEST(ExplanationTest, OpenCcWording) {
  PolicyEngine engine = Engine();
  std::vector<std::string> to;
  for (int i = 0; i < 6; ++i) to.push_back("parent" + std::to_string(i) + "@example.org");
  Verdict v = engine.Decide(Message("s@bury.gov.uk", to), nullptr);
  EXPECT_EQ(v.action, Action::kWarn);
  EXPECT_EQ(v.explanation,
            "This email shows 6 addresses outside the council to everyone who receives it. Use Bcc for group emails.");
}

TEST(ExplanationTest, NeverTheIdentifiersThemselves) {
  // Facts carry no values at all; the rendering has nothing to leak but counts and names.
  PolicyEngine engine = Engine();
  MessageFacts m = Referral("s@bury.gov.uk", "x@example.org");
  Verdict v = engine.Decide(m, nullptr);
  EXPECT_EQ(v.explanation.find_first_of("0123456789", v.explanation.find("14") + 2),
            std::string::npos) << v.explanation;
}

TEST(ExplanationTest, TemplatesNeedEveryEnglishPhraseAndRejectUnknownOnes) {
  auto t = LoadTemplates({});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("'confirm' is missing"), std::string::npos);
  EXPECT_EQ(Fill("{a} and {b} {c}", {{"a", "1"}, {"b", "2"}}), "1 and 2 {c}");
}

}  // namespace
}  // namespace sendguard::rules
