// SPDX-License-Identifier: Apache-2.0
// The small images an email signature carries (ocr_docs.h): a council logo with a little
// text, and a tracking pixel. Neither shows anything personal; OCR should find nothing in them.
#include <cairo.h>
#include <pango/pangocairo.h>

#include <numbers>

#include "ocr_docs_internal.h"
#include "sendguard/synth/ocr_docs.h"

namespace sendguard::synth {

namespace {
cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

void Words(cairo_t* cr, double x, double y, const std::string& text, const std::string& font) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoContext* context = pango_layout_get_context(layout);
  pango_cairo_context_set_resolution(context, 72);
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context, options);
  cairo_font_options_destroy(options);
  PangoFontDescription* desc = pango_font_description_from_string(font.c_str());
  pango_layout_set_font_description(layout, desc);
  pango_font_description_free(desc);
  pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
  g_object_unref(layout);
}
}  // namespace

std::string SignatureLogoPng() {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 180, 60);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  // The emblem: a teal tile with three white waves.
  cairo_set_source_rgb(cr, 0.0, 0.43, 0.47);
  cairo_new_sub_path(cr);
  cairo_arc(cr, 14, 14, 8, std::numbers::pi, 1.5 * std::numbers::pi);
  cairo_arc(cr, 44, 14, 8, 1.5 * std::numbers::pi, 2 * std::numbers::pi);
  cairo_arc(cr, 44, 46, 8, 0, 0.5 * std::numbers::pi);
  cairo_arc(cr, 14, 46, 8, 0.5 * std::numbers::pi, std::numbers::pi);
  cairo_close_path(cr);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_set_line_width(cr, 2.5);
  for (double y : {22.0, 30.0, 38.0}) {
    cairo_move_to(cr, 12, y);
    cairo_curve_to(cr, 20, y - 6, 28, y + 6, 46, y - 2);
    cairo_stroke(cr);
  }
  const std::string family = ocr::SansFonts().front();
  cairo_set_source_rgb(cr, 0.0, 0.33, 0.37);
  Words(cr, 60, 10, "Northfield", family + " Bold 17");
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  Words(cr, 61, 33, "Council", family + " 12");
  cairo_set_source_rgb(cr, 0.0, 0.43, 0.47);
  cairo_rectangle(cr, 60, 53, 110, 2);
  cairo_fill(cr);
  cairo_destroy(cr);
  std::string png;
  cairo_surface_write_to_png_stream(surface, Append, &png);
  cairo_surface_destroy(surface);
  return png;
}

std::string TrackingPixelGif() {
  // GIF89a, 1x1, a two-colour table, a graphic control extension making colour 0
  // transparent, one LZW-coded pixel.
  static const unsigned char kGif[] = {0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00,
                                       0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00,
                                       0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02,
                                       0x44, 0x01, 0x00, 0x3B};
  return std::string(reinterpret_cast<const char*>(kGif), sizeof kGif);
}

}  // namespace sendguard::synth
