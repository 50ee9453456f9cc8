// SPDX-License-Identifier: Apache-2.0
// Issue 18: recall and precision per named real-world layout and per type (synth/layouts.h),
// and a second opinion: a deliberately naive checksum oracle (every digit run of the right
// length that passes the check, no context) over what a reader sees. Every identifier the
// oracle finds and the scanner does not (at medium or high) is counted by layout and kind,
// and each kind must be one docs/RULES.md explains ("Second opinion"). Output is counts and
// kinds only, never values.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/layouts.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/detection_tally.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

using testing::Tally;

const std::set<std::string> kIdentifiers = {"uk.nhs_number", "uk.chi_number", "uk.nino",   "pci.card", "iban",
                                            "uk.bank_account", "uk.passport", "uk.driving_licence", "uk.upn"};

struct OracleHit {
  std::string type;   // uk.nhs_number or pci.card
  std::string value;  // digits
  bool grouped;       // written in groups ("617 029 4736") rather than one run
};

bool Digit(char c) { return c >= '0' && c <= '9'; }

void Check(const std::string& digits, bool grouped, std::vector<OracleHit>& out) {
  if (digits.size() == 10 && synth::NhsValid(digits)) out.push_back({"uk.nhs_number", digits, grouped});
  if (digits.size() >= 13 && digits.size() <= 19 && synth::LuhnValid(digits)) out.push_back({"pci.card", digits, grouped});
}

// The naive oracle: each maximal digit run, and each run of digit groups joined by single
// spaces or hyphens, checked by mod 11 (10 digits) and Luhn (13-19 digits). No context.
std::vector<OracleHit> NaiveOracle(const std::string& text) {
  std::vector<OracleHit> out;
  for (size_t i = 0; i < text.size();) {
    if (!Digit(text[i]) || (i > 0 && Digit(text[i - 1]))) {
      ++i;
      continue;
    }
    std::string all, run;
    bool grouped = false;
    size_t j = i;
    for (; j < text.size(); ++j) {
      if (Digit(text[j])) {
        all += text[j];
        run += text[j];
      } else if ((text[j] == ' ' || text[j] == '-') && j + 1 < text.size() && Digit(text[j + 1]) && !run.empty()) {
        Check(run, false, out);
        run.clear();
        grouped = true;
      } else {
        break;
      }
    }
    Check(run, false, out);
    if (grouped) Check(all, true, out);
    i = j;
  }
  return out;
}

TEST(LayoutCorpusTest, RecallPrecisionPerLayoutAndTheNaiveOracle) {
  common::KeyedHasher hasher("layout-corpus");
  scanner::Scanner scanner(testing::ShippedRules(), hasher);
  auto corpus = synth::MakeLayoutCorpus(20261206, 25);
  std::map<std::string, Tally> by_layout, by_type;
  std::map<std::tuple<std::string, std::string, std::string>, int> oracle_only;  // (layout, type, kind) -> count
  for (const auto& m : corpus) {
    std::set<std::pair<std::string, std::string>> planted, found, low;
    for (const auto& p : m.planted) planted.insert({p.type, hasher.Hex(p.normalized)});
    scanner::ScanResult r = scanner.ScanMessage(m.raw);
    for (const auto& f : r.findings) {
      if (!kIdentifiers.count(f.type)) continue;
      for (const auto& l : f.locations) (f.confidence >= rules::Confidence::kMedium ? found : low).insert({f.type, l.hash});
    }
    for (const auto& p : planted) {
      bool hit = found.count(p) > 0;
      (hit ? by_layout[m.layout].tp : by_layout[m.layout].fn)++;
      (hit ? by_type[p.first].tp : by_type[p.first].fn)++;
    }
    for (const auto& f : found) {
      if (planted.count(f)) continue;
      by_layout[m.layout].fp++;
      by_type[f.first].fp++;
    }
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& o : NaiveOracle(m.reader_text)) {
      std::pair<std::string, std::string> key{o.type, hasher.Hex(o.value)};
      if (found.count(key) || !seen.insert(key).second) continue;
      std::string kind = std::string(o.grouped ? "grouped" : "bare") + (low.count(key) ? ", reported low" : ", not reported");
      if (o.type == "pci.card" && !planted.count(key)) kind += ", not a card";
      if (o.type == "uk.nhs_number" && !planted.count(key)) kind += ", not an NHS number";
      ++oracle_only[{m.layout, o.type, kind}];
    }
  }
  std::printf("%-34s %6s %6s %6s %8s %9s\n", "layout", "tp", "fp", "fn", "recall", "precision");
  for (const auto& [name, t] : by_layout) {
    std::printf("%-34s %6d %6d %6d %7.2f%% %8.2f%%\n", name.c_str(), t.tp, t.fp, t.fn, 100 * t.Recall(), 100 * t.Precision());
  }
  std::printf("\n%-34s %6s %6s %6s %8s %9s\n", "type", "tp", "fp", "fn", "recall", "precision");
  for (const auto& [name, t] : by_type) {
    std::printf("%-34s %6d %6d %6d %7.2f%% %8.2f%%\n", name.c_str(), t.tp, t.fp, t.fn, 100 * t.Recall(), 100 * t.Precision());
  }
  std::printf("\nfound by the naive oracle, not by the scanner at medium or high:\n");
  for (const auto& [key, n] : oracle_only) {
    std::printf("  %-30s %-15s %-45s %5d\n", std::get<0>(key).c_str(), std::get<1>(key).c_str(), std::get<2>(key).c_str(), n);
  }
  for (const auto& name : synth::LayoutNames()) {
    if (name.find("negatives") != std::string::npos) {  // nothing planted: precision is all there is
      EXPECT_EQ(by_layout[name].fp, 0) << name;
      continue;
    }
    ASSERT_TRUE(by_layout.count(name)) << name;
    EXPECT_GE(by_layout[name].Recall(), 0.995) << name;
    EXPECT_GE(by_layout[name].Precision(), 0.995) << name;
  }
  for (const auto& [name, t] : by_type) {
    EXPECT_GE(t.Recall(), 0.995) << name;
    EXPECT_GE(t.Precision(), 0.995) << name;
  }
  // Every kind the oracle finds alone is explained in docs/RULES.md, "Second opinion".
  const std::set<std::pair<std::string, std::string>> explained = {
      {"uk.nhs_number", "bare, reported low, not an NHS number"},
      {"uk.nhs_number", "bare, not reported, not an NHS number"},
      {"pci.card", "bare, not reported, not a card"},
      {"pci.card", "bare, reported low, not a card"},                     // next to a negative word
      {"uk.nhs_number", "grouped, reported low, not an NHS number"},      // next to a negative word
      {"pci.card", "grouped, not reported, not a card"},
  };
  for (const auto& [key, n] : oracle_only) {
    EXPECT_TRUE(explained.count({std::get<1>(key), std::get<2>(key)}))
        << std::get<0>(key) << ": " << std::get<1>(key) << " (" << std::get<2>(key) << ") x" << n << " is not explained";
  }
}

}  // namespace
}  // namespace sendguard
