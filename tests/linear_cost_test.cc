// SPDX-License-Identifier: Apache-2.0
// Linear cost: each pathology is timed at size N and 10N in the same run, and the ratio must
// stay under 20 (linear is about 10, quadratic about 100). No absolute times: the machine and
// the sanitizers change those, not the ratio. The message path is the one the milter and
// `sendguard scan` take: scan, header facts, policies.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/config.h"
#include "sendguard/milter/policy_setup.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

constexpr double kMaxRatio = 20;
// Tries per size in each round. Under AddressSanitizer every call is several times slower and
// the sanitizer tree's run is what this costs most; fewer tries there (the rounds below still
// retry a ratio a busy machine spoiled).
#if defined(__SANITIZE_ADDRESS__)
constexpr int kSmallTries = 2, kLargeTries = 1;
#else
constexpr int kSmallTries = 5, kLargeTries = 3;
#endif

// Seconds one call of `run` takes, the best of `tries`.
double Best(const std::function<void()>& run, int tries) {
  double best = 1e9;
  for (int i = 0; i < tries; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

class LinearCostTest : public ::testing::Test {
 protected:
  LinearCostTest() {
    auto config = milter::ParseConfig("organisation: {internal_domains: [council.example.gov.uk]}\n", "test.yaml");
    EXPECT_TRUE(config.ok());
    auto engine = milter::LoadPolicyEngine(*config, {SENDGUARD_RULES_DIR}, nullptr);
    EXPECT_TRUE(engine.ok()) << engine.status().message();
    engine_ = *engine;
  }
  // The whole message path for one raw message.
  void Decide(const std::string& raw) {
    milter::Decision d = milter::DecideMessage(scanner_, *engine_, nullptr, raw, milter::Envelope{});
    ASSERT_GE(d.scan.parts, 1u);
  }
  // Times `make(n)` through `run` at n and 10n; expects the ratio under kMaxRatio.
  // Each size is timed best-of-several, in up to three rounds (the best of every round kept),
  // so a machine busy with something else cannot fake a super-linear stage; a real one
  // (ratio near 100) never gets under the bound.
  void ExpectLinear(const std::string& what, size_t n, const std::function<std::string(size_t)>& make,
                    const std::function<void(const std::string&)>& run) {
    std::string small = make(n), large = make(10 * n);
    double t1 = 1e9, t10 = 1e9, ratio = 1e9;
    for (int round = 0; round < 3 && ratio >= kMaxRatio; ++round) {
      t1 = std::min(t1, Best([&] { run(small); }, kSmallTries));
      t10 = std::min(t10, Best([&] { run(large); }, kLargeTries));
      ratio = t10 / std::max(t1, 1e-6);
    }
    std::printf("%s: N=%zu %.4f s, 10N %.4f s, ratio %.1f\n", what.c_str(), n, t1, t10, ratio);
    EXPECT_LT(ratio, kMaxRatio) << what << ": " << t1 << " s at N=" << n << ", " << t10 << " s at 10N";
  }
  static std::string Head() { return "From: a@council.example.gov.uk\r\nSubject: notes\r\nMIME-Version: 1.0\r\n"; }
  static std::string Addresses(size_t n, const std::string& separator) {
    std::string out;
    for (size_t i = 0; i < n; ++i) {
      if (i) out += separator;
      out += "Person " + std::to_string(i) + " <p" + std::to_string(i) + "@example.org>";
    }
    return out;
  }

  common::KeyedHasher hasher_{"linear"};
  scanner::ScanOptions options_ = [] {
    scanner::ScanOptions o;
    o.max_parts = 1'000'000;  // the pathologies below are about cost, not the bounds
    o.max_archive_members = 1'000'000;
    o.time_budget_ms = 600'000;
    return o;
  }();
  scanner::Scanner scanner_{testing::ShippedRules(), hasher_, options_};
  std::shared_ptr<const rules::PolicyEngine> engine_;
};

TEST_F(LinearCostTest, ToHeaderWithManyAddressesOnOneLine) {
  ExpectLinear("To: on one line", 10'000,
               [](size_t n) { return Head() + "To: " + Addresses(n, ", ") + "\r\n\r\nhello\r\n"; },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, ToHeaderWithManyAddressesFolded) {
  ExpectLinear("To: folded", 10'000,
               [](size_t n) { return Head() + "To: " + Addresses(n, ",\r\n ") + "\r\n\r\nhello\r\n"; },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, ManyHeaderFields) {
  ExpectLinear("header fields", 50'000,
               [](size_t n) {
                 std::string m = Head() + "To: b@example.org\r\n";
                 for (size_t i = 0; i < n; ++i) m += "X-Trace-" + std::to_string(i) + ": hop " + std::to_string(i) + "\r\n";
                 return m + "\r\nhello\r\n";
               },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, LongSubject) {
  ExpectLinear("subject words", 300'000,
               [](size_t n) {
                 std::string subject;
                 for (size_t i = 0; i < n; ++i) subject += "word" + std::to_string(i) + " ";
                 return "From: a@council.example.gov.uk\r\nTo: b@example.org\r\nSubject: " + subject + "\r\n\r\nhello\r\n";
               },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, ManyMimeParts) {
  ExpectLinear("MIME parts", 5'000,
               [](size_t n) {
                 std::string m = Head() + "To: b@example.org\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n";
                 for (size_t i = 0; i < n; ++i) m += "--b\r\nContent-Type: text/plain\r\n\r\npart " + std::to_string(i) + "\r\n";
                 return m + "--b--\r\n";
               },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, ManyBodyLines) {
  ExpectLinear("body lines", 200'000,
               [](size_t n) {
                 std::string m = Head() + "To: b@example.org\r\n\r\n";
                 for (size_t i = 0; i < n; ++i) m += "line " + std::to_string(i) + " of the note\r\n";
                 return m;
               },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, ManyArchiveEntries) {
  ExpectLinear("ZIP entries", 5'000,
               [](size_t n) {
                 synth::Files files;
                 for (size_t i = 0; i < n; ++i) files.push_back({"f" + std::to_string(i) + ".txt", "entry " + std::to_string(i)});
                 return synth::MessageWithAttachments("see attached", {{"many.zip", "application/zip", synth::ZipArchive(files)}});
               },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, DeepHtmlNesting) {
  ExpectLinear("HTML nesting", 100'000,
               [](size_t n) {
                 std::string html = "<html><body>";
                 for (size_t i = 0; i < n; ++i) html += "<div>";
                 html += "text";
                 for (size_t i = 0; i < n; ++i) html += "</div>";
                 return Head() + "To: b@example.org\r\nContent-Type: text/html\r\n\r\n" + html + "</body></html>\r\n";
               },
               [&](const std::string& m) { Decide(m); });
}

TEST_F(LinearCostTest, DeepRtfGroups) {
  ExpectLinear("RTF groups", 1'000'000,
               [](size_t n) {
                 std::string rtf = "{\\rtf1 " + std::string(n, '{') + "text" + std::string(n, '}') + "}";
                 return synth::MessageWithAttachments("see attached", {{"a.rtf", "application/rtf", rtf}});
               },
               [&](const std::string& m) { Decide(m); });
}

}  // namespace
}  // namespace sendguard
