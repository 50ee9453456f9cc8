// SPDX-License-Identifier: Apache-2.0
// OCR's cost (Google Benchmark), each against a baseline measured in the same run:
//   BM_Picture/<n>    one rendered document of the generator's corpus, recognised (cache off):
//                     ms per picture or page, beside BM_TextTwin/<n>, the same message with the
//                     picture's identifiers as a text attachment instead.
//   BM_LogoMail       messages that all carry the same signature logo: the cache's hit rate.
//   BM_Mixed/<ocr>    the mixed corpus (council-like mail; one in 20 messages with a scanned
//                     document, one in 3 with the signature logo): messages/s with OCR off (0)
//                     and on (1), as the ratio on/off.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/ocr/ocr.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/ocr_docs.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/shipped_rules.h"

namespace {

using namespace sendguard;

const common::KeyedHasher& Hasher() {
  static const common::KeyedHasher hasher("ocr-bench");
  return hasher;
}

const std::vector<synth::RenderedDoc>& Docs() {
  static const std::vector<synth::RenderedDoc> docs = synth::MakeOcrCorpus(99, 1);
  return docs;
}

std::string MimeOf(const std::string& format) {
  return format == "pdf" ? "application/pdf" : format == "jpeg" ? "image/jpeg" : "image/" + format;
}

scanner::ScanOptions Options(bool ocr, uint64_t cache_bytes = 16ull << 20) {
  scanner::ScanOptions o;
  o.ocr.mode = ocr ? scanner::OcrMode::kAttachments : scanner::OcrMode::kOff;
  o.ocr.cache_bytes = cache_bytes;
  o.time_budget_ms = 60000;
  o.ocr.message_ms = o.ocr.image_ms = 60000;
  return o;
}

void BM_Picture(benchmark::State& state) {
  const auto& doc = Docs()[static_cast<size_t>(state.range(0))];
  scanner::Scanner scanner(testing::ShippedRules(), Hasher(), Options(true, 0));  // no cache: every read is real
  const std::string mail = synth::MessageWithAttachments("Scan attached.", {{doc.file_name, MimeOf(doc.format), doc.bytes}});
  uint64_t pages = 0;
  for (auto _ : state) pages += scanner.ScanMessage(mail).ocr.read;
  state.SetLabel(doc.kind + " " + doc.format + " " + std::to_string(doc.dpi) + "dpi" + (doc.noisy ? " noisy" : ""));
  // Time per iteration is the cost of the message; pages says how many pictures it read.
  state.counters["pages"] = static_cast<double>(pages) / static_cast<double>(state.iterations());
}

void BM_TextTwin(benchmark::State& state) {
  const auto& doc = Docs()[static_cast<size_t>(state.range(0))];
  std::string text;
  for (const auto& p : doc.planted) text += "Reference " + p.normalized + "\n";
  scanner::Scanner scanner(testing::ShippedRules(), Hasher(), Options(true));
  const std::string mail = synth::MessageWithAttachments("Scan attached.", {{"same.txt", "text/plain", text}});
  for (auto _ : state) benchmark::DoNotOptimize(scanner.ScanMessage(mail));
}

void BM_LogoMail(benchmark::State& state) {
  scanner::Scanner scanner(testing::ShippedRules(), Hasher(), Options(true));
  const std::string logo = synth::SignatureLogoPng();
  uint64_t read = 0, cached = 0, n = 0;
  for (auto _ : state) {
    // A different body each time: only the logo repeats.
    const std::string mail = synth::MessageWithAttachments("Kind regards, message " + std::to_string(n++),
                                                           {{"logo.png", "image/png", logo}});
    scanner::ScanResult r = scanner.ScanMessage(mail);
    read += r.ocr.read;
    cached += r.ocr.cached;
  }
  state.counters["cache_hit_rate"] = read ? static_cast<double>(cached) / static_cast<double>(read) : 0;
}

const std::vector<std::string>& MixedCorpus() {
  static const std::vector<std::string> corpus = [] {
    std::vector<std::string> out;
    const auto& docs = Docs();
    const std::string logo = synth::SignatureLogoPng();
    auto mail = synth::MakeCorpus(5, 200, 0.1);
    for (size_t i = 0; i < mail.size(); ++i) {
      if (i % 20 == 7) {
        const auto& d = docs[i / 20 % docs.size()];
        out.push_back(synth::MessageWithAttachments("Please see the scan.", {{d.file_name, MimeOf(d.format), d.bytes}}));
      } else if (i % 3 == 1) {
        out.push_back(synth::MessageWithAttachments("Kind regards", {{"logo.png", "image/png", logo}}));
      } else {
        out.push_back(mail[i].raw);
      }
    }
    return out;
  }();
  return corpus;
}

void BM_Mixed(benchmark::State& state) {
  // The cache is the process's: off between runs by making each run's recogniser distinct.
  scanner::Scanner scanner(testing::ShippedRules(), Hasher(), Options(state.range(0) == 1, (16ull << 20) + state.iterations()));
  const auto& corpus = MixedCorpus();
  uint64_t messages = 0;
  for (auto _ : state) {
    for (const auto& m : corpus) benchmark::DoNotOptimize(scanner.ScanMessage(m));
    messages += corpus.size();
  }
  state.counters["msg_per_s"] = benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_Picture)->DenseRange(0, 7)->Unit(benchmark::kMillisecond)->Iterations(2);
BENCHMARK(BM_TextTwin)->DenseRange(0, 7)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LogoMail)->Unit(benchmark::kMillisecond)->Iterations(50);
BENCHMARK(BM_Mixed)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

BENCHMARK_MAIN();
