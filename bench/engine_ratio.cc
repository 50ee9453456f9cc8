// SPDX-License-Identifier: Apache-2.0
// Engine/raw ratio with less noise than engine_bench on a shared machine: each round scans
// the corpus five times with RawScanner and then five times with Scanner::ScanText, on the
// same thread, timed by thread CPU time; the ratio of the two best rounds and the median of
// the per-round ratios are printed. Same corpora as engine_bench. Usage: engine_ratio [rounds]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine_corpora.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/raw_scanner.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/shipped_rules.h"

namespace {

double ThreadSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::vector<std::string> RealMail() { return sendguard::bench::LoadRealMail(); }
std::vector<std::string> Synthetic() { return sendguard::bench::MakeSyntheticCorpus(); }

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 30;
  constexpr int kPasses = 5;
  sendguard::common::KeyedHasher hasher("bench");
  auto rules = sendguard::testing::ShippedRules();
  sendguard::scanner::Scanner scanner(rules, hasher);
  sendguard::scanner::RawScanner raw(rules);
  const std::vector<std::string> corpora[] = {RealMail(), Synthetic()};
  const char* names[] = {"real-mail", "synthetic"};
  for (int c = 0; c < 2; ++c) {
    std::vector<double> raw_s, engine_s, ratios;
    uint64_t sink = 0;
    for (int r = 0; r < rounds; ++r) {
      double t0 = ThreadSeconds();
      for (int p = 0; p < kPasses; ++p) {
        for (const auto& m : corpora[c]) sink += raw.Scan(m);
      }
      double t1 = ThreadSeconds();
      for (int p = 0; p < kPasses; ++p) {
        for (const auto& m : corpora[c]) sink += scanner.ScanText(m).findings.size();
      }
      double t2 = ThreadSeconds();
      raw_s.push_back(t1 - t0);
      engine_s.push_back(t2 - t1);
      ratios.push_back((t1 - t0) / (t2 - t1));
    }
    std::sort(ratios.begin(), ratios.end());
    double best_raw = *std::min_element(raw_s.begin(), raw_s.end());
    double best_engine = *std::min_element(engine_s.begin(), engine_s.end());
    std::printf("%-10s engine/raw %.1f%% (best rounds), %.1f%% (median round); raw %.2f ms, engine %.2f ms a pass%s\n",
                names[c], 100 * best_raw / best_engine, 100 * ratios[ratios.size() / 2], best_raw * 1e3 / kPasses,
                best_engine * 1e3 / kPasses, sink == 42 ? " " : "");
  }
  return 0;
}
