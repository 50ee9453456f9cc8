// SPDX-License-Identifier: Apache-2.0
// Rule loader tests: the shipped rules load, dictionaries are substantial, and every kind
// of bad rule file is rejected with file:line and a reason.
#include "sendguard/rules/rule_loader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sendguard::rules {
namespace {

namespace fs = std::filesystem;

class RuleDir {
 public:
  RuleDir() : path_(fs::temp_directory_path() / ("sendguard-rules-" + std::to_string(::getpid()) + "-" + std::to_string(n_++))) {
    fs::create_directories(path_ / "types");
  }
  ~RuleDir() { fs::remove_all(path_); }
  std::string Write(const std::string& rel, const std::string& text) {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel) << text;
    return (path_ / rel).string();
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int n_ = 0;
  fs::path path_;
};

const char* kGoodType = "id: org.ref\nname: reference\ncategory: BASIC_IDENTIFIERS\npatterns: ['R\\d{6}']\nvalidator: none\n";

TEST(RuleLoaderTest, ShippedRulesLoadWithEveryBuiltInType) {
  auto rs = LoadRuleSet({SENDGUARD_RULES_DIR});
  ASSERT_TRUE(rs.ok()) << rs.status().message();
  std::vector<std::string> ids;
  for (const auto& t : rs->types) ids.push_back(t.id);
  for (const char* want : {"uk.nhs_number", "uk.chi_number", "uk.nino", "pci.card", "uk.bank_account", "iban",
                           "uk.passport", "uk.driving_licence", "uk.upn", "uk.postcode", "dob", "email_address",
                           "uk.phone", "credentials", "case_reference"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), want), ids.end()) << want;
  }
  for (const auto& t : rs->types) {
    EXPECT_FALSE(t.must_match.empty()) << t.id << " has no must_match examples";
    EXPECT_FALSE(t.patterns.empty()) << t.id;
  }
  EXPECT_EQ(rs->version.size(), 12u);
}

TEST(RuleLoaderTest, DictionariesAreSubstantialWithPhrases) {
  auto rs = LoadRuleSet({SENDGUARD_RULES_DIR});
  ASSERT_TRUE(rs.ok());
  std::vector<std::string> want = {"health", "children_safeguarding", "vulnerable_adults", "criminal", "special_other"};
  ASSERT_EQ(rs->dictionaries.size(), want.size());
  for (const auto& d : rs->dictionaries) {
    EXPECT_NE(std::find(want.begin(), want.end(), d.id), want.end()) << d.id;
    EXPECT_GE(d.terms.size(), 60u) << d.id;
    size_t phrases = 0;
    for (const auto& t : d.terms) phrases += t.text.find(' ') != std::string::npos ? 1 : 0;
    EXPECT_GE(phrases, 10u) << d.id;
  }
}

TEST(RuleLoaderTest, BadYamlIsReportedWithFileAndLine) {
  RuleDir dir;
  std::string f = dir.Write("types/broken.yaml", "id: a\ncategory: OTHER\npatterns: [unclosed\n");
  auto rs = LoadRuleSet({dir.path()});
  ASSERT_FALSE(rs.ok());
  EXPECT_EQ(rs.status().message().rfind(f + ":", 0), 0u) << rs.status().message();
  EXPECT_NE(rs.status().message().find("bad YAML"), std::string::npos);
}

TEST(RuleLoaderTest, UnknownKeysCategoriesAndMissingFieldsAreRejected) {
  RuleDir dir;
  std::string f = dir.Write("types/t.yaml",
                            "id: org.x\ncategory: MADE_UP\npatterns: ['\\d{4}']\ncontext:\n  keywords: [x]\n  windw: 3\n"
                            "colour: blue\nsubjects: [ALIENS]\n");
  auto rs = LoadRuleSet({dir.path()});
  ASSERT_FALSE(rs.ok());
  const std::string& m = rs.status().message();
  EXPECT_NE(m.find(f + ":2: unknown data category 'MADE_UP'"), std::string::npos) << m;
  EXPECT_NE(m.find(f + ":6: unknown key 'windw'"), std::string::npos) << m;
  EXPECT_NE(m.find(f + ":7: unknown key 'colour'"), std::string::npos) << m;
  EXPECT_NE(m.find(f + ":8: unknown subjects 'ALIENS'"), std::string::npos) << m;
  std::string g = dir.Write("types/u.yaml", "name: no id\ncategory: OTHER\n");
  auto rs2 = LoadRuleSet({dir.path()});
  EXPECT_NE(rs2.status().message().find(g + ":1: missing 'id'"), std::string::npos) << rs2.status().message();
  EXPECT_NE(rs2.status().message().find("'patterns' must be a non-empty list"), std::string::npos);
}

TEST(RuleLoaderTest, DuplicateIdsAcrossDirectoriesAreRejected) {
  RuleDir a, b;
  a.Write("types/one.yaml", kGoodType);
  std::string second = b.Write("types/two.yaml", kGoodType);
  ASSERT_TRUE(LoadRuleSet({a.path()}).ok());
  auto rs = LoadRuleSet({a.path(), b.path()});
  ASSERT_FALSE(rs.ok());
  EXPECT_NE(rs.status().message().find(second + ":1: duplicate id 'org.ref'"), std::string::npos) << rs.status().message();
}

TEST(RuleLoaderTest, LaterDirectoriesAddTypesAndContextWords) {
  RuleDir dir;
  dir.Write("types/ref.yaml", kGoodType);
  dir.Write("context.yaml", "negative_keywords: [docket]\n");
  auto rs = LoadRuleSet({SENDGUARD_RULES_DIR, dir.path()});
  ASSERT_TRUE(rs.ok()) << rs.status().message();
  EXPECT_EQ(rs->types.back().id, "org.ref");
  EXPECT_EQ(rs->negative_keywords.back().text, "docket");
}

TEST(RuleLoaderTest, DictionaryDuplicateTermsAndEmptyListsAreRejected) {
  RuleDir dir;
  std::string f = dir.Write("dictionaries/d.yaml", "id: mine\ncategory: HEALTH\nterms:\n  - asthma\n  - Asthma\n");
  auto rs = LoadRuleSet({dir.path()});
  ASSERT_FALSE(rs.ok());
  EXPECT_NE(rs.status().message().find(f + ":5: duplicate term 'Asthma'"), std::string::npos) << rs.status().message();
}

TEST(RuleLoaderTest, NotARuleDirectory) {
  auto rs = LoadRuleSet({"/nonexistent/rules"});
  ASSERT_FALSE(rs.ok());
  EXPECT_NE(rs.status().message().find("/nonexistent/rules:0: not a rule directory"), std::string::npos);
}

}  // namespace
}  // namespace sendguard::rules
