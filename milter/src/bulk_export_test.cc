// SPDX-License-Identifier: Apache-2.0
// Issue 18, bulk exports: a CSV of 20,000 distinct NHS numbers to an outside address is
// quarantined by the shipped policies (not just warned), through the same scan, facts and
// policy engine the milter uses; a few dozen are still a warning. Values are synthetic.
#include <gtest/gtest.h>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/config.h"
#include "sendguard/milter/policy_setup.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard::milter {
namespace {

// A patient list export: header row, then one NHS number per row with other columns.
std::string Export(int rows) {
  synth::Rng rng(2026);
  std::string csv = "NHS Number,Surname,Forename,Practice,Registered\r\n";
  for (int i = 0; i < rows; ++i) {
    csv += synth::NhsNumber(rng) + ",Surname" + std::to_string(i) + ",Forename,P" + std::to_string(81000 + i % 50) +
           ",2019-04-01\r\n";
  }
  return csv;
}

rules::Action Decide(int rows, std::string* deciding) {
  auto config = ParseConfig("organisation: {internal_domains: [bury.gov.uk]}\n", "x.yaml");
  EXPECT_TRUE(config.ok());
  auto engine = LoadPolicyEngine(*config, {SENDGUARD_RULES_DIR}, nullptr);
  EXPECT_TRUE(engine.ok()) << engine.status().message();
  common::KeyedHasher hasher("bulk-test");
  scanner::Scanner scanner(sendguard::testing::ShippedRules(), hasher);
  std::string raw = synth::MessageWithAttachments("Export as requested.", {{"patients.csv", "text/csv", Export(rows)}});
  Decision d = DecideMessage(scanner, **engine, nullptr, raw, {"clerk@bury.gov.uk", {"someone@example.com"}});
  uint64_t nhs = 0;
  for (const auto& f : d.scan.findings) {
    if (f.type == "uk.nhs_number" && f.confidence >= rules::Confidence::kMedium) nhs += f.count;
  }
  EXPECT_EQ(nhs, static_cast<uint64_t>(rows));
  const rules::PolicyMatch* m = d.verdict.Deciding();
  *deciding = m ? m->policy->id : "";
  return d.verdict.action;
}

TEST(BulkExportTest, TwentyThousandNhsNumbersOutsideAreQuarantined) {
  std::string deciding;
  EXPECT_EQ(Decide(20000, &deciding), rules::Action::kQuarantine);
  EXPECT_EQ(deciding, "bulk-identifiers-outside-quarantine");
}

TEST(BulkExportTest, AFewDozenAreAWarning) {
  std::string deciding;
  EXPECT_EQ(Decide(40, &deciding), rules::Action::kWarn);
}

}  // namespace
}  // namespace sendguard::milter
