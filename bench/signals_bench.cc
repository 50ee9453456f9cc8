// SPDX-License-Identifier: Apache-2.0
// The misdirection signals' cost (Google Benchmark). One message to two outside recipients (one
// domain used before, one new), judged with rules::ComputeSignals against the real recipient
// history (the milter's SQLite store) holding 0, 200 or 2,000 previously used domains, beside
// the baseline measured in the same run: Scanner::ScanMessage over the same message. After the
// run it prints the signals' time per message as a share of the scan's.
//   build/bench/signals_bench          # about 10 s
#include <benchmark/benchmark.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/rules/recipients.h"
#include "sendguard/rules/signals.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "rate_reporter.h"
#include "sendguard/testing/shipped_freemail.h"
#include "sendguard/testing/shipped_rules.h"

namespace {

namespace fs = std::filesystem;
using sendguard::rules::MessageFacts;

const std::string& Message() {
  static const std::string raw = sendguard::synth::MakeCorpus(11, 1, 1.0).front().raw;
  return raw;
}

MessageFacts Facts() {
  MessageFacts f;
  f.sender = "case.officer@council.example.gov.uk";
  f.recipients = {"j.smith@partner-0.org.uk", "advice@neverseen-before.co.uk"};
  f.visible = {{"J Smith", "j.smith@partner-0.org.uk"}, {"", "advice@neverseen-before.co.uk"}};
  f.salutation = "Mr Smith";
  return f;
}

sendguard::rules::Organisation Org() {
  sendguard::rules::Organisation org;
  org.directory.internal = {"council.example.gov.uk"};
  org.directory.partner = {"nhs.net"};
  org.directory.freemail = sendguard::testing::ShippedFreemail();
  return org;
}

// A state database whose history holds `domains` used domains, made once per size.
struct History {
  fs::path dir;
  std::unique_ptr<sendguard::common::SqlDb> db;
  std::unique_ptr<sendguard::milter::RecipientHistory> view;
};

std::map<int, History>& Histories() {
  static std::map<int, History> made;
  return made;
}

History& HistoryWith(int domains) {
  static sendguard::common::KeyedHasher hasher("bench");
  auto& made = Histories();
  auto it = made.find(domains);
  if (it != made.end()) return it->second;
  History h;
  h.dir = fs::temp_directory_path() / ("sendguard-signals-bench-" + std::to_string(domains) + "-" +
                                       std::to_string(static_cast<long>(std::time(nullptr))));
  fs::remove_all(h.dir);
  fs::create_directories(h.dir);
  auto db = sendguard::milter::OpenStateDb((h.dir / "state.db").string());
  if (!db.ok()) {
    std::fprintf(stderr, "signals_bench: %s\n", db.status().message().c_str());
    std::abort();
  }
  h.db = std::move(*db);
  h.view = std::make_unique<sendguard::milter::RecipientHistory>(*h.db, hasher);
  std::mt19937 rng(static_cast<unsigned>(domains));
  const char* suffixes[] = {"org.uk", "co.uk", "com", "gov.uk", "nhs.uk", "org", "ac.uk"};
  for (int i = 0; i < domains; ++i) {
    std::string name = i == 0 ? "partner-0" : "";
    for (int n = 5 + static_cast<int>(rng() % 10); i > 0 && n > 0; --n) name.push_back(static_cast<char>('a' + rng() % 26));
    std::string domain = name + "." + suffixes[rng() % 7];
    h.view->Record("case.officer@council.example.gov.uk", {{"", "someone@" + domain}}, 1'700'000'000 + i);
  }
  return made.emplace(domains, std::move(h)).first->second;
}

void BM_ScanMessage(benchmark::State& state) {
  sendguard::common::KeyedHasher hasher("bench");
  sendguard::scanner::Scanner scanner(sendguard::testing::ShippedRules(), hasher);
  for (auto _ : state) benchmark::DoNotOptimize(scanner.ScanMessage(Message()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Message().size()));
}

void BM_Signals(benchmark::State& state) {
  const History& h = HistoryWith(static_cast<int>(state.range(0)));
  const auto org = Org();
  const auto facts = Facts();
  for (auto _ : state) benchmark::DoNotOptimize(sendguard::rules::ComputeSignals(facts, org, h.view.get()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(Message().size()));
}

BENCHMARK(BM_ScanMessage)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_Signals)->Arg(0)->Arg(200)->Arg(2000)->Unit(benchmark::kMicrosecond)->MinTime(1.0);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  std::printf("message: %zu bytes, two outside recipients\n", Message().size());
  sendguard::bench::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double scan = reporter.Rate("BM_ScanMessage/min_time:1.000");
  std::printf("\n%-22s %16s %16s\n", "history domains", "signals us/msg", "signals / scan");
  for (int n : {0, 200, 2000}) {
    const double rate = reporter.Rate("BM_Signals/" + std::to_string(n) + "/min_time:1.000");
    if (rate <= 0 || scan <= 0) continue;
    std::printf("%-22d %16.1f %15.1f%%\n", n, 1e6 * static_cast<double>(Message().size()) / rate, 100 * scan / rate);
  }
  for (const auto& [n, h] : Histories()) fs::remove_all(h.dir);
  return 0;
}
