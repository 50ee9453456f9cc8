// SPDX-License-Identifier: Apache-2.0
// The canvas the OCR documents are drawn on (ocr_docs_internal.h): cairo on an 8-bit alpha
// surface, where alpha is ink, and Pango for text; plus the font families found here. It
// knows nothing about what a document says.
#include <cairo.h>
#include <leptonica/allheaders.h>
#include <pango/pangocairo.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>

#include "ocr_docs_internal.h"

namespace sendguard::synth::ocr {

void PixFree::operator()(Pix* pix) const { pixDestroy(&pix); }

Canvas::Canvas(int width_px, int height_px, double scale, int dpi, double skew_deg)
    : width_px_(width_px),
      height_px_(height_px),
      dpi_(dpi),
      scale_(scale),
      width_(width_px / scale),
      height_(height_px / scale),
      skew_deg_(skew_deg),
      surface_(cairo_image_surface_create(CAIRO_FORMAT_A8, width_px, height_px)),  // cleared: white paper
      cr_(cairo_create(surface_)) {
  cairo_scale(cr_, scale, scale);
  layout_ = pango_cairo_create_layout(cr_);
  PangoContext* context = pango_layout_get_context(layout_);
  pango_cairo_context_set_resolution(context, 72);  // font sizes in drawing units
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  // Screens hint glyphs to the pixel grid; printers and scanners do not.
  const bool screen = dpi <= 96;
  cairo_font_options_set_hint_style(options, screen ? CAIRO_HINT_STYLE_SLIGHT : CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, screen ? CAIRO_HINT_METRICS_ON : CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);
  pango_layout_context_changed(layout_);
  SetFont("Sans", 10);
}

Canvas::~Canvas() {
  g_object_unref(layout_);
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void Canvas::SetFont(const std::string& family, double size, bool bold, bool italic) {
  PangoFontDescription* desc = pango_font_description_new();
  pango_font_description_set_family(desc, family.c_str());
  pango_font_description_set_size(desc, static_cast<int>(size * PANGO_SCALE));
  pango_font_description_set_weight(desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_style(desc, italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
  pango_layout_set_font_description(layout_, desc);
  pango_font_description_free(desc);
}

void Canvas::SetInk(double ink) {
  cairo_set_operator(cr_, ink > 0 ? CAIRO_OPERATOR_OVER : CAIRO_OPERATOR_SOURCE);
  cairo_set_source_rgba(cr_, 0, 0, 0, ink);
}

Box Canvas::Measure(const std::string& text) {
  pango_layout_set_width(layout_, -1);
  pango_layout_set_text(layout_, text.data(), static_cast<int>(text.size()));
  PangoRectangle logical;
  pango_layout_get_extents(layout_, nullptr, &logical);
  return {logical.x / double(PANGO_SCALE), logical.y / double(PANGO_SCALE), logical.width / double(PANGO_SCALE),
          logical.height / double(PANGO_SCALE)};
}

Box Canvas::Text(double x, double y, const std::string& text, double ink) {
  Box b = Measure(text);
  SetInk(ink);
  cairo_move_to(cr_, x, y);
  pango_cairo_show_layout(cr_, layout_);
  return {x + b.x, y + b.y, b.w, b.h};
}

Box Canvas::TextRight(double right, double y, const std::string& text, double ink) {
  return Text(right - Measure(text).w, y, text, ink);
}

Box Canvas::TextInCell(const Box& cell, const std::string& text, double pad) {
  Box m = Measure(text);
  return Text(cell.x + pad, cell.y + (cell.h - m.h) / 2, text);
}

double Canvas::Paragraph(double x, double y, double width, const std::string& text, double spacing) {
  pango_layout_set_text(layout_, text.data(), static_cast<int>(text.size()));
  pango_layout_set_width(layout_, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_wrap(layout_, PANGO_WRAP_WORD);
  pango_layout_set_line_spacing(layout_, static_cast<float>(spacing));
  PangoRectangle logical;
  pango_layout_get_extents(layout_, nullptr, &logical);
  SetInk(1.0);
  cairo_move_to(cr_, x, y);
  pango_cairo_show_layout(cr_, layout_);
  pango_layout_set_width(layout_, -1);
  pango_layout_set_line_spacing(layout_, 0);
  return logical.height / double(PANGO_SCALE);
}

void Canvas::StrokeRect(const Box& b, double line_width, double ink) {
  SetInk(ink);
  cairo_set_line_width(cr_, line_width);
  cairo_rectangle(cr_, b.x, b.y, b.w, b.h);
  cairo_stroke(cr_);
}

void Canvas::FillRect(const Box& b, double ink) {
  SetInk(ink);
  cairo_rectangle(cr_, b.x, b.y, b.w, b.h);
  cairo_fill(cr_);
}

void Canvas::Line(double x0, double y0, double x1, double y1, double line_width, double ink) {
  SetInk(ink);
  cairo_set_line_width(cr_, line_width);
  cairo_move_to(cr_, x0, y0);
  cairo_line_to(cr_, x1, y1);
  cairo_stroke(cr_);
}

void Canvas::Scribble(const Box& b, Rng& r) {
  SetInk(0.85);
  cairo_set_line_width(cr_, 1.1);
  cairo_set_line_cap(cr_, CAIRO_LINE_CAP_ROUND);
  auto at = [&](double fx, double fy) { return std::pair{b.x + fx * b.w, b.y + fy * b.h}; };
  auto [x, y] = at(0.02, 0.6);
  cairo_move_to(cr_, x, y);
  const int strokes = r.Between(3, 6);
  for (int i = 1; i <= strokes; ++i) {
    const double f = double(i) / strokes;
    auto [x1, y1] = at(f - 0.6 / strokes, r.Between(0, 100) / 100.0);
    auto [x2, y2] = at(f - 0.2 / strokes, r.Between(0, 100) / 100.0);
    auto [x3, y3] = at(f * 0.96, r.Between(30, 90) / 100.0);
    cairo_curve_to(cr_, x1, y1, x2, y2, x3, y3);
  }
  cairo_stroke(cr_);
}

void Canvas::Plant(const std::string& type, const std::string& normalized, const Box& drawn) {
  // Every corner must stay at least a point inside the page however far it is rotated.
  const double cx = width_ / 2, cy = height_ / 2, margin = 1.0;
  for (double deg : {-skew_deg_, 0.0, skew_deg_}) {
    const double a = deg * std::numbers::pi / 180, c = std::cos(a), s = std::sin(a);
    for (double px : {drawn.x, drawn.x + drawn.w}) {
      for (double py : {drawn.y, drawn.y + drawn.h}) {
        const double x = cx + (px - cx) * c - (py - cy) * s, y = cy + (px - cx) * s + (py - cy) * c;
        if (x < margin || y < margin || x > width_ - margin || y > height_ - margin) {
          std::fprintf(stderr, "ocr_docs: %s %s drawn at (%.0f,%.0f) would leave the page\n", type.c_str(),
                       normalized.c_str(), drawn.x, drawn.y);
          std::abort();
        }
      }
    }
  }
  planted_.push_back({type, normalized});
}

PixPtr Canvas::Pixels() const {
  cairo_surface_flush(surface_);
  const unsigned char* data = cairo_image_surface_get_data(surface_);
  const int stride = cairo_image_surface_get_stride(surface_);
  PixPtr pix(pixCreate(width_px_, height_px_, 8));
  pixSetResolution(pix.get(), dpi_, dpi_);
  l_uint32* out = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < height_px_; ++y) {
    const unsigned char* row = data + static_cast<ptrdiff_t>(y) * stride;
    l_uint32* line = out + static_cast<ptrdiff_t>(y) * wpl;
    for (int x = 0; x < width_px_; ++x) SET_DATA_BYTE(line, x, 255 - row[x]);
  }
  return pix;
}

namespace {
std::vector<std::string> Available(const std::vector<std::string>& preferred, const char* fallback) {
  PangoFontMap* map = pango_cairo_font_map_get_default();
  PangoFontFamily** families = nullptr;
  int n = 0;
  pango_font_map_list_families(map, &families, &n);
  std::vector<std::string> found;
  for (const auto& want : preferred) {
    for (int i = 0; i < n; ++i) {
      if (want == pango_font_family_get_name(families[i])) {
        found.push_back(want);
        break;
      }
    }
  }
  g_free(families);
  if (found.empty()) found.push_back(fallback);
  return found;
}
}  // namespace

const std::vector<std::string>& SansFonts() {
  static const std::vector<std::string> kFonts = Available(
      {"Liberation Sans", "DejaVu Sans", "DejaVu Sans Condensed", "Noto Sans", "FreeSans", "Nimbus Sans"}, "Sans");
  return kFonts;
}

const std::vector<std::string>& SerifFonts() {
  static const std::vector<std::string> kFonts = Available(
      {"Liberation Serif", "DejaVu Serif", "DejaVu Serif Condensed", "Noto Serif", "FreeSerif", "Nimbus Roman"},
      "Serif");
  return kFonts;
}

int A4WidthPx(int dpi) { return static_cast<int>(std::lround(210.0 / 25.4 * dpi)); }
int A4HeightPx(int dpi) { return static_cast<int>(std::lround(297.0 / 25.4 * dpi)); }

}  // namespace sendguard::synth::ocr
