// SPDX-License-Identifier: Apache-2.0
// Engine tests: streaming equals block scanning, the confidence model, evidence (masks and
// keyed hashes), custom types without a rebuild, exact data match, compile errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/text.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "test_support.h"

namespace sendguard::scanner {
namespace {

using testing::BestConfidence;
using testing::CountAtLeast;
using testing::ShippedRules;
using testing::TempDir;

class EngineTest : public ::testing::Test {
 protected:
  common::KeyedHasher hasher_{testing::kTestSecret};
  Scanner scanner_{ShippedRules(), hasher_};
};

// Canonical form of a result for comparisons.
std::string Canonical(const ScanResult& r) {
  std::string out = r.complete ? "complete\n" : "incomplete\n";
  for (const auto& f : r.findings) {
    out += f.type + " " + rules::ConfidenceName(f.confidence) + " " + std::to_string(f.count) + "\n";
    for (const auto& l : f.locations) out += "  " + l.part + "@" + std::to_string(l.offset) + " " + l.masked + " " + l.hash + "\n";
  }
  return out;
}

TEST_F(EngineTest, StreamingWithRandomChunkSplitsEqualsOneBlock) {
  auto corpus = synth::MakeCorpus(11, 60, 0.9);
  synth::Rng rng(99);
  int compared = 0;
  for (const auto& m : corpus) {
    // Scan the whole raw message as text: identifiers land at every kind of offset.
    std::string block = Canonical(scanner_.ScanText(m.raw));
    for (int trial = 0; trial < 5; ++trial) {
      scanner_.Begin("1");
      size_t pos = 0;
      while (pos < m.raw.size()) {
        size_t n = static_cast<size_t>(rng.Between(1, trial == 0 ? 3 : 200));
        scanner_.Feed(std::string_view(m.raw).substr(pos, n));
        pos += n;
      }
      ASSERT_EQ(Canonical(scanner_.Finish()), block);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 300);
}

TEST_F(EngineTest, ConfidenceFollowsContextLayoutAndNegativeWords) {
  synth::Rng rng(5);
  std::string v = synth::NhsNumber(rng);
  std::string spaced = synth::Grouped(v, {3, 3, 4}, ' ');
  EXPECT_EQ(BestConfidence(scanner_.ScanText("NHS number " + v), "uk.nhs_number"), Confidence::kHigh);
  EXPECT_EQ(BestConfidence(scanner_.ScanText("see " + spaced + " today"), "uk.nhs_number"), Confidence::kMedium);
  EXPECT_EQ(BestConfidence(scanner_.ScanText("see " + v + " today"), "uk.nhs_number"), Confidence::kLow);
  // A negative word nearer than any positive one lowers one level.
  EXPECT_EQ(BestConfidence(scanner_.ScanText("phone " + spaced), "uk.nhs_number"), Confidence::kLow);
  EXPECT_EQ(BestConfidence(scanner_.ScanText("NHS number (phone us) " + spaced), "uk.nhs_number"), Confidence::kMedium);
  // Context beyond the 300-character window does not count.
  EXPECT_EQ(BestConfidence(scanner_.ScanText("NHS " + std::string(400, ' ') + v), "uk.nhs_number"), Confidence::kLow);
  // Test-range numbers (999...) stay low even with context.
  std::string test_range;
  for (int i = 0; i < 100000 && test_range.empty(); ++i) {
    std::string c = "999" + rng.Digits(7);
    if (synth::NhsValid(c)) test_range = c;
  }
  EXPECT_EQ(BestConfidence(scanner_.ScanText("NHS number " + test_range), "uk.nhs_number"), Confidence::kLow);
}

TEST_F(EngineTest, ColumnOfValuesEarnsMedium) {
  synth::Rng rng(6);
  std::string csv = "name,id\n";
  for (int i = 0; i < 4; ++i) csv += "Person " + std::to_string(i) + "," + synth::NhsNumber(rng) + "\n";
  EXPECT_EQ(CountAtLeast(scanner_.ScanText(csv), "uk.nhs_number", Confidence::kMedium), 4u);
  // Two in a column are not yet a column.
  std::string two = "a," + synth::NhsNumber(rng) + "\nb," + synth::NhsNumber(rng) + "\n";
  EXPECT_EQ(CountAtLeast(scanner_.ScanText(two), "uk.nhs_number", Confidence::kMedium), 0u);
}

TEST_F(EngineTest, EmbeddedValuesAreNotCandidates) {
  synth::Rng rng(7);
  std::string v = synth::NhsNumber(rng);
  for (const std::string& text : {"https://example.org/record/" + v, "id=" + v + "&x=1", "0" + v, v + "7",
                                  "ab" + v, "deadbeef-" + v + "-cafe", "file_" + v + ".pdf"}) {
    EXPECT_EQ(CountAtLeast(scanner_.ScanText("NHS " + text), "uk.nhs_number", Confidence::kLow), 0u) << text;
  }
}

TEST_F(EngineTest, DistinctValuesAreCountedOnceAndEvidenceIsMaskedAndKeyed) {
  synth::Rng rng(8);
  std::string a = synth::NhsNumber(rng), b = synth::NhsNumber(rng);
  std::string text = "NHS numbers " + synth::Grouped(a, {3, 3, 4}, ' ') + ", " + a + " and " + b + "; again " +
                     synth::Grouped(a, {3, 3, 4}, '-');
  ScanResult r = scanner_.ScanText(text, "2/notes.txt");
  ASSERT_EQ(CountAtLeast(r, "uk.nhs_number", Confidence::kHigh), 2u);
  const Finding* f = nullptr;
  for (const auto& x : r.findings) if (x.type == "uk.nhs_number") f = &x;
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->locations.size(), 4u);
  for (const auto& l : f->locations) {
    EXPECT_EQ(l.part, "2/notes.txt");
    EXPECT_EQ(l.masked.find(a.substr(0, 6)), std::string::npos);
    EXPECT_TRUE(l.hash == hasher_.Hex(a) || l.hash == hasher_.Hex(b));
    // The mask lines up with the text at its offset: same layout, same last four characters.
    std::string at = text.substr(l.offset, l.masked.size());
    EXPECT_EQ(at.substr(at.size() - 4), l.masked.substr(l.masked.size() - 4));
    EXPECT_EQ(at.find_first_of(" -"), l.masked.find_first_of(" -"));
  }
  EXPECT_EQ(f->locations[0].offset, text.find(synth::Grouped(a, {3, 3, 4}, ' ')));
  EXPECT_EQ(f->locations[0].masked, "*** *** " + a.substr(6));
}

TEST_F(EngineTest, HealthContextChangesTheNhsNumberCategory) {
  synth::Rng rng(9);
  std::string v = synth::NhsNumber(rng);
  auto category = [&](const std::string& text) {
    for (const auto& f : scanner_.ScanText(text).findings) if (f.type == "uk.nhs_number") return f.category;
    return std::string();
  };
  EXPECT_EQ(category("NHS number " + v), "BASIC_IDENTIFIERS");
  EXPECT_EQ(category("NHS number " + v + " diagnosis of dementia"), "HEALTH");
}

TEST_F(EngineTest, DictionaryTermsAreWholeWordCaselessAndSpanLineBreaks) {
  ScanResult r = scanner_.ScanText("Referred under the Mental\r\n  Health Act; CHILD PROTECTION PLAN agreed. Chemotherapyish");
  EXPECT_EQ(CountAtLeast(r, "dict.health", Confidence::kLow), 2u);  // "mental health", "Mental Health Act"
  EXPECT_EQ(CountAtLeast(r, "dict.children_safeguarding", Confidence::kLow), 2u);  // plan + "child protection"
  ScanResult none = scanner_.ScanText("We will send the agenda; the race starts at noon; aids to navigation.");
  EXPECT_TRUE(none.findings.empty());
}

TEST(EngineCustomTypeTest, AnAdminAddsATypeInYamlWithoutRebuilding) {
  TempDir dir;
  dir.Write("types/housing_ref.yaml",
            "id: org.housing_ref\nname: housing reference\ncategory: BASIC_IDENTIFIERS\n"
            "patterns:\n  - regex: 'HSG-\\d{6}'\n    distinctive: true\nvalidator: none\n"
            "context:\n  keywords: [tenancy]\nmust_match: ['HSG-123456']\n");
  auto rs = rules::LoadRuleSet({SENDGUARD_RULES_DIR, dir.path()});
  ASSERT_TRUE(rs.ok()) << rs.status().message();
  auto compiled = CompileRules(std::move(rs).value());
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  common::KeyedHasher hasher("k");
  Scanner scanner(*compiled, hasher);
  ScanResult r = scanner.ScanText("tenancy file HSG-123456 and HSG-654321");
  EXPECT_EQ(CountAtLeast(r, "org.housing_ref", Confidence::kHigh), 2u);
}

TEST(EngineExactDataTest, ExactMatchRaisesToHighAndExactOnlyTypesReportNothingElse) {
  TempDir dir;
  dir.Write("types/case.yaml",
            "id: case_reference\nname: case reference\ncategory: BASIC_IDENTIFIERS\n"
            "patterns: ['\\d{7}']\nvalidator: none\nexact_match_only: true\n");
  auto rs = rules::LoadRuleSet({dir.path()});
  ASSERT_TRUE(rs.ok()) << rs.status().message();
  common::KeyedHasher hasher("edm-secret");
  ExactDataSet edm;
  edm.Add("case_reference", hasher.Hex("4410923"));
  auto compiled = CompileRules(std::move(rs).value(), edm);
  ASSERT_TRUE(compiled.ok()) << compiled.status().message();
  Scanner scanner(*compiled, hasher);
  ScanResult r = scanner.ScanText("cases 4410923 and 5550001 are closed");
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].type, "case_reference");
  EXPECT_TRUE(r.findings[0].exact_match);
  EXPECT_EQ(r.findings[0].confidence, Confidence::kHigh);
  EXPECT_EQ(r.findings[0].count, 1u);
  EXPECT_EQ(r.findings[0].locations[0].hash, hasher.Hex("4410923"));
}

TEST(EngineCompileTest, RefusedPatternsAndUnknownValidatorsNameFileAndLine) {
  TempDir dir;
  dir.Write("types/bad.yaml",
            "id: bad.one\ncategory: OTHER\npatterns:\n  - 'ok\\d{3}'\n  - '(?<=x)\\d{4}'\n  - '\\d+'\nvalidator: no_such\n");
  auto rs = rules::LoadRuleSet({dir.path()});
  ASSERT_TRUE(rs.ok()) << rs.status().message();
  auto compiled = CompileRules(std::move(rs).value());
  ASSERT_FALSE(compiled.ok());
  const std::string& m = compiled.status().message();
  std::string file = (dir.path() / "types/bad.yaml").string();
  EXPECT_NE(m.find(file + ":7: unknown validator 'no_such'"), std::string::npos) << m;
  // Fix the validator: now the two bad patterns are reported at their own lines.
  dir.Write("types/bad.yaml",
            "id: bad.one\ncategory: OTHER\npatterns:\n  - 'ok\\d{3}'\n  - '(?<=x)\\d{4}'\n  - '\\d+'\nvalidator: none\n");
  auto rs2 = rules::LoadRuleSet({dir.path()});
  auto compiled2 = CompileRules(std::move(rs2).value());
  ASSERT_FALSE(compiled2.ok());
  const std::string& m2 = compiled2.status().message();
  EXPECT_NE(m2.find(file + ":5: Hyperscan refuses pattern"), std::string::npos) << m2;
  EXPECT_NE(m2.find(file + ":6: pattern of 'bad.one' has unbounded width"), std::string::npos) << m2;
}

TEST_F(EngineTest, RuleExamplesAllPass) {
  for (const auto& t : ShippedRules()->rule_set().types) {
    for (const auto& ex : t.must_match) {
      EXPECT_GT(CountAtLeast(scanner_.ScanText(ex.text), t.id, Confidence::kLow), 0u) << ex.where.ToString();
    }
    for (const auto& ex : t.must_not_match) {
      EXPECT_EQ(CountAtLeast(scanner_.ScanText(ex.text), t.id, Confidence::kLow), 0u) << ex.where.ToString();
    }
  }
}

}  // namespace
}  // namespace sendguard::scanner

namespace sendguard::scanner {
namespace {

TEST_F(EngineTest, OverlappingReadingsOfDifferentTypesKeepTheMoreConfidentOne) {
  // A valid NHS number starting 0 in 3-3-4 layout is also shaped like an 08x phone number.
  std::string nhs;
  synth::Rng rng(10);
  while (nhs.empty()) {
    std::string v = synth::NhsNumber(rng);
    if (v.rfind("08", 0) == 0) nhs = v;
  }
  std::string spaced = synth::Grouped(nhs, {3, 3, 4}, ' ');
  ScanResult as_nhs = scanner_.ScanText("NHS number " + spaced);
  EXPECT_EQ(BestConfidence(as_nhs, "uk.nhs_number"), Confidence::kHigh);
  EXPECT_FALSE(BestConfidence(as_nhs, "uk.phone").has_value());
  ScanResult as_phone = scanner_.ScanText("Tel: " + spaced);
  EXPECT_EQ(BestConfidence(as_phone, "uk.phone"), Confidence::kHigh);
  EXPECT_FALSE(BestConfidence(as_phone, "uk.nhs_number").has_value());
}

// What an independent tester's corpus found (2026-12-06): a meeting invitation's passcode was
// a credential at high (every outside invitation warned), a Zoom meeting ID passing the NHS
// check was an NHS number at medium, and a National Insurance number typed in lower case was
// not found at all.
TEST_F(EngineTest, MeetingInvitationsAndLowerCaseNiNumbers) {
  const std::string invite = "Join Zoom Meeting\nhttps://us02web.zoom.us/j/81234567890\n\nMeeting ID: 812 3456 7890\nPasscode: 419327\n";
  EXPECT_EQ(BestConfidence(scanner_.ScanText(invite), "credentials"), Confidence::kLow);
  const std::string teams = "Microsoft Teams meeting\nJoin on your computer\nMeeting ID: 371 952 884 105\nPasscode: Xy7abQ\n";
  EXPECT_EQ(BestConfidence(scanner_.ScanText(teams), "credentials"), Confidence::kLow);
  // A code to a resident's key safe is still a secret.
  EXPECT_EQ(BestConfidence(scanner_.ScanText("Key safe by the back door, passcode: 4821\n"), "credentials"), Confidence::kHigh);

  synth::Rng rng(41);
  const std::string spaced = synth::Grouped(synth::NhsNumber(rng), {3, 3, 4}, ' ');
  EXPECT_EQ(BestConfidence(scanner_.ScanText("Meeting ID: " + spaced + "\n"), "uk.nhs_number"), Confidence::kLow);
  EXPECT_EQ(BestConfidence(scanner_.ScanText("Her NHS number is " + spaced + "\n"), "uk.nhs_number"), Confidence::kHigh);

  std::string nino = common::AsciiLower(synth::Nino(rng));
  EXPECT_EQ(BestConfidence(scanner_.ScanText("my ni number is " + nino + "\n"), "uk.nino"), Confidence::kHigh);
  const std::string spaced_nino = nino.substr(0, 2) + " " + nino.substr(2, 2) + " " + nino.substr(4, 2) + " " + nino.substr(6, 2) +
                                  (nino.size() > 8 ? " " + nino.substr(8) : "");
  EXPECT_EQ(BestConfidence(scanner_.ScanText("see " + spaced_nino + " below\n"), "uk.nino"), Confidence::kMedium);
}

}  // namespace
}  // namespace sendguard::scanner

