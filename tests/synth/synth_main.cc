// SPDX-License-Identifier: Apache-2.0
// sendguard-synth: writes the bundled sample message or a synthetic corpus to disk.
//   sendguard-synth sample FILE        the quick-start referral email
//   sendguard-synth corpus DIR N SEED  N messages as DIR/000001.eml ...
//   sendguard-synth bench DIR N SEED [MIN_BYTES]
//                                      the benchmark corpus: council-like mail, about 10% with
//                                      personal data, a quarter with an office or PDF attachment
//                                      (the sensitive ones mostly in it), each padded with
//                                      ordinary prose to at least MIN_BYTES
//   sendguard-synth ocr-mail DIR COUNT SEED
//                                      COUNT messages, each with one scanned page (image-only PDF)
//   sendguard-synth ocr-docs DIR PER_KIND SEED
//                                      rendered documents for OCR recall (ocr_docs.h): PER_KIND
//                                      clean and PER_KIND noisy of each kind, a multi-page TIFF
//                                      and a clean and a noisy multi-page PDF, and DIR/labels.tsv
//                                      (file, kind, format, dpi, noisy, then type=normalised for
//                                      every identifier drawn)
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sendguard/synth/attachments.h"
#include "sendguard/synth/ocr_docs.h"
#include "sendguard/synth/synth.h"

int main(int argc, char** argv) {
  using namespace sendguard::synth;
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "sample" && argc == 3) {
    std::ofstream(argv[2], std::ios::binary) << SampleReferral().raw;
    return 0;
  }
  if (cmd == "corpus" && argc == 5) {
    std::filesystem::create_directories(argv[2]);
    auto corpus = MakeCorpus(std::strtoull(argv[4], nullptr, 10), std::atoi(argv[3]));
    for (size_t i = 0; i < corpus.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "%06zu.eml", i + 1);
      std::ofstream(std::filesystem::path(argv[2]) / name, std::ios::binary) << corpus[i].raw;
    }
    return 0;
  }
  if (cmd == "bench" && (argc == 5 || argc == 6)) {
    std::filesystem::create_directories(argv[2]);
    const uint64_t seed = std::strtoull(argv[4], nullptr, 10);
    const size_t min_bytes = argc == 6 ? std::strtoull(argv[5], nullptr, 10) : 0;
    auto corpus = MakeCorpus(seed, std::atoi(argv[3]), 0.1);
    Rng rng(seed ^ 0x5eed);
    const std::string prose = "The committee noted the update on the library refurbishment and asked officers to "
                              "report back after the consultation closes. Parking arrangements are unchanged. ";
    for (size_t i = 0; i < corpus.size(); ++i) {
      std::string raw = corpus[i].raw;
      if (i % 4 == 1) {
        const bool sensitive = !corpus[i].planted.empty();
        std::vector<std::string> rows;
        for (int r = 0; r < rng.Between(20, 60); ++r) {
          rows.push_back(sensitive ? "Patient," + NhsNumber(rng) + ",referred for depression"
                                   : "Order," + OrderNumber(rng) + ",library stock");
        }
        const int kind = rng.Between(0, 2);
        Attachment a = kind == 0   ? Attachment{"list.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Xlsx(rows)}
                       : kind == 1 ? Attachment{"notes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Docx(rows)}
                                   : Attachment{"report.pdf", "application/pdf", Pdf(rows)};
        raw = MessageWithAttachments("Please see the attached.\r\n", {a});
      }
      if (raw.size() < min_bytes) {
        // Ordinary prose before the end of the first part keeps the message well formed.
        std::string pad;
        while (raw.size() + pad.size() < min_bytes) pad += prose + "\r\n";
        const size_t body = raw.find("\r\n\r\n");
        raw.insert(body == std::string::npos ? raw.size() : body + 4, pad);
      }
      char name[32];
      std::snprintf(name, sizeof name, "%06zu.eml", i + 1);
      std::ofstream(std::filesystem::path(argv[2]) / name, std::ios::binary) << raw;
    }
    return 0;
  }
  if (cmd == "ocr-docs" && argc == 5) {
    const std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir);
    const uint64_t seed = std::strtoull(argv[4], nullptr, 10);
    auto docs = MakeOcrCorpus(seed, std::atoi(argv[3]));
    docs.push_back(MultiPageTiff(seed, 3));
    docs.push_back(ImageOnlyPdf(seed, 3, false));
    docs.push_back(ImageOnlyPdf(seed + 1, 3, true));
    std::ofstream labels(dir / "labels.tsv", std::ios::binary);
    labels << "# file\tkind\tformat\tdpi\tnoisy\ttype=normalized...\n";
    for (const auto& d : docs) {
      std::ofstream(dir / d.file_name, std::ios::binary) << d.bytes;
      labels << d.file_name << '\t' << d.kind << '\t' << d.format << '\t' << d.dpi << '\t' << (d.noisy ? 1 : 0);
      for (const auto& p : d.planted) labels << '\t' << p.type << '=' << p.normalized;
      labels << '\n';
    }
    return labels ? 0 : 1;
  }
  if (cmd == "ocr-mail" && argc == 5) {
    // Messages each carrying one scanned page (an image-only PDF, a different page each), for
    // the mail-path benchmark's added latency of OCR.
    std::filesystem::create_directories(argv[2]);
    const uint64_t seed = std::strtoull(argv[4], nullptr, 10);
    for (int i = 0; i < std::atoi(argv[3]); ++i) {
      const RenderedDoc page = ImageOnlyPdf(seed + static_cast<uint64_t>(i), 1, i % 2 == 1);
      char name[32];
      std::snprintf(name, sizeof name, "%06d.eml", i + 1);
      std::ofstream(std::filesystem::path(argv[2]) / name, std::ios::binary)
          << MessageWithAttachments("Please see the scanned form.\r\n", {{page.file_name, "application/pdf", page.bytes}});
    }
    return 0;
  }
  std::fprintf(stderr,
               "usage: sendguard-synth sample FILE | corpus DIR COUNT SEED | bench DIR COUNT SEED [MIN_BYTES] | "
               "ocr-docs DIR PER_KIND SEED | ocr-mail DIR COUNT SEED\n");
  return 2;
}
