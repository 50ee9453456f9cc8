// SPDX-License-Identifier: Apache-2.0
// Deterministic synthetic documents rendered to images, for measuring OCR recall: referral
// forms, spreadsheet screenshots, bank-details forms and scanned letters, clean or with a
// scanned look, as PNG, JPEG, TIFF or image-only PDF, each with the identifiers drawn on it.
// A noisy screenshot is a phone's photograph of the screen: twice the pixels, and its file
// says 192 dpi. Names, dates of birth, addresses and postcodes are drawn but not listed in
// `planted`, which holds only synth.h's identifier types. Every value is computed from a
// seed; nothing is real. Drawing and encoding live in ocr_docs_*.cc (cairo, Pango,
// leptonica); sendguard_synth itself has none of these.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sendguard/synth/synth.h"

namespace sendguard::synth {

// One document rendered to an image file, with what was drawn on it.
struct RenderedDoc {
  std::string kind;       // "referral_form", "spreadsheet_screenshot", "bank_details_form", "scanned_letter"
                          // ("multi_page" for MultiPageTiff and ImageOnlyPdf)
  std::string format;     // "png", "jpeg", "tiff", "pdf" (pdf: image-only, no text layer)
  int dpi = 0;            // the resolution it was rendered at (e.g. 150, 200, 300; screenshots at 96)
  bool noisy = false;     // scanned/photographed look: skew, noise, blur, uneven contrast
  std::string file_name;  // e.g. "referral_form-3-300dpi.png"
  std::string bytes;      // the encoded file
  std::vector<Planted> planted;  // every identifier drawn on it (type id + normalised value, as synth.h)
};

// `per_kind` documents of every kind, clean and noisy, spread over the formats and resolutions. Same seed, same corpus.
std::vector<RenderedDoc> MakeOcrCorpus(uint64_t seed, int per_kind);

// A 180x60 signature logo (a PNG with a little text and shapes, identical bytes every call) and a 1x1 GIF tracking pixel.
std::string SignatureLogoPng();
std::string TrackingPixelGif();

// A multi-page TIFF (each page a document) and a multi-page image-only PDF, with everything drawn.
RenderedDoc MultiPageTiff(uint64_t seed, int pages);
RenderedDoc ImageOnlyPdf(uint64_t seed, int pages, bool noisy);

}  // namespace sendguard::synth
