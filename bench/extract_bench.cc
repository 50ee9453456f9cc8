// SPDX-License-Identifier: Apache-2.0
// Attachment extraction (Google Benchmark).
//   BM_Format/<f>   one message carrying one ~300 KB attachment of format f, whole scan;
//                   MB/s of attachment bytes, beside raw Hyperscan over the same bytes.
//   BM_Mixed        a mixed corpus (plain, HTML, and messages with DOCX, XLSX, PDF, ZIP,
//                   tar.gz attachments): messages/s on one thread.
// After the run: each format's ratio to raw Hyperscan, and the share of time per stage
// (MIME walk, decode, extract, scan, confirm) summed over the mixed corpus.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/raw_scanner.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/synth.h"
#include "rate_reporter.h"
#include "sendguard/testing/shipped_rules.h"

namespace {

using namespace sendguard;

std::shared_ptr<const scanner::CompiledRules> Rules() { return testing::ShippedRules(); }

// Lines of a referral list: names, NHS numbers, notes.
std::vector<std::string> Lines(int n, uint64_t seed) {
  synth::Rng rng(seed);
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i) {
    lines.push_back("Person " + std::to_string(i) + "\t" + synth::NhsNumber(rng) + "\tWard " + std::to_string(i % 9) +
                    "\tReviewed on " + std::to_string(1 + i % 28) + "/03/2024, no further action this week");
  }
  return lines;
}

const char* kFormats[] = {"docx", "xlsx", "odt", "pdf", "rtf", "csv", "zip", "tar.gz"};

struct Sample {
  std::string attachment;
  std::string message;
};

const Sample& FormatSample(int f) {
  static std::map<int, Sample> cache;
  auto it = cache.find(f);
  if (it != cache.end()) return it->second;
  auto lines = Lines(3000, 17);
  std::string csv;
  for (const auto& l : lines) csv += l + "\n";
  std::string bytes, name = std::string("list.") + kFormats[f], type = "application/octet-stream";
  switch (f) {
    case 0: bytes = synth::Docx(lines); break;
    case 1: bytes = synth::Xlsx(lines); break;
    case 2: bytes = synth::Odt(lines); break;
    case 3: bytes = synth::Pdf(std::vector<std::string>(lines.begin(), lines.begin() + 40)); break;
    case 4: bytes = synth::Rtf(lines); break;
    case 5: bytes = csv; type = "text/csv"; break;
    case 6: bytes = synth::ZipArchive({{"list.csv", csv}}); break;
    default: bytes = synth::TarGz({{"list.csv", csv}}); break;
  }
  Sample s{bytes, synth::MessageWithAttachments("Attached.", {{name, type, bytes}})};
  return cache[f] = std::move(s);
}

const std::vector<std::string>& Mixed() {
  static std::vector<std::string> corpus = [] {
    std::vector<std::string> out;
    for (auto& m : synth::MakeCorpus(5, 240, 0.3)) out.push_back(std::move(m.raw));
    auto small = Lines(40, 23);
    std::string csv;
    for (const auto& l : small) csv += l + "\n";
    for (int i = 0; i < 60; ++i) {
      std::vector<synth::Attachment> a;
      switch (i % 5) {
        case 0: a = {{"letter.docx", "application/octet-stream", synth::Docx(small)}}; break;
        case 1: a = {{"list.xlsx", "application/octet-stream", synth::Xlsx(small)}}; break;
        case 2: a = {{"letter.pdf", "application/pdf", synth::Pdf(std::vector<std::string>(small.begin(), small.begin() + 30))}}; break;
        case 3: a = {{"export.zip", "application/zip", synth::ZipArchive({{"list.csv", csv}})}}; break;
        default: a = {{"export.tar.gz", "application/gzip", synth::TarGz({{"list.csv", csv}})}}; break;
      }
      out.push_back(synth::MessageWithAttachments("Please see the attached.", a));
    }
    return out;
  }();
  return corpus;
}

void BM_RawFormat(benchmark::State& state) {
  const Sample& s = FormatSample(static_cast<int>(state.range(0)));
  scanner::RawScanner raw(Rules());
  for (auto _ : state) benchmark::DoNotOptimize(raw.Scan(s.attachment));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(s.attachment.size()));
  state.SetLabel(kFormats[state.range(0)]);
}

void BM_Format(benchmark::State& state) {
  const Sample& s = FormatSample(static_cast<int>(state.range(0)));
  common::KeyedHasher hasher("bench");
  scanner::Scanner scanner(Rules(), hasher);
  for (auto _ : state) benchmark::DoNotOptimize(scanner.ScanMessage(s.message));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(s.attachment.size()));
  state.SetLabel(kFormats[state.range(0)]);
}

scanner::ScanTimings g_stages;

void BM_Mixed(benchmark::State& state) {
  common::KeyedHasher hasher("bench");
  scanner::Scanner scanner(Rules(), hasher);
  int64_t bytes = 0;
  for (const auto& m : Mixed()) bytes += static_cast<int64_t>(m.size());
  g_stages = {};
  for (auto _ : state) {
    for (const auto& m : Mixed()) {
      scanner::ScanResult r = scanner.ScanMessage(m);
      g_stages.walk_ns += r.timings.walk_ns;
      g_stages.decode_ns += r.timings.decode_ns;
      g_stages.extract_ns += r.timings.extract_ns;
      g_stages.scan_ns += r.timings.scan_ns;
      g_stages.confirm_ns += r.timings.confirm_ns;
      g_stages.total_ns += r.timings.total_ns;
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["messages_per_s"] =
      benchmark::Counter(static_cast<double>(Mixed().size()), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_RawFormat)->DenseRange(0, 7)->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_Format)->DenseRange(0, 7)->Unit(benchmark::kMillisecond)->MinTime(0.5);
BENCHMARK(BM_Mixed)->Unit(benchmark::kMillisecond)->MinTime(2.0);

class Reporter : public sendguard::bench::RateReporter {
 public:
  void Summary() const {
    std::printf("\n%-8s %10s %12s %12s %10s\n", "format", "input KB", "raw MB/s", "scan MB/s", "scan/raw");
    for (int f = 0; f < 8; ++f) {
      std::string arg = "/" + std::to_string(f) + "/min_time:0.500";
      double raw = Rate("BM_RawFormat" + arg), full = Rate("BM_Format" + arg);
      std::printf("%-8s %10.0f %12.1f %12.1f %9.1f%%\n", kFormats[f], FormatSample(f).attachment.size() / 1024.0,
                  raw / 1e6, full / 1e6, raw > 0 ? 100 * full / raw : 0);
    }
    const auto& t = g_stages;
    double total = static_cast<double>(t.total_ns);
    if (total > 0) {
      std::printf("\nmixed corpus (%zu messages), share of scan time per stage:\n", Mixed().size());
      std::printf("  MIME walk %.1f%%  decode %.1f%%  extract %.1f%%  scan %.1f%%  confirm %.1f%%\n", 100 * t.walk_ns / total,
                  100 * t.decode_ns / total, 100 * t.extract_ns / total, 100 * t.scan_ns / total, 100 * t.confirm_ns / total);
    }
  }

};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.Summary();
  return 0;
}
