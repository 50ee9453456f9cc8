// SPDX-License-Identifier: Apache-2.0
// Bad input: invalid UTF-8, NUL bytes, a 50 MB single line, a candidate flood, an empty
// file, truncated MIME. Each gets a clear result and never a crash.
#include <gtest/gtest.h>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

class BadInputTest : public ::testing::Test {
 protected:
  static std::shared_ptr<const scanner::CompiledRules> Rules() { return testing::ShippedRules(); }
  uint64_t Nhs(const scanner::ScanResult& r) {
    uint64_t n = 0;
    for (const auto& f : r.findings) n += f.type == "uk.nhs_number" && f.confidence == rules::Confidence::kHigh ? f.count : 0;
    return n;
  }
  BadInputTest() {
    synth::Rng rng(3);
    nhs_ = "NHS number " + synth::NhsNumber(rng);
  }
  common::KeyedHasher hasher_{"bad-input"};
  scanner::Scanner scanner_{Rules(), hasher_};
  std::string nhs_;
};

TEST_F(BadInputTest, InvalidUtf8AndNulBytes) {
  std::string junk;
  synth::Rng rng(1);
  for (int i = 0; i < 5000; ++i) junk.push_back(static_cast<char>(rng.Between(0, 255)));
  scanner::ScanResult r = scanner_.ScanMessage("Subject: x\r\n\r\n" + junk + " " + nhs_ + " " + junk);
  EXPECT_EQ(Nhs(r), 1u);
  std::string with_nul = "Subject: x\r\n\r\nabc" + std::string(3, '\0') + nhs_ + std::string(1, '\0');
  EXPECT_EQ(Nhs(scanner_.ScanMessage(with_nul)), 1u);
}

TEST_F(BadInputTest, FiftyMegabyteSingleLine) {
  std::string line(50u << 20, 'a');
  line.replace(25u << 20, nhs_.size() + 2, " " + nhs_ + " ");
  scanner::ScanResult r = scanner_.ScanMessage("Subject: big\r\n\r\n" + line);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(Nhs(r), 1u);
  EXPECT_GE(r.bytes_scanned, 50u << 20);
}

TEST_F(BadInputTest, CandidateFloodStopsWithAReason) {
  std::string flood;
  flood.reserve(30u << 20);
  while (flood.size() < (30u << 20)) flood += "1234567890 ";
  scanner::ScanResult r = scanner_.ScanText(flood);
  EXPECT_FALSE(r.complete);
  ASSERT_FALSE(r.incomplete_reasons.empty());
  EXPECT_EQ(r.incomplete_reasons[0].rfind("too_many_candidates:", 0), 0u);
}

TEST_F(BadInputTest, OversizeMessageIsScannedUpToTheBoundAndSaysSo) {
  scanner::ScanOptions small;
  small.max_message_bytes = 1000;
  scanner::Scanner bounded(Rules(), hasher_, small);
  scanner::ScanResult r = bounded.ScanMessage("Subject: x\r\n\r\n" + nhs_ + "\r\n" + std::string(5000, 'x'));
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(Nhs(r), 1u);  // what was scanned is kept
  EXPECT_EQ(r.incomplete_reasons[0].rfind("max_message_bytes:", 0), 0u);
}

TEST_F(BadInputTest, EmptyAndHeaderOnlyMessages) {
  scanner::ScanResult empty = scanner_.ScanMessage("");
  EXPECT_TRUE(empty.complete);
  EXPECT_TRUE(empty.findings.empty());
  scanner::ScanResult headers = scanner_.ScanMessage("Subject: " + nhs_ + "\r\nFrom: a@b.org\r\n");
  EXPECT_EQ(Nhs(headers), 1u);
}

TEST_F(BadInputTest, TruncatedInsideABase64Part) {
  std::string m = "From: a@b.org\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n--zz\r\n"
                  "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nTkhTIG51bWJlciAwODMgMDE2IDYx";
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_FALSE(r.complete);
}

TEST_F(BadInputTest, DeeplyNestedMultipartIsBounded) {
  std::string m = "From: a@b.org\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
  const int depth = 60;
  for (int i = 0; i < depth; ++i) {
    m += "--b" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i + 1) + "\r\n\r\n";
  }
  m += "--b" + std::to_string(depth) + "\r\nContent-Type: text/plain\r\n\r\n" + nhs_ + "\r\n";
  for (int i = depth; i >= 0; --i) m += "--b" + std::to_string(i) + "--\r\n";
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_FALSE(r.complete);
  bool depth_reason = false;
  for (const auto& reason : r.incomplete_reasons) depth_reason |= reason.rfind("max_depth:", 0) == 0;
  EXPECT_TRUE(depth_reason);
}

}  // namespace
}  // namespace sendguard
