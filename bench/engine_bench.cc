// SPDX-License-Identifier: Apache-2.0
// Engine throughput (Google Benchmark). On each corpus, the same bytes go through:
//   raw_hyperscan  the Hyperscan pass alone over the same database (the baseline);
//   engine_text    scan + confirm + collect (Scanner::ScanText) on the raw message bytes;
//   full_message   MIME walk + decoding + charset + HTML + scan + confirm (Scanner::ScanMessage).
// After the run it prints each figure as a ratio of the baseline measured in the same run.
// Corpora: ../shared/corpus/real-mail (real, sparse) and a seeded synthetic council corpus
// (dense with identifiers, the confirm stage's worst realistic case).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine_corpora.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/raw_scanner.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "rate_reporter.h"
#include "sendguard/testing/shipped_rules.h"

namespace {

using sendguard::scanner::CompiledRules;

std::shared_ptr<const CompiledRules> Rules() { return sendguard::testing::ShippedRules(); }

const std::vector<std::string>& RealMail() {
  static const std::vector<std::string> corpus = sendguard::bench::LoadRealMail();
  return corpus;
}

const std::vector<std::string>& Synthetic() {
  static const std::vector<std::string> corpus = sendguard::bench::MakeSyntheticCorpus();
  return corpus;
}

const std::vector<std::string>& Corpus(int which) { return which == 0 ? RealMail() : Synthetic(); }

int64_t Bytes(const std::vector<std::string>& c) {
  int64_t n = 0;
  for (const auto& m : c) n += static_cast<int64_t>(m.size());
  return n;
}

void BM_RawHyperscan(benchmark::State& state) {
  const auto& corpus = Corpus(static_cast<int>(state.range(0)));
  sendguard::scanner::RawScanner raw(Rules());
  for (auto _ : state) {
    for (const auto& m : corpus) benchmark::DoNotOptimize(raw.Scan(m));
  }
  state.SetBytesProcessed(state.iterations() * Bytes(corpus));
}

// One Scanner over every message of the corpus per iteration, calling `scan` on each.
template <typename ScanFn>
void RunScanner(benchmark::State& state, ScanFn scan) {
  const auto& corpus = Corpus(static_cast<int>(state.range(0)));
  sendguard::common::KeyedHasher hasher("bench");
  sendguard::scanner::Scanner scanner(Rules(), hasher);
  for (auto _ : state) {
    for (const auto& m : corpus) benchmark::DoNotOptimize(scan(scanner, m));
  }
  state.SetBytesProcessed(state.iterations() * Bytes(corpus));
  state.counters["messages_per_s"] =
      benchmark::Counter(static_cast<double>(corpus.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_EngineText(benchmark::State& state) {
  RunScanner(state, [](sendguard::scanner::Scanner& s, const std::string& m) { return s.ScanText(m); });
}

void BM_FullMessage(benchmark::State& state) {
  RunScanner(state, [](sendguard::scanner::Scanner& s, const std::string& m) { return s.ScanMessage(m); });
}

BENCHMARK(BM_RawHyperscan)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_EngineText)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_FullMessage)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(1.0);

// Console output as usual, plus the ratio table.
class RatioReporter : public sendguard::bench::RateReporter {
 public:
  void PrintRatios() const {
    const char* names[] = {"real-mail", "synthetic"};
    std::printf("\n%-12s %14s %14s %14s %12s %12s\n", "corpus", "raw MB/s", "engine MB/s", "message MB/s",
                "engine/raw", "message/raw");
    for (int c = 0; c < 2; ++c) {
      std::string arg = "/" + std::to_string(c) + "/min_time:1.000";
      double raw = Rate("BM_RawHyperscan" + arg), eng = Rate("BM_EngineText" + arg), msg = Rate("BM_FullMessage" + arg);
      if (raw <= 0) continue;
      std::printf("%-12s %14.1f %14.1f %14.1f %11.1f%% %11.1f%%\n", names[c], raw / 1e6, eng / 1e6, msg / 1e6,
                  100 * eng / raw, 100 * msg / raw);
    }
  }

};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::printf("corpora: real-mail %zu messages %.2f MB; synthetic %zu messages %.2f MB\n", RealMail().size(),
              Bytes(RealMail()) / 1e6, Synthetic().size(), Bytes(Synthetic()) / 1e6);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  return 0;
}
