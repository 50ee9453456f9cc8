// SPDX-License-Identifier: Apache-2.0
// The config file: defaults, every section read, unknown keys and bad values with file:line,
// and the policy engine loaded from it with the shipped rules.
#include "sendguard/milter/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sendguard/milter/policy_setup.h"

namespace sendguard::milter {
namespace {

TEST(ConfigTest, EmptyFileMeansDefaults) {
  auto c = ParseConfig("", "empty.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->warn_mode, WarnMode::kRejectAndConfirm);
  EXPECT_EQ(c->confirm_ttl_minutes, 60);
  EXPECT_EQ(c->organisation.open_cc_threshold, 5);
  EXPECT_EQ(c->state_dir, "/var/lib/sendguard");
}

TEST(ConfigTest, TheRulesCacheLivesInTheStateDirectoryUnlessSetOrOff) {
  // ctest sets it for the test run's shared cache: put back as it was at the end.
  const char* run_cache = std::getenv("SENDGUARD_RULES_CACHE");
  const std::string saved = run_cache ? run_cache : "";
  ::unsetenv("SENDGUARD_RULES_CACHE");
  auto c = ParseConfig("state_dir: /srv/sg\n", "c.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(RulesCacheDir(*c), "/srv/sg/rules-cache");
  ::setenv("SENDGUARD_RULES_CACHE", "/tmp/run-cache", 1);
  EXPECT_EQ(RulesCacheDir(*c), "/tmp/run-cache");
  auto set = ParseConfig("rules_cache_dir: /srv/cache\n", "c.yaml");
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(RulesCacheDir(*set), "/srv/cache") << "the config wins over the environment";
  auto off = ParseConfig("rules_cache_dir: \"off\"\n", "c.yaml");
  ASSERT_TRUE(off.ok()) << off.status().message();
  EXPECT_EQ(RulesCacheDir(*off), "");
  if (saved.empty()) ::unsetenv("SENDGUARD_RULES_CACHE");
  else ::setenv("SENDGUARD_RULES_CACHE", saved.c_str(), 1);
  auto relative = ParseConfig("rules_cache_dir: cache\n", "c.yaml");
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.status().message().find("c.yaml:1"), std::string::npos) << relative.status().message();
  EXPECT_NE(relative.status().message().find("absolute path, or off"), std::string::npos);
}

TEST(ConfigTest, TheShippedExampleConfigParsesAndKeepsTheDefaults) {
  // config/sendguard.yaml documents every key; apart from the example values it must equal
  // the built-in defaults, so the documentation cannot drift from the code.
  std::ifstream in(SENDGUARD_CONFIG_DIR "/sendguard.yaml");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto c = ParseConfig(text.str(), "sendguard.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  const Config defaults = *ParseConfig("", "empty.yaml");
  EXPECT_EQ(c->secret_file, defaults.secret_file);
  EXPECT_EQ(c->state_dir, defaults.state_dir);
  EXPECT_EQ(c->core_url, defaults.core_url);
  EXPECT_EQ(c->confirm_ttl_minutes, defaults.confirm_ttl_minutes);
  EXPECT_EQ(c->milter.socket, defaults.milter.socket);
  EXPECT_EQ(c->milter.queue_depth, defaults.milter.queue_depth);
  EXPECT_EQ(c->milter.message_timeout_ms, defaults.milter.message_timeout_ms);
  EXPECT_EQ(c->milter.spool_memory_bytes, defaults.milter.spool_memory_bytes);
  EXPECT_EQ(c->milter.max_message_bytes, defaults.milter.max_message_bytes);
  EXPECT_EQ(c->milter.internal_networks, defaults.milter.internal_networks);
  EXPECT_EQ(c->milter.subject_tag, defaults.milter.subject_tag);
  EXPECT_EQ(c->milter.fail_modes.internal_error, defaults.milter.fail_modes.internal_error);
  EXPECT_EQ(c->milter.fail_modes.oversize, defaults.milter.fail_modes.oversize);
  EXPECT_EQ(c->milter.fail_modes.incident_unavailable, defaults.milter.fail_modes.incident_unavailable);
  EXPECT_EQ(c->milter.fail_modes.poison_message, defaults.milter.fail_modes.poison_message);
  EXPECT_EQ(c->milter.poison_after_crashes, defaults.milter.poison_after_crashes);
  EXPECT_EQ(c->milter.scan_record_days, defaults.milter.scan_record_days);
  EXPECT_EQ(c->milter.metrics_listen, defaults.milter.metrics_listen);
  EXPECT_EQ(c->milter.user, "sendguard");  // the package's dedicated user
  EXPECT_EQ(c->organisation.open_cc_threshold, defaults.organisation.open_cc_threshold);
  EXPECT_EQ(c->organisation.agreements.size(), 1u);
}

TEST(ConfigTest, ReadsEverySection) {
  auto c = ParseConfig(R"(state_dir: /tmp/sg
warn: {mode: hold_and_confirm, confirm_ttl_minutes: 30}
organisation:
  name: {en: the council, cy: y cyngor}
  internal_domains: [Bury.gov.uk]
  partner_domains:
    - nhs.net
    - domain: gmp.police.uk
      allowed_categories: [BASIC_IDENTIFIERS, CRIMINAL_CONVICTIONS]
  sender_groups: {payroll: ["payroll@bury.gov.uk", "@hr.bury.gov.uk"]}
  language_by_sender_domain: {bury.gov.wales: cy}
  open_cc_threshold: 8
)", "sendguard.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->warn_mode, WarnMode::kHoldAndConfirm);
  EXPECT_EQ(c->confirm_ttl_minutes, 30);
  const auto& o = c->organisation;
  EXPECT_EQ(o.directory.internal, std::vector<std::string>{"bury.gov.uk"});
  EXPECT_EQ(o.directory.partner, (std::vector<std::string>{"nhs.net", "gmp.police.uk"}));
  ASSERT_EQ(o.agreements.size(), 1u);
  EXPECT_EQ(o.agreements[0].domain, "gmp.police.uk");
  EXPECT_EQ(o.SenderGroupsOf("x@hr.bury.gov.uk"), std::vector<std::string>{"payroll"});
  EXPECT_EQ(o.LanguageFor("a@bury.gov.wales"), "cy");
  EXPECT_EQ(o.LanguageFor("a@bury.gov.uk"), "en");
  EXPECT_EQ(o.name.Get("cy"), "y cyngor");
  EXPECT_EQ(o.open_cc_threshold, 8);
}

TEST(ConfigTest, UnknownKeysAndBadValuesCarryFileAndLine) {
  auto c = ParseConfig(R"(state_dir: /tmp/sg
warn:
  mode: shout
organisation:
  internal_domain: [bury.gov.uk]
  partner_domains:
    - domain: nhs.net
      allowed_categories: [GOSSIP]
  open_cc_threshold: many
colour: blue
)", "sendguard.yaml");
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_NE(m.find("sendguard.yaml:3: mode must be reject_and_confirm or hold_and_confirm"), std::string::npos) << m;
  EXPECT_NE(m.find("sendguard.yaml:5: unknown key 'internal_domain'"), std::string::npos) << m;
  EXPECT_NE(m.find("sendguard.yaml:8: unknown allowed_categories 'GOSSIP'"), std::string::npos) << m;
  EXPECT_NE(m.find("sendguard.yaml:9: 'open_cc_threshold' must be a whole number"), std::string::npos) << m;
  EXPECT_NE(m.find("sendguard.yaml:10: unknown key 'colour'"), std::string::npos) << m;
  EXPECT_FALSE(ParseConfig("organisation: [\n", "x.yaml").ok());
  EXPECT_FALSE(LoadConfig("/nonexistent/sendguard.yaml").ok());
}

TEST(ConfigTest, PoisonMessageSettings) {
  const Config defaults = *ParseConfig("", "empty.yaml");
  EXPECT_EQ(defaults.milter.fail_modes.poison_message, FailAction::kQuarantine);
  EXPECT_EQ(defaults.milter.poison_after_crashes, 2);
  auto c = ParseConfig("milter:\n  poison_after_crashes: 3\n  fail_modes: {poison_message: reject}\n", "x.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->milter.poison_after_crashes, 3);
  EXPECT_EQ(c->milter.fail_modes.poison_message, FailAction::kReject);
  const std::string described = DescribeConfig(*c);
  EXPECT_NE(described.find("poison_message: reject"), std::string::npos) << described;
  EXPECT_NE(described.find("poison_after_crashes: 3"), std::string::npos) << described;
  auto bad = ParseConfig("milter:\n  poison_after_crashes: 0\n  fail_modes: {poison_message: drop}\n", "x.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("x.yaml:2: 'poison_after_crashes' must be between 1 and 100"), std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("'poison_message' must be accept, tempfail, reject or quarantine"), std::string::npos)
      << bad.status().message();
}

TEST(ConfigTest, PolicyEngineLoadsShippedPoliciesTemplatesAndFreemail) {
  auto c = ParseConfig("organisation: {internal_domains: [bury.gov.uk]}\n", "x.yaml");
  ASSERT_TRUE(c.ok());
  auto engine = LoadPolicyEngine(*c, {SENDGUARD_RULES_DIR}, nullptr);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  EXPECT_GE((*engine)->policies().policies.size(), 8u);
  EXPECT_EQ(rules::Classify((*engine)->organisation().directory, "x@gmail.com"), rules::RecipientClass::kFreemail);
  EXPECT_TRUE((*engine)->templates().languages.count("cy"));
  // A config naming an unknown sender group in an extra policy file fails with file:line.
  c->policy_files = {"/nonexistent/policy.yaml"};
  EXPECT_FALSE(LoadPolicyEngine(*c, {SENDGUARD_RULES_DIR}, nullptr).ok());
}

TEST(ConfigTest, AttachmentNamesFromPartPaths) {
  EXPECT_EQ(AttachmentOf("2/referrals.xlsx"), "referrals.xlsx");
  EXPECT_EQ(AttachmentOf("2/archive.zip/inner/list.csv"), "archive.zip");
  EXPECT_EQ(AttachmentOf("3.1/message/2/scan.pdf"), "scan.pdf");
  EXPECT_EQ(AttachmentOf("1"), "");
  EXPECT_EQ(AttachmentOf("1.2"), "");
  EXPECT_EQ(AttachmentOf("subject"), "");
  EXPECT_EQ(AttachmentOf("2/filename"), "");
  EXPECT_EQ(AttachmentOf("2/scan.png#ocr"), "scan.png");
  EXPECT_EQ(AttachmentOf("2/scan.pdf#page-3.ocr"), "scan.pdf");
  EXPECT_EQ(AttachmentOf("2/report.docx/word/media/image1.png#ocr"), "report.docx");
  EXPECT_EQ(AttachmentOf("2/invoice#3.pdf"), "invoice#3.pdf");
}

}  // namespace
}  // namespace sendguard::milter
