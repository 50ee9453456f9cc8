// SPDX-License-Identifier: Apache-2.0
// Policies: loading (shipped set and file:line errors), each action, strongest wins,
// monitor mode, sender groups, attachments and incomplete scans.
#include "sendguard/rules/policy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "rules_fixtures.h"
#include "sendguard/rules/rule_loader.h"

namespace sendguard::rules {
namespace {

namespace fs = std::filesystem;
using fixtures::Council;
using fixtures::Identifier;
using fixtures::Keyword;
using fixtures::MemoryHistory;
using fixtures::Message;

PolicySet Shipped() {
  auto rules = LoadRuleSet({SENDGUARD_RULES_DIR});
  EXPECT_TRUE(rules.ok()) << rules.status().message();
  Organisation org = Council();
  auto set = LoadPolicies({SENDGUARD_RULES_DIR}, rules.ok() ? &*rules : nullptr, &org);
  EXPECT_TRUE(set.ok()) << set.status().message();
  return set.ok() ? *set : PolicySet{};
}

Verdict Decide(const PolicySet& set, const MessageFacts& m, const RecipientHistoryView* history = nullptr) {
  const Organisation org = Council();
  return EvaluatePolicies(set, m, ComputeSignals(m, org, history), org);
}

std::vector<std::string> Ids(const Verdict& v) {
  std::vector<std::string> out;
  for (const auto& m : v.matches) out.push_back(m.policy->id);
  return out;
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("sendguard-policy-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(counter_++))) {
    fs::create_directories(path_ / "policies");
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path Write(const std::string& name, const std::string& text) {
    fs::path p = path_ / "policies" / name;
    std::ofstream(p) << text;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(PolicyTest, ShippedPoliciesLoadAndEveryActionOccurs) {
  PolicySet set = Shipped();
  ASSERT_GE(set.policies.size(), 8u);
  std::set<Action> actions;
  bool monitor = false;
  for (const auto& p : set.policies) {
    actions.insert(p.action);
    monitor |= p.monitor;
    EXPECT_FALSE(p.reason.Get("en").empty()) << p.id;
    EXPECT_TRUE(p.reason.by_language.count("cy")) << p.id << " has no Welsh reason";
  }
  EXPECT_TRUE(actions.count(Action::kBlock) && actions.count(Action::kWarn) && actions.count(Action::kTag));
  EXPECT_TRUE(monitor) << "the default set shows a monitor-mode policy";
}

TEST(PolicyTest, ErrorsCarryFileAndLine) {
  TempDir dir;
  fs::path file = dir.Write("bad.yaml", R"(policies:
  - id: one
    action: shout
    when: {}
    reason: x
  - id: two
    action: warn
    when:
      findings: {types: [uk.nhs_numbr], min_confidence: sure}
      signals: [psychic]
      sender_groups: [nobody]
    colour: red
    reason: x
  - id: one
    action: warn
    when: {}
    reason: x
)");
  auto rules = LoadRuleSet({SENDGUARD_RULES_DIR});
  ASSERT_TRUE(rules.ok());
  Organisation org = Council();
  auto set = LoadPolicies({dir.path()}, &*rules, &org);
  ASSERT_FALSE(set.ok());
  const std::string msg = set.status().message();
  const std::string f = file.string();
  EXPECT_NE(msg.find(f + ":3: unknown action 'shout'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(f + ":9: unknown information type 'uk.nhs_numbr'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(f + ":9: min_confidence must be low, medium or high"), std::string::npos) << msg;
  EXPECT_NE(msg.find(f + ":10: unknown signals 'psychic'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(f + ":11: unknown sender group 'nobody'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(f + ":12: unknown key 'colour'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(f + ":14: policy id 'one' already defined at " + f + ":2"), std::string::npos) << msg;
  dir.Write("bad.yaml", "policies: [\n");
  set = LoadPolicies({dir.path()});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find(f + ":"), std::string::npos);
  EXPECT_NE(set.status().message().find("bad YAML"), std::string::npos);
}

TEST(PolicyTest, EachShippedAction) {
  PolicySet set = Shipped();
  const auto nhs = [](uint64_t n) { return Identifier("uk.nhs_number", "NHS number", "HEALTH", n); };
  const auto health = Keyword("health", "health information", "HEALTH");
  // allow: nothing sensitive, colleague.
  EXPECT_EQ(Decide(set, Message("s@bury.gov.uk", {"c@bury.gov.uk"}, {nhs(40)})).action, Action::kAllow);
  // allow: health data to a partner under its agreement.
  EXPECT_EQ(Decide(set, Message("s@bury.gov.uk", {"gp@nhs.net"}, {nhs(3), health})).action, Action::kAllow);
  // tag: one identifier to a resident's personal address.
  Verdict v = Decide(set, Message("s@bury.gov.uk", {"resident@gmail.com"},
                                  {Identifier("uk.nino", "National Insurance number", "OFFICIAL_DOCUMENTS", 1)}));
  EXPECT_EQ(v.action, Action::kTag);
  EXPECT_EQ(Ids(v).front(), "identifiers-personal-address-tag");
  // allow: a health keyword alone is a signal, not personal data about someone.
  EXPECT_EQ(Decide(set, Message("s@bury.gov.uk", {"x@example.org"}, {health})).action, Action::kAllow);
  // warn: safeguarding information about an identified child outside.
  auto safeguarding = Keyword("children_safeguarding", "children's safeguarding", "OTHER");
  safeguarding.subjects = {"CHILDREN"};
  v = Decide(set, Message("s@bury.gov.uk", {"x@example.org"},
                          {Identifier("uk.upn", "Unique Pupil Number", "BASIC_IDENTIFIERS", 1), safeguarding}));
  EXPECT_EQ(v.action, Action::kWarn);
  EXPECT_EQ(Ids(v).front(), "vulnerable-groups-outside-warn");
  // warn: special category outside.
  v = Decide(set, Message("s@bury.gov.uk", {"x@example.org"}, {nhs(1), health}));
  EXPECT_EQ(v.action, Action::kWarn);
  EXPECT_EQ(Ids(v).front(), "special-category-outside-warn");
  // warn: 10+ individuals outside, even with no special category data.
  v = Decide(set, Message("s@bury.gov.uk", {"x@example.org"},
                          {Identifier("uk.nino", "National Insurance number", "OFFICIAL_DOCUMENTS", 12)}));
  EXPECT_EQ(v.action, Action::kWarn);
  EXPECT_EQ(Ids(v).front(), "many-individuals-outside-warn");
  v = Decide(set, Message("s@bury.gov.uk", {"x@example.org"},
                          {Identifier("uk.nino", "National Insurance number", "OFFICIAL_DOCUMENTS", 9)}));
  EXPECT_EQ(v.action, Action::kAllow);
  // block: a card number to a partner; identifiers to a lookalike domain.
  v = Decide(set, Message("s@bury.gov.uk", {"gp@nhs.net"}, {Identifier("pci.card", "payment card number", "ECONOMIC_FINANCIAL", 1)}));
  EXPECT_EQ(v.action, Action::kBlock);
  v = Decide(set, Message("s@bury.gov.uk", {"gp@nhs.com"}, {nhs(1)}));
  EXPECT_EQ(v.action, Action::kBlock);
  EXPECT_EQ(Ids(v).front(), "identifiers-lookalike-block");
  // Low-confidence findings never count.
  v = Decide(set, Message("s@bury.gov.uk", {"gp@nhs.com"}, {Identifier("uk.nhs_number", "NHS number", "HEALTH", 5, Confidence::kLow)}));
  EXPECT_EQ(v.action, Action::kAllow);
}

TEST(PolicyTest, StrongestWinsAndEveryMatchIsReported) {
  PolicySet set = Shipped();
  // Card + health + 20 NHS numbers to a free-mail address: tag, warn twice and block all match.
  MessageFacts m = Message("s@bury.gov.uk", {"x@gmail.com"},
                           {Identifier("pci.card", "payment card number", "ECONOMIC_FINANCIAL", 1),
                            Identifier("uk.nhs_number", "NHS number", "HEALTH", 20),
                            Keyword("health", "health information", "HEALTH")});
  Verdict v = Decide(set, m);
  EXPECT_EQ(v.action, Action::kBlock);
  auto ids = Ids(v);
  EXPECT_EQ(ids.front(), "card-outside-block");
  for (const char* id : {"special-category-outside-warn", "many-individuals-outside-warn", "identifiers-personal-address-tag"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  for (size_t i = 1; i < v.matches.size(); ++i) {
    EXPECT_GE(v.matches[i - 1].policy->action, v.matches[i].policy->action);
  }
}

TEST(PolicyTest, MonitorModeDecidesButDoesNotEnforce) {
  PolicySet set = Shipped();
  MemoryHistory history;
  history.Sent("s@bury.gov.uk", {"old@example.org"});
  MessageFacts m = Message("s@bury.gov.uk", {"new@example.org"},
                           {Identifier("uk.nino", "National Insurance number", "OFFICIAL_DOCUMENTS", 1)});
  Verdict v = Decide(set, m, &history);
  EXPECT_EQ(v.action, Action::kAllow);
  EXPECT_EQ(v.monitored, Action::kWarn);
  ASSERT_FALSE(v.matches.empty());
  EXPECT_EQ(v.matches.front().policy->id, "first-time-identifiers-monitor");
  EXPECT_TRUE(v.matches.front().policy->monitor);
  // An enforced policy decides even when a monitor-mode one is stronger.
  m.recipients = m.visible.empty() ? m.recipients : std::vector<std::string>{"new@gmail.com"};
  m.visible = {{"", "new@gmail.com"}};
  v = Decide(set, m, &history);
  EXPECT_EQ(v.action, Action::kTag);
  EXPECT_EQ(v.monitored, Action::kWarn);
  EXPECT_EQ(v.Deciding()->policy->id, "identifiers-personal-address-tag");
}

TEST(PolicyTest, SenderGroupsAttachmentsAndIncompleteScans) {
  TempDir dir;
  dir.Write("p.yaml", R"(policies:
  - id: payroll-bank-outside
    action: quarantine
    when:
      findings: {types: [uk.bank_account], min_count: 2}
      sender_groups: [payroll]
      recipients: [external]
      attachments: true
    reason: "{findings}{where} to {recipients}"
  - id: not-social-care
    action: warn
    when:
      findings: {categories: [HEALTH]}
      except_sender_groups: [social_care]
    reason: "{findings}"
  - id: unreadable
    action: quarantine
    when: {scan_complete: false}
    reason: "{findings}"
)");
  Organisation org = Council();
  auto set = LoadPolicies({dir.path()}, nullptr, &org);
  ASSERT_TRUE(set.ok()) << set.status().message();
  auto bank = Identifier("uk.bank_account", "bank account number", "ECONOMIC_FINANCIAL", 3);
  bank.files = {"bacs.csv"};
  MessageFacts m = Message("payroll@bury.gov.uk", {"x@example.org"}, {bank});
  EXPECT_EQ(Decide(*set, m).action, Action::kAllow);  // no attachment flag
  m.has_attachments = true;
  Verdict v = Decide(*set, m);
  EXPECT_EQ(v.action, Action::kQuarantine);
  ASSERT_EQ(v.matches.size(), 1u);
  EXPECT_EQ(v.matches[0].flagged, std::vector<std::string>{"x@example.org"});
  m.sender = "someone.else@bury.gov.uk";
  EXPECT_EQ(Decide(*set, m).action, Action::kAllow);
  // Health data: warned for everyone except the social care group.
  MessageFacts h = Message("a@bury.gov.uk", {"c@bury.gov.uk"}, {Keyword("health", "health information", "HEALTH")});
  EXPECT_EQ(Decide(*set, h).action, Action::kWarn);
  h.sender = "worker@socialcare.bury.gov.uk";
  EXPECT_EQ(Decide(*set, h).action, Action::kAllow);
  h.scan_complete = false;
  EXPECT_EQ(Decide(*set, h).action, Action::kQuarantine);
}

TEST(PolicyTest, BulkExportsOutsideAreQuarantinedAndTheThresholdCanBeReplaced) {
  PolicySet shipped = Shipped();
  auto nhs = [](uint64_t n) { return Identifier("uk.nhs_number", "NHS number", "BASIC_IDENTIFIERS", n, Confidence::kMedium); };
  Verdict v = Decide(shipped, Message("a@bury.gov.uk", {"x@example.org"}, {nhs(20000)}));
  EXPECT_EQ(v.action, Action::kQuarantine);
  EXPECT_EQ(v.Deciding()->policy->id, "bulk-identifiers-outside-quarantine");
  EXPECT_EQ(Decide(shipped, Message("a@bury.gov.uk", {"x@example.org"}, {nhs(999)})).action, Action::kWarn);
  EXPECT_EQ(Decide(shipped, Message("a@bury.gov.uk", {"x@gmail.com"}, {nhs(1000)})).action, Action::kQuarantine);
  // Partners share records daily under agreements: not held.
  EXPECT_NE(Decide(shipped, Message("a@bury.gov.uk", {"gp@nhs.net"}, {nhs(20000)})).action, Action::kQuarantine);
  // An admin's own rule directory moves the threshold by replacing the shipped policy.
  TempDir dir;
  dir.Write("bulk.yaml", R"(policies:
  - id: bulk-identifiers-outside-quarantine
    replaces: true
    action: quarantine
    when:
      findings: {kind: identifier, min_confidence: medium, min_count: 200}
      recipients: [external, freemail]
    reason: "{findings}{where} to {recipients}"
)");
  auto rules = LoadRuleSet({SENDGUARD_RULES_DIR});
  ASSERT_TRUE(rules.ok());
  Organisation org = Council();
  auto set = LoadPolicies({SENDGUARD_RULES_DIR, dir.path()}, &*rules, &org);
  ASSERT_TRUE(set.ok()) << set.status().message();
  EXPECT_EQ(set->policies.size(), shipped.policies.size());
  EXPECT_EQ(Decide(*set, Message("a@bury.gov.uk", {"x@example.org"}, {nhs(250)})).action, Action::kQuarantine);
  // Without `replaces` the same id is still an error, and `replaces` needs an earlier one.
  dir.Write("bulk.yaml", R"(policies:
  - id: bulk-identifiers-outside-quarantine
    action: quarantine
    when: {}
    reason: "x"
  - id: nothing-to-replace
    replaces: true
    action: warn
    when: {}
    reason: "x"
)");
  auto bad = LoadPolicies({SENDGUARD_RULES_DIR, dir.path()}, &*rules, &org);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("already defined at"), std::string::npos);
  EXPECT_NE(bad.status().message().find("no earlier policy has that id"), std::string::npos);
}

}  // namespace
}  // namespace sendguard::rules
