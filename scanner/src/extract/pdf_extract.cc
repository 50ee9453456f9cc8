// SPDX-License-Identifier: Apache-2.0
// poppler-cpp adapter: PDF text page by page. The only file that calls poppler.
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include <memory>
#include <mutex>

#include "extractors.h"
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
  for (int i = 0; i < doc->pages(); ++i) {
    if (ctx.TimeUp(path)) break;
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    poppler::byte_array utf8 = page->text().to_utf8();  // from the PDF's own UTF-16: may be ill-formed
    text += common::RepairUtf8(std::string_view(utf8.data(), utf8.size()));
    text.push_back('\f');
    if (!ctx.ChargeExtracted(utf8.size(), path)) break;
  }
  ctx.EmitText(path, text);
}

}  // namespace sendguard::scanner
