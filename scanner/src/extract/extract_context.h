// SPDX-License-Identifier: Apache-2.0
// State shared by the message walk and every extractor for one message: options, the
// result (for incomplete reasons), the sink, the type detector, and the budgets
// (bytes extracted, wall-clock deadline). Not thread-safe; one per message.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "../walk_sink.h"
#include "sendguard/scanner/finding.h"
#include "sendguard/scanner/scan_options.h"
#include "type_detector.h"

namespace sendguard::ocr {
class Recognizer;
}

namespace sendguard::scanner {

// What OCR has used of its bounds in one message (ocr_extract.h).
struct OcrLedger {
  std::chrono::steady_clock::duration spent{};
  uint32_t read = 0;  // pictures and pages started
  bool budget_noted = false;
  bool images_noted = false;
};

class ExtractContext {
 public:
  ExtractContext(const ScanOptions& opts, ScanResult& res, WalkSink& out, const TypeDetector& types,
                 ocr::Recognizer* ocr = nullptr)
      : options(opts), result(res), sink(out), detector(types), recognizer(ocr),
        deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(options.time_budget_ms)) {}

  // True once the message's time budget is spent (recorded once, naming `part`).
  bool TimeUp(const std::string& part);
  // What is left of the message's time budget (zero once spent).
  std::chrono::milliseconds TimeLeft() const;
  // Charges `n` decoded/decompressed bytes; false (and recorded) once max_extracted_bytes is passed.
  bool ChargeExtracted(uint64_t n, const std::string& part);
  // Sends text to the scanner.
  void EmitText(const std::string& part, std::string_view text) {
    if (!text.empty()) sink.Text(part, text);
  }
  // A finding about the part itself.
  void Note(const std::string& type, const std::string& part, const std::string& detail) {
    sink.Part({type, part, detail});
  }
  void Incomplete(const std::string& bound, const std::string& part, const std::string& detail) {
    result.AddIncomplete(bound, part, detail);
  }

  const ScanOptions& options;
  ScanResult& result;
  WalkSink& sink;
  const TypeDetector& detector;
  ocr::Recognizer* recognizer;  // null: pictures are not read
  OcrLedger ocr_ledger;
  // The part being extracted is shown inline in the message body (Content-Disposition
  // inline, or a Content-ID and no disposition), not attached. Set by the walk.
  bool inline_part = false;

 private:
  std::chrono::steady_clock::time_point deadline_;
  bool time_up_ = false;
  uint64_t extracted_ = 0;
  bool extracted_over_ = false;
};

// HTML to text (html_text.h); if the parser stopped early the part is marked incomplete
// (extract_error) though its stripped text is still returned.
std::string HtmlText(ExtractContext& ctx, std::string_view utf8_html, const std::string& part);

// Extracts the text of one attachment or archive member and hands it to the sink,
// recursing into containers. `depth` counts containers above it.
void ExtractBytes(ExtractContext& ctx, std::string_view bytes, const std::string& name, const std::string& declared_mime,
                  const std::string& charset, const std::string& path, uint32_t depth);

}  // namespace sendguard::scanner
