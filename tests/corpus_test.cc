// SPDX-License-Identifier: Apache-2.0
// Corpus tests. (1) A seeded synthetic corpus: recall and precision per type at medium
// confidence or above, at least 99% for the checksum-validated types. (2) Real mail from
// other projects' test suites (../shared/corpus/real-mail): nothing crashes or hangs, and
// no identifier is reported at medium or high confidence.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/detection_tally.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

using testing::ShippedRules;

using testing::Tally;

TEST(SyntheticCorpusTest, RecallAndPrecisionPerType) {
  common::KeyedHasher hasher("corpus-secret");
  scanner::Scanner scanner(ShippedRules(), hasher);
  auto corpus = synth::MakeCorpus(20261122, 2000, 0.6);
  std::map<std::string, Tally> tally;
  for (const auto& m : corpus) {
    std::set<std::pair<std::string, std::string>> planted, found;
    for (const auto& p : m.planted) planted.insert({p.type, hasher.Hex(p.normalized)});
    scanner::ScanResult r = scanner.ScanMessage(m.raw);
    for (const auto& f : r.findings) {
      if (f.kind != "identifier" || f.confidence < rules::Confidence::kMedium) continue;
      for (const auto& l : f.locations) found.insert({f.type, l.hash});
    }
    for (const auto& p : planted) (found.count(p) ? tally[p.first].tp : tally[p.first].fn)++;
    for (const auto& f : found) {
      if (!planted.count(f)) tally[f.first].fp++;
    }
  }
  // Phone numbers, postcodes and the like are never planted: they are the hard negatives'
  // own types, so a "false positive" of theirs is not one.
  for (auto it = tally.begin(); it != tally.end();) {
    it = (it->second.tp + it->second.fn == 0) ? tally.erase(it) : std::next(it);
  }
  // Phone numbers, postcodes and the like are never planted: they are the hard negatives'
  // own types, so a "false positive" of theirs is not one.
  for (auto it = tally.begin(); it != tally.end();) {
    it = (it->second.tp + it->second.fn == 0) ? tally.erase(it) : std::next(it);
  }
  std::printf("%-20s %6s %6s %6s %8s %9s\n", "type", "tp", "fp", "fn", "recall", "precision");
  for (const auto& [type, t] : tally) {
    std::printf("%-20s %6d %6d %6d %7.2f%% %8.2f%%\n", type.c_str(), t.tp, t.fp, t.fn, 100 * t.Recall(), 100 * t.Precision());
  }
  for (const char* type : {"uk.nhs_number", "uk.chi_number", "pci.card", "iban", "uk.upn"}) {
    ASSERT_TRUE(tally.count(type)) << type << " never planted";
    EXPECT_GE(tally[type].tp, 100) << type;
    EXPECT_GE(tally[type].Recall(), 0.99) << type;
    EXPECT_GE(tally[type].Precision(), 0.99) << type;
  }
  // Types without a checksum rely on context; they are held to 95%.
  for (const char* type : {"uk.nino", "uk.bank_account", "uk.passport", "uk.driving_licence"}) {
    EXPECT_GE(tally[type].Recall(), 0.95) << type;
    EXPECT_GE(tally[type].Precision(), 0.95) << type;
  }
}

TEST(RealMailCorpusTest, EveryMessageScansAndNoIdentifierIsReportedAtMediumOrHigh) {
  namespace fs = std::filesystem;
  fs::path dir = SENDGUARD_REAL_MAIL_DIR;
  ASSERT_TRUE(fs::is_directory(dir)) << dir << " is missing (it sits beside the checkout in ../shared)";
  common::KeyedHasher hasher("real-mail");
  scanner::Scanner scanner(ShippedRules(), hasher);
  const std::set<std::string> identifiers = {"uk.nhs_number", "uk.nino", "pci.card", "iban", "uk.bank_account",
                                             "uk.passport", "uk.driving_licence", "uk.upn"};
  int scanned = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name == "MANIFEST.tsv" || name == "README.md") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto start = std::chrono::steady_clock::now();
    scanner::ScanResult r = scanner.ScanMessage(raw);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(ms, 5000) << name << " took too long";
    for (const auto& f : r.findings) {
      if (identifiers.count(f.type) && f.confidence >= rules::Confidence::kMedium) {
        ADD_FAILURE() << name << ": " << f.type << " at " << rules::ConfidenceName(f.confidence) << " ("
                      << f.locations[0].masked << " in " << f.locations[0].part << ")";
      }
    }
    ++scanned;
  }
  EXPECT_GE(scanned, 140);
}

}  // namespace
}  // namespace sendguard
