// SPDX-License-Identifier: Apache-2.0
// poppler-cpp adapter: PDF text page by page; a page with no text layer (a scan) rendered
// to grey pixels and read with OCR. The only file that calls poppler.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-image.h>
#include <poppler/cpp/poppler-page-renderer.h>
#include <poppler/cpp/poppler-page.h>

#include <cctype>
#include <cmath>

#include <memory>
#include <mutex>

#include "extractors.h"
#include "ocr_extract.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

void Quiet(const std::string&, void*) {}  // poppler's parse complaints are not our log's business

// poppler builds its global parameters (encoding tables, font and directory scans) when its
// first open document appears and frees them when the last one goes: for one attachment at
// a time that was every PDF. One empty document kept for the life of the process keeps them.
constexpr char kEmptyPdf[] =
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    "trailer<</Root 1 0 R>>\n%%EOF\n";

void Setup() {
  poppler::set_debug_error_function(&Quiet, nullptr);
  static const std::unique_ptr<poppler::document> keep(
      poppler::document::load_from_raw_data(kEmptyPdf, sizeof kEmptyPdf - 1));
}

size_t VisibleChars(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += std::isspace(static_cast<unsigned char>(c)) ? 0 : 1;
  return n;
}

// The resolution to render `page` at: the configured one, lowered so the page fits the pixel
// limit; 0 when even 100 dpi does not (a poster-sized page).
double RenderDpi(const poppler::page& page, const OcrOptions& o) {
  const poppler::rectf box = page.page_rect();
  const double inches = std::max(1.0, box.width() / 72.0) * std::max(1.0, box.height() / 72.0);
  double dpi = o.pdf_dpi;
  if (inches * dpi * dpi > static_cast<double>(o.max_pixels)) dpi = std::floor(std::sqrt(static_cast<double>(o.max_pixels) / inches));
  return dpi >= 100 ? dpi : 0;
}

// Renders page `index` and reads it.
void OcrPage(ExtractContext& ctx, const poppler::page& page, int index, const std::string& pdf_digest, const std::string& path) {
  const OcrOptions& o = ctx.options.ocr;
  const std::string part = OcrPart(path, index, true);
  const double dpi = RenderDpi(page, o);
  if (dpi == 0) {
    ++ctx.result.ocr.not_read;
    ctx.Incomplete("max_ocr_pixels", part, "a page too large to render within " + std::to_string(o.max_pixels) +
                                               " pixels; not read");
    return;
  }
  std::chrono::milliseconds budget{};
  if (!StartOcr(ctx, part, &budget)) return;
  const auto started = std::chrono::steady_clock::now();
  const std::string key = pdf_digest + " page " + std::to_string(index) + " at " + std::to_string(static_cast<int>(dpi));
  ocr::Reading reading;
  if (!ctx.recognizer->Cached(key, &reading)) {
    poppler::page_renderer renderer;
    renderer.set_image_format(poppler::image::format_gray8);
    renderer.set_render_hints(poppler::page_renderer::antialiasing | poppler::page_renderer::text_antialiasing);
    poppler::image image = renderer.render_page(&page, dpi, dpi);
    if (!image.is_valid()) {
      reading.stopped = "decode";
      reading.detail = "the page could not be rendered";
    } else {
      ocr::GreyRaster raster{reinterpret_cast<const uint8_t*>(image.const_data()), image.width(), image.height(),
                             image.bytes_per_row(), static_cast<int>(dpi)};
      reading = ctx.recognizer->RecognizeGrey(key, raster, budget);
    }
  }
  FinishOcr(ctx, part, reading, started);
}

}  // namespace

void ExtractPdf(ExtractContext& ctx, std::string_view bytes, const std::string& path) {
  static std::once_flag once;
  std::call_once(once, Setup);
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), INT32_MAX))));
  if (!doc) {
    ctx.Incomplete("extract_error", path, "PDF could not be parsed");
    return;
  }
  if (doc->is_locked()) {
    ctx.Note("encrypted_attachment", path, "password-protected PDF");
    return;
  }
  std::string text;
  std::vector<int> pictures;  // pages with no text layer to speak of
  for (int i = 0; i < doc->pages(); ++i) {
    if (ctx.TimeUp(path)) break;
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    poppler::byte_array utf8 = page->text().to_utf8();  // from the PDF's own UTF-16: may be ill-formed
    const std::string page_text = common::RepairUtf8(std::string_view(utf8.data(), utf8.size()));
    if (VisibleChars(page_text) < ctx.options.ocr.pdf_text_min_chars) pictures.push_back(i);
    text += page_text;
    text.push_back('\f');
    if (!ctx.ChargeExtracted(utf8.size(), path)) break;
  }
  ctx.EmitText(path, text);
  if (pictures.empty() || ctx.recognizer == nullptr || ctx.options.ocr.mode == OcrMode::kOff) return;
  const std::string digest = ocr::Recognizer::KeyOf(bytes, "");
  const size_t limit = ctx.options.ocr.max_pages;
  if (pictures.size() > limit) {
    ctx.Incomplete("max_ocr_pages", path, std::to_string(pictures.size()) + " pages with no text; the first " +
                                              std::to_string(limit) + " read");
    ctx.result.ocr.not_read += static_cast<uint32_t>(pictures.size() - limit);
    pictures.resize(limit);
  }
  for (int i : pictures) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page) OcrPage(ctx, *page, i, digest, path);
  }
}

}  // namespace sendguard::scanner
