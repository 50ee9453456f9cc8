// SPDX-License-Identifier: Apache-2.0
// Streaming Hyperscan over one part at a time, then the confirm stage, then collection.
// The match callback only records (expression id, end offset): no allocation per match
// beyond the hit vector's amortised growth, bounded by max_candidates_per_part.
#include "scanner_impl.h"

#include <cstdlib>

#include "clock.h"

namespace sendguard::scanner {

ScannerImpl::ScannerImpl(std::shared_ptr<const CompiledRules> rules, const common::KeyedHasher& hasher,
                         ScanOptions options)
    : rules_(std::move(rules)),
      impl_(rules_->impl()),
      hasher_(hasher),
      options_(options),
      collector_(impl_, hasher_, options_) {
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(impl_.database.get(), &scratch) != HS_SUCCESS) {
    std::abort();  // only out of memory: nothing sensible to continue with
  }
  scratch_.reset(scratch);
  hits_.reserve(1024);
  if (options_.ocr.mode != OcrMode::kOff) {
    recognizer_ = ocr::Recognizer::Shared({options_.ocr.languages, options_.ocr.tessdata_dir, options_.ocr.cache_bytes});
  }
}

ScannerImpl::~ScannerImpl() {
  if (stream_) hs_close_stream(stream_, scratch_.get(), nullptr, nullptr);
}

void ScannerImpl::BeginMessage() {
  result_ = ScanResult();
  message_start_ns_ = NowNs();
  collector_.Clear();
}

int ScannerImpl::OnMatch(unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
  auto* self = static_cast<ScannerImpl*>(ctx);
  const ExpressionRef& ref = self->impl_.expressions[id];
  // A candidate followed by a letter or digit is part of a longer token: drop it now
  // (the byte after `to` is known unless the match ends exactly at the chunk's end).
  if (!ref.is_keyword && to < self->current_text_.size() && confirm_detail::IsAlnum(self->current_text_[to])) {
    return 0;
  }
  if (self->hits_.size() >= self->options_.max_candidates_per_part) {
    self->part_flooded_ = true;
    return 1;  // stop this stream
  }
  self->hits_.push_back({id, to});
  return 0;
}

void ScannerImpl::OpenPart(const std::string& part) {
  part_ = part;
  buffer_.clear();
  map_.Clear();
  carry_.clear();
  orig_fed_ = 0;
  current_text_ = {};
  hits_.clear();
  part_truncated_ = false;
  part_flooded_ = false;
  if (hs_open_stream(impl_.database.get(), 0, &stream_) != HS_SUCCESS) {
    stream_ = nullptr;
    result_.AddIncomplete("internal", part, "cannot open a scan stream");
  }
  ++result_.parts;
}

void ScannerImpl::ScanBytes(std::string_view bytes) {
  if (!stream_ || part_flooded_ || bytes.empty()) return;
  uint64_t start = NowNs();
  hs_error_t rc = hs_scan_stream(stream_, bytes.data(), static_cast<unsigned>(bytes.size()), 0, scratch_.get(),
                                 &ScannerImpl::OnMatch, this);
  if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED) {
    result_.AddIncomplete("internal", part_, "scan error " + std::to_string(rc));
  }
  result_.timings.scan_ns += NowNs() - start;
}

std::string_view ScannerImpl::ChargeScanBytes(std::string_view text) {
  uint64_t room = options_.max_scan_bytes > result_.bytes_scanned ? options_.max_scan_bytes - result_.bytes_scanned : 0;
  if (text.size() > room) {
    text = text.substr(0, room);
    part_truncated_ = true;
  }
  result_.bytes_scanned += text.size();
  return text;
}

void ScannerImpl::NormalizeAndScan(std::string_view chunk, bool final) {
  size_t before = buffer_.size();
  if (carry_.empty() && !MayNeedNormalizing(chunk)) {
    buffer_.append(chunk);
    orig_fed_ += chunk.size();
  } else {
    std::string data = carry_;
    data.append(chunk);
    size_t used = NormalizeAppend(data, orig_fed_, final, &buffer_, &map_);
    orig_fed_ += used;
    carry_ = data.substr(used);
  }
  current_text_ = buffer_;
  ScanBytes(std::string_view(buffer_).substr(before));
}

void ScannerImpl::FeedPart(std::string_view chunk) {
  chunk = ChargeScanBytes(chunk);
  if (chunk.empty()) return;
  NormalizeAndScan(chunk, false);
}

void ScannerImpl::ScanPart(const std::string& part, std::string_view text) {
  OpenPart(part);
  text = ChargeScanBytes(text);
  if (FirstFold(text) < text.size()) {
    // Scan the normalised copy when it differs; the map keeps locations true.
    NormalizeAppend(text, 0, true, &buffer_, &map_);
    if (!map_.empty()) text = buffer_;
  }
  current_text_ = text;
  // hs_scan_stream takes at most 4 GiB - 1 per call.
  constexpr size_t kMaxCall = 1u << 30;
  for (size_t off = 0; off < text.size(); off += kMaxCall) ScanBytes(text.substr(off, kMaxCall));
  ConfirmPart();
}

void ScannerImpl::ClosePart() {
  if (!carry_.empty()) NormalizeAndScan({}, true);
  ConfirmPart();
}

void ScannerImpl::MapBack(ConfirmOutput& out) const {
  if (map_.empty()) return;
  for (ConfirmedValue& v : out.values) v.from = map_.ToOriginal(v.from), v.to = map_.ToOriginal(v.to);
  for (KeywordHit& k : out.keywords) k.start = map_.ToOriginal(k.start), k.end = map_.ToOriginal(k.end);
}

void ScannerImpl::ConfirmPart() {
  uint64_t start = NowNs();
  if (stream_) {
    hs_close_stream(stream_, scratch_.get(), part_flooded_ ? nullptr : &ScannerImpl::OnMatch, this);
    stream_ = nullptr;
  }
  if (part_truncated_) {
    result_.AddIncomplete("max_scan_bytes", part_,
                          "text beyond " + std::to_string(options_.max_scan_bytes) + " bytes not scanned");
  }
  if (part_flooded_) {
    result_.AddIncomplete("too_many_candidates", part_,
                          "more than " + std::to_string(options_.max_candidates_per_part) + " candidates, rest not scanned");
  }
  // Exact data imported under any key of the secret's ring still matches (until it is
  // imported again under the signing key: `sendguard edm import`).
  auto in_exact_data = [this](const std::string& type, const std::string& v) {
    for (size_t k = 0; k < hasher_.key_count(); ++k) {
      if (impl_.exact_data.Contains(type, hasher_.HexUnder(k, v))) return true;
    }
    return false;
  };
  ConfirmOutput confirmed = Confirm(impl_, current_text_, hits_, in_exact_data, confirm_scratch_);
  MapBack(confirmed);
  collector_.Add(part_, confirmed);
  confirm_scratch_.Recycle(confirmed);
  result_.timings.confirm_ns += NowNs() - start;
  hits_.clear();
  current_text_ = {};
  buffer_.clear();
  map_.Clear();
}

ScanResult ScannerImpl::FinishMessage() {
  uint64_t start = NowNs();
  collector_.BuildInto(result_);
  ScanTimings& t = result_.timings;
  const uint64_t end = NowNs();
  t.confirm_ns += end - start;
  t.total_ns = end - message_start_ns_;
  uint64_t accounted = t.decode_ns + t.extract_ns + t.scan_ns + t.confirm_ns;
  t.walk_ns = t.total_ns > accounted ? t.total_ns - accounted : 0;
  collector_.Clear();
  return std::move(result_);
}

}  // namespace sendguard::scanner
