// SPDX-License-Identifier: Apache-2.0
// The OCR corpus (ocr_docs.h): which layouts are drawn at which resolution, which get the
// scanned look and how each is encoded, and the multi-page TIFF and PDF. The drawing itself
// is in ocr_docs_forms.cc, ocr_docs_letter.cc and ocr_docs_sheet.cc.
#include "sendguard/synth/ocr_docs.h"

#include <leptonica/allheaders.h>

#include <algorithm>

#include "ocr_docs_internal.h"

namespace sendguard::synth {

namespace {

using ocr::Page;
using ocr::PixPtr;

const std::vector<std::string> kKinds = {"referral_form", "spreadsheet_screenshot", "bank_details_form",
                                         "scanned_letter"};
const std::vector<std::string> kFormats = {"png", "jpeg", "tiff", "pdf"};
const std::vector<int> kScanDpis = {150, 200, 300};
constexpr size_t kScreenshot = 1;

// A clean page of the kind at index `kind` of kKinds.
Page Draw(size_t kind, Rng& r, int dpi) {
  switch (kind) {
    case 0: return ocr::ReferralForm(r, dpi);
    case 1: return ocr::SpreadsheetScreenshot(r);
    case 2: return ocr::BankDetailsForm(r, dpi);
    default: return ocr::ScannedLetter(r, dpi);
  }
}

// The file name extension scanners and mail clients use for `format`.
std::string Extension(const std::string& format) {
  if (format == "jpeg") return "jpg";
  if (format == "tiff") return "tif";
  return format;
}

// One page in `format`, as a scanner or an export writes it.
std::string Encode(Pix* pix, const std::string& format, bool noisy, Rng& r) {
  if (format == "png") return ocr::EncodePng(pix);
  if (format == "jpeg") return ocr::EncodeJpeg(pix, noisy ? r.Between(60, 80) : r.Between(85, 92));
  if (format == "tiff") return ocr::EncodeTiff(pix, pixGetXRes(pix) >= 200 && r.Chance(0.5));
  std::vector<PixPtr> pages;
  pages.emplace_back(pixClone(pix));
  return ocr::EncodePdf(pages, noisy ? r.Between(60, 80) : 0);
}

// Document number `n` of its kind: drawn, given the scanned (or, for a screenshot, photographed)
// look if `noisy`, encoded.
RenderedDoc Render(size_t kind, int n, bool noisy, const std::string& format, int dpi, Rng& r) {
  Page page = Draw(kind, r, dpi);
  PixPtr pix = noisy ? ocr::Degrade(page.pix.get(), r, kind == kScreenshot) : std::move(page.pix);
  RenderedDoc d;
  d.kind = kKinds[kind];
  d.format = format;
  d.dpi = page.dpi;
  d.noisy = noisy;
  d.file_name = d.kind + "-" + std::to_string(n) + "-" + std::to_string(d.dpi) + "dpi" + (noisy ? "-noisy." : ".") +
                Extension(format);
  d.bytes = Encode(pix.get(), format, noisy, r);
  d.planted = std::move(page.planted);
  return d;
}

// `pages` A4 documents in turn: referral form, bank-details form, letter.
std::vector<PixPtr> A4Pages(Rng& r, int pages, int dpi, bool noisy, std::vector<Planted>& planted) {
  static const size_t kA4Kinds[] = {0, 2, 3};
  std::vector<PixPtr> out;
  for (int i = 0; i < pages; ++i) {
    Page page = Draw(kA4Kinds[i % 3], r, dpi);
    planted.insert(planted.end(), page.planted.begin(), page.planted.end());
    out.push_back(noisy ? ocr::Degrade(page.pix.get(), r, false) : std::move(page.pix));
  }
  return out;
}

}  // namespace

std::vector<RenderedDoc> MakeOcrCorpus(uint64_t seed, int per_kind) {
  Rng master(seed);
  std::vector<RenderedDoc> corpus;
  for (size_t kind = 0; kind < kKinds.size(); ++kind) {
    for (int i = 0; i < 2 * per_kind; ++i) {  // clean and noisy in turn
      Rng r(master.Next());
      const int dpi = kind == kScreenshot ? 96 : kScanDpis[(i + kind) % kScanDpis.size()];
      // Every format for every kind, clean ones and noisy ones each getting two in turn.
      const size_t format = (2 * static_cast<size_t>(i % 2) + static_cast<size_t>(i / 2) + kind) % kFormats.size();
      corpus.push_back(Render(kind, i + 1, i % 2 == 1, kFormats[format], dpi, r));
    }
  }
  return corpus;
}

RenderedDoc MultiPageTiff(uint64_t seed, int pages) {
  pages = std::max(pages, 1);
  Rng r(seed ^ 0x4d554c5449544946ull);  // not the PDF's pages for the same seed
  RenderedDoc d{"multi_page", "tiff", 200, false, "", "", {}};
  d.file_name = "multi_page-" + std::to_string(pages) + "pages-200dpi.tif";
  d.bytes = ocr::EncodeMultipageTiff(A4Pages(r, pages, d.dpi, false, d.planted));
  return d;
}

RenderedDoc ImageOnlyPdf(uint64_t seed, int pages, bool noisy) {
  pages = std::max(pages, 1);
  Rng r(seed ^ 0x494d414745504446ull);
  RenderedDoc d{"multi_page", "pdf", kScanDpis[static_cast<size_t>(r.Between(0, 2))], noisy, "", "", {}};
  d.file_name = "multi_page-" + std::to_string(pages) + "pages-" + std::to_string(d.dpi) + "dpi" +
                (noisy ? "-noisy.pdf" : ".pdf");
  const auto images = A4Pages(r, pages, d.dpi, noisy, d.planted);
  d.bytes = ocr::EncodePdf(images, noisy ? r.Between(60, 80) : 0);
  return d;
}

}  // namespace sendguard::synth
