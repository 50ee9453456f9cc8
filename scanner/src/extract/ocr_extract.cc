// SPDX-License-Identifier: Apache-2.0
// The OCR extractor (ocr_extract.h): the mode and tiny-image rule, the bounds, and the text.
#include "ocr_extract.h"

#include <algorithm>

#include "sendguard/ocr/ocr_digits.h"

namespace sendguard::scanner {

std::string OcrPart(const std::string& path, int page, bool paged) {
  return paged ? path + "#page-" + std::to_string(page + 1) + ".ocr" : path + "#ocr";
}

namespace {

// A picture not read because of a message-wide bound: counted, and the bound recorded once.
bool Refuse(ExtractContext& ctx, bool& noted, const char* bound, const std::string& part, const std::string& detail) {
  ++ctx.result.ocr.not_read;
  if (!noted) {
    noted = true;
    ctx.Incomplete(bound, part, detail);
  }
  return false;
}

}  // namespace

bool StartOcr(ExtractContext& ctx, const std::string& part, std::chrono::milliseconds* budget) {
  const OcrOptions& o = ctx.options.ocr;
  OcrLedger& l = ctx.ocr_ledger;
  if (l.read >= o.max_images) {
    return Refuse(ctx, l.images_noted, "max_ocr_images", part,
                  "more than " + std::to_string(o.max_images) + " pictures or scanned pages in the message; the rest not read");
  }
  const auto left = std::chrono::milliseconds(o.message_ms) - std::chrono::duration_cast<std::chrono::milliseconds>(l.spent);
  // A quarter of the scan's own budget stays for what comes after the pictures (a CSV attached
  // after a scanned PDF is still read).
  const auto reserve = std::chrono::milliseconds(ctx.options.time_budget_ms / 4);
  *budget = std::min<std::chrono::milliseconds>({std::chrono::milliseconds(o.image_ms), left, ctx.TimeLeft() - reserve});
  if (left.count() <= 0 || ctx.TimeUp(part) || budget->count() <= 0) {
    return Refuse(ctx, l.budget_noted, "ocr_time_budget", part,
                  left.count() <= 0 ? "OCR time of " + std::to_string(o.message_ms) +
                                          " ms for the message spent; the remaining pictures not read"
                                    : "the scan's time budget is nearly spent; the remaining pictures not read");
  }
  ++l.read;
  return true;
}

void FinishOcr(ExtractContext& ctx, const std::string& ocr_part, const ocr::Reading& reading,
               std::chrono::steady_clock::time_point started) {
  const auto spent = std::chrono::steady_clock::now() - started;
  ctx.ocr_ledger.spent += spent;
  ctx.result.timings.ocr_ns += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(spent).count());
  if (reading.stopped.empty()) {
    ++ctx.result.ocr.read;
    if (reading.cached) ++ctx.result.ocr.cached;
    const std::string digits = ocr::DigitReadings(reading.text);
    std::string text = digits.empty() ? reading.text : reading.text + "\n\f" + digits;
    if (ctx.ChargeExtracted(text.size(), ocr_part)) ctx.EmitText(ocr_part, text);
    return;
  }
  ++ctx.result.ocr.not_read;
  if (reading.stopped == "time") {
    ctx.Incomplete("ocr_image_time", ocr_part, reading.detail + "; the picture not read");
  } else if (reading.stopped == "pixels") {
    ctx.Incomplete("max_ocr_pixels", ocr_part, reading.detail + "; the picture not read");
  } else if (reading.stopped == "engine") {
    ctx.Incomplete("ocr_unavailable", ocr_part, reading.detail);
  } else {
    ctx.Incomplete("extract_error", ocr_part, reading.detail);
  }
}

void ExtractImage(ExtractContext& ctx, std::string_view bytes, const std::string& mime, const std::string& path,
                  bool inline_image) {
  const OcrOptions& o = ctx.options.ocr;
  const std::string size = mime + ", " + std::to_string(bytes.size()) + " bytes";
  if (ctx.recognizer == nullptr || o.mode == OcrMode::kOff) {
    ctx.Note("unscanned_image", path, size + " (OCR off)");
    return;
  }
  if (inline_image && o.mode != OcrMode::kAll) {
    ctx.Note("unscanned_image", path, size + " (inline in the body: OCR is set to attachments only)");
    return;
  }
  const ocr::ImageInfo info = ocr::Probe(bytes, static_cast<int>(o.max_pages) + 1);
  if (!info.known) {
    ctx.Note("unscanned_image", path, size + " (a picture format OCR does not read)");
    return;
  }
  if (info.width < static_cast<int>(o.min_width) || info.height < static_cast<int>(o.min_height)) {
    ++ctx.result.ocr.tiny_skipped;
    return;
  }
  const bool paged = info.pages > 1;
  const int pages = std::min(info.pages, static_cast<int>(o.max_pages));
  if (info.pages > pages) {
    ctx.Incomplete("max_ocr_pages", path, "more than " + std::to_string(o.max_pages) + " pages; the first " +
                                              std::to_string(pages) + " read");
  }
  for (int page = 0; page < pages; ++page) {
    const std::string part = OcrPart(path, page, paged);
    std::chrono::milliseconds budget{};
    if (!StartOcr(ctx, part, &budget)) return;
    const auto started = std::chrono::steady_clock::now();
    FinishOcr(ctx, part, ctx.recognizer->RecognizeFile(bytes, page, o.max_pixels, budget), started);
  }
}

}  // namespace sendguard::scanner
