// SPDX-License-Identifier: Apache-2.0
// Shared by the OCR document generator's files (ocr_docs*.cc), not part of the library's
// interface: the canvas pages are drawn on, the made-up people and how identifiers are
// printed, the layouts, the scanned look and the encoders.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sendguard/synth/synth.h"

// Third-party types, declared here so only the .cc files include their headers.
struct Pix;
typedef struct _cairo cairo_t;
typedef struct _cairo_surface cairo_surface_t;
typedef struct _PangoLayout PangoLayout;

namespace sendguard::synth::ocr {

// Owns a leptonica image.
struct PixFree {
  void operator()(Pix* pix) const;
};
using PixPtr = std::unique_ptr<Pix, PixFree>;

// A rectangle in drawing units (points on a page, pixels on a screenshot).
struct Box {
  double x = 0, y = 0, w = 0, h = 0;
};

// A page drawn with ink on white. One drawing unit is `scale` pixels; text sizes are in
// drawing units. Not copyable; everything it allocated is freed by the destructor.
class Canvas {
 public:
  // A white canvas of `width_px` x `height_px`. `skew_deg`: the largest rotation the page may
  // get afterwards; Plant() checks every identifier stays on the page through it.
  Canvas(int width_px, int height_px, double scale, int dpi, double skew_deg);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  double Width() const { return width_; }
  double Height() const { return height_; }

  // The font for the text drawn next: a family Pango knows, a size in drawing units.
  void SetFont(const std::string& family, double size, bool bold = false, bool italic = false);
  // The extent `text` would have in the current font.
  Box Measure(const std::string& text);
  // Draws one line of text with its top-left corner at (x, y); `ink` 0 knocks out (white).
  Box Text(double x, double y, const std::string& text, double ink = 1.0);
  // Draws one line of text ending at `right`.
  Box TextRight(double right, double y, const std::string& text, double ink = 1.0);
  // Draws `text` vertically centred in `cell`, `pad` in from its left edge.
  Box TextInCell(const Box& cell, const std::string& text, double pad);
  // Draws `text` wrapped to `width`; returns its height.
  double Paragraph(double x, double y, double width, const std::string& text, double spacing = 1.0);
  void StrokeRect(const Box& b, double line_width, double ink = 1.0);
  void FillRect(const Box& b, double ink);
  void Line(double x0, double y0, double x1, double y1, double line_width, double ink = 1.0);
  // A handwritten signature across `b`.
  void Scribble(const Box& b, Rng& r);

  // Records an identifier drawn in `drawn`; aborts if any of it could leave the page.
  void Plant(const std::string& type, const std::string& normalized, const Box& drawn);
  std::vector<Planted> TakePlanted() { return std::move(planted_); }
  // What is drawn so far, as 8-bit grey (255 white) carrying the canvas's resolution.
  PixPtr Pixels() const;

 private:
  void SetInk(double ink);

  int width_px_, height_px_, dpi_;
  double scale_, width_, height_, skew_deg_;
  cairo_surface_t* surface_;
  cairo_t* cr_;
  PangoLayout* layout_;
  std::vector<Planted> planted_;
};

using Words = std::vector<std::string>;

// Font families Pango finds on this machine, from a fixed preference list.
const std::vector<std::string>& SansFonts();
const std::vector<std::string>& SerifFonts();

// A made-up person as documents show them.
struct Person {
  std::string title, forename, surname, sex;
  std::string dob;                   // "14/03/1962"
  std::vector<std::string> address;  // house and street, then district and town
  std::string postcode;              // "BL9 0SW"
  std::string phone;                 // Ofcom's drama ranges
};
// `born_from`..`born_to`: the range of birth years.
Person MakePerson(Rng& r, int born_from, int born_to);
std::string Upper(std::string s);
std::string DateIn2024(Rng& r);  // "12/03/2024"

// Identifiers as printed on paper.
std::string ShowNhs(const std::string& v);   // "943 476 5919"
std::string ShowNino(const std::string& v);  // "QQ 12 34 56 C"
std::string ShowSort(const std::string& v);  // "20-00-00"
std::string ShowIban(const std::string& v);  // "GB29 NWBK 6016 1331 9268 19"
std::string ShowCard(const std::string& v);  // "4111 1111 1111 1111", Amex 4-6-5

// The page size of a scan or print at `dpi`, in pixels.
int A4WidthPx(int dpi);
int A4HeightPx(int dpi);
constexpr double kA4Width = 595.276;   // points
constexpr double kA4Height = 841.890;  // points
constexpr double kMaxSkewDeg = 3.0;

// One drawn page and the identifiers on it.
struct Page {
  PixPtr pix;
  int dpi = 0;
  std::vector<Planted> planted;
};

// The layouts (ocr_docs_forms.cc, ocr_docs_letter.cc, ocr_docs_sheet.cc). A4 pages at `dpi`.
Page ReferralForm(Rng& r, int dpi);
Page BankDetailsForm(Rng& r, int dpi);
Page ScannedLetter(Rng& r, int dpi);
Page SpreadsheetScreenshot(Rng& r);  // 96 dpi, sometimes zoomed to 125%

// The scanned look: skew, uneven light and contrast, blur, noise; a scan keeps its size. A
// `photo` of a screen has twice the pixels (and says so in its resolution) and a margin, so
// nothing turns out of the picture.
PixPtr Degrade(Pix* clean, Rng& r, bool photo);

// Encoders (ocr_docs_encode.cc). `jpeg_quality` 0 in EncodePdf embeds lossless images.
std::string EncodePng(Pix* pix);
std::string EncodeJpeg(Pix* pix, int quality);
std::string EncodeTiff(Pix* pix, bool bilevel);
std::string EncodeMultipageTiff(const std::vector<PixPtr>& pages);
std::string EncodePdf(const std::vector<PixPtr>& pages, int jpeg_quality);

}  // namespace sendguard::synth::ocr
