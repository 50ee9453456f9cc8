// SPDX-License-Identifier: Apache-2.0
// One worker's engine state: Hyperscan scratch, the part being streamed, and the
// collector of the message in progress. Used by scanner.cc and message_scanner.cc.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_rules_impl.h"
#include "confirm.h"
#include "extract/type_detector.h"
#include "finding_collector.h"
#include "text_normalize.h"
#include "walk_sink.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/ocr/ocr.h"
#include "sendguard/scanner/compiled_rules.h"
#include "sendguard/scanner/finding.h"
#include "sendguard/scanner/scan_options.h"

namespace sendguard::scanner {

class ScannerImpl : public WalkSink {
 public:
  ScannerImpl(std::shared_ptr<const CompiledRules> rules, const common::KeyedHasher& hasher, ScanOptions options);
  ~ScannerImpl() override;

  // WalkSink: text from the walk is scanned at once; part findings go to the collector.
  void Text(const std::string& part, std::string_view utf8) override { ScanPart(part, utf8); }
  void Part(const PartFinding& finding) override { collector_.AddPartFinding(finding); }
  const TypeDetector& detector() const { return detector_; }
  // The process's shared recogniser for these options' OCR settings; null when OCR is off.
  ocr::Recognizer* recognizer() const { return recognizer_.get(); }

  // Starts a message: clears the collector and the result.
  void BeginMessage();
  // Scans one whole part's text without copying it.
  void ScanPart(const std::string& part, std::string_view text);
  // Streaming: open a part, feed chunks (copied into a buffer for the confirm stage), close it.
  void OpenPart(const std::string& part);
  void FeedPart(std::string_view chunk);
  void ClosePart();
  // Ends the message and returns its result.
  ScanResult FinishMessage();

  ScanResult& result() { return result_; }
  const ScanOptions& options() const { return options_; }
  const CompiledRules& rules() const { return *rules_; }

 private:
  static int OnMatch(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void* ctx);
  // Feeds `bytes` (already part of current_text_) to the open stream.
  void ScanBytes(std::string_view bytes);
  void ConfirmPart();
  // `text` cut to what max_scan_bytes still allows (marking the part truncated), and counted.
  std::string_view ChargeScanBytes(std::string_view text);
  // Normalises `chunk` (text_normalize.h) onto buffer_ and scans what it added.
  void NormalizeAndScan(std::string_view chunk, bool final);
  // Confirmed offsets moved from the normalised text back to the part's own.
  void MapBack(ConfirmOutput& out) const;

  std::shared_ptr<const CompiledRules> rules_;
  const CompiledRulesImpl& impl_;
  const common::KeyedHasher& hasher_;
  ScanOptions options_;
  HsScratch scratch_;
  TypeDetector detector_;
  std::shared_ptr<ocr::Recognizer> recognizer_;

  std::string part_;
  std::string buffer_;             // streaming mode, or normalised: the part so far
  OffsetMap map_;                  // buffer_ offsets -> the part's own (empty: the same)
  std::string carry_;              // streaming: an incomplete UTF-8 sequence at a chunk's end
  uint64_t orig_fed_ = 0;          // streaming: bytes of the part normalised into buffer_
  std::string_view current_text_;  // the part's text as far as fed
  hs_stream_t* stream_ = nullptr;
  std::vector<RawHit> hits_;
  ConfirmScratch confirm_scratch_;  // the confirm stage's vectors, reused part to part
  bool part_truncated_ = false;
  bool part_flooded_ = false;

  ScanResult result_;
  uint64_t message_start_ns_ = 0;
  FindingCollector collector_;  // the message in progress (cleared at its start and end)
};

}  // namespace sendguard::scanner
