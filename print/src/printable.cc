// SPDX-License-Identifier: Apache-2.0
// Renders a print::Document as HTML, plain text, and an A4 PDF laid out line by line with
// Pango on cairo's PDF surface (a paragraph that reaches the foot of a page carries on over).
#include "sendguard/print/printable.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>

#include "sendguard/common/text.h"

namespace sendguard::print {
namespace {

using common::HtmlEscape;

std::vector<std::string> Paragraphs(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find("\n\n", start);
    std::string part = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!common::Trim(part).empty()) out.push_back(std::string(common::Trim(part)));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

std::string WithBreaks(const std::string& text) {
  std::string out, escaped = HtmlEscape(text);
  for (char c : escaped) {
    if (c == '\n') {
      out += "<br>";
    } else {
      out += c;
    }
  }
  return out;
}

// A4 in points, with 20 mm margins and room for the footer.
constexpr double kPageWidth = 595.276, kPageHeight = 841.89, kMargin = 56.7, kTop = 56.7, kBottom = kPageHeight - 70;
constexpr double kTextWidth = kPageWidth - 2 * kMargin;

cairo_status_t AppendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

class Pager {
 public:
  Pager(cairo_t* cr, const Document& doc) : cr_(cr), doc_(doc) {}

  void Start() { Footer(); }

  // Lays `text` out in `font` at the left margin (indented by `indent`) and draws it line by
  // line, starting a new page where a line would cross the foot; then leaves `after` points.
  void Flow(const std::string& text, const char* font, double indent, double after) {
    std::unique_ptr<PangoLayout, decltype(&g_object_unref)> layout(pango_cairo_create_layout(cr_), g_object_unref);
    std::unique_ptr<PangoFontDescription, decltype(&pango_font_description_free)> desc(
        pango_font_description_from_string(font), pango_font_description_free);
    pango_layout_set_font_description(layout.get(), desc.get());
    pango_layout_set_width(layout.get(), static_cast<int>((kTextWidth - indent) * PANGO_SCALE));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    PangoLayoutIter* iter = pango_layout_get_iter(layout.get());
    double origin = y_;  // where the layout's top sits on the current page
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(iter, nullptr, &logical);
      const double top = origin + logical.y / double(PANGO_SCALE), height = logical.height / double(PANGO_SCALE);
      if (top + height > kBottom && top > kTop) {
        NewPage();
        origin = kTop - logical.y / double(PANGO_SCALE);
      }
      cairo_move_to(cr_, kMargin + indent, origin + pango_layout_iter_get_baseline(iter) / double(PANGO_SCALE));
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(iter));
      y_ = origin + (logical.y + logical.height) / double(PANGO_SCALE);
    } while (pango_layout_iter_next_line(iter));
    pango_layout_iter_free(iter);
    y_ += after;
  }

  // Keeps a heading with at least a few lines of what follows it.
  void KeepRoom(double points) {
    if (y_ + points > kBottom && y_ > kTop) NewPage();
  }

 private:
  void NewPage() {
    cairo_show_page(cr_);
    ++page_;
    y_ = kTop;
    Footer();
  }

  void Footer() {
    const double saved = y_;
    y_ = kPageHeight - 50;
    std::string text = doc_.footer.empty() ? "" : doc_.footer + "  ·  ";
    text += (doc_.language == "cy" ? "Tudalen " : "Page ") + std::to_string(page_);
    std::unique_ptr<PangoLayout, decltype(&g_object_unref)> layout(pango_cairo_create_layout(cr_), g_object_unref);
    std::unique_ptr<PangoFontDescription, decltype(&pango_font_description_free)> desc(
        pango_font_description_from_string("DejaVu Sans 7.5"), pango_font_description_free);
    pango_layout_set_font_description(layout.get(), desc.get());
    pango_layout_set_width(layout.get(), static_cast<int>(kTextWidth * PANGO_SCALE));
    pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
    cairo_set_source_rgb(cr_, 0.35, 0.35, 0.35);
    cairo_move_to(cr_, kMargin, y_);
    pango_cairo_show_layout(cr_, layout.get());
    cairo_set_source_rgb(cr_, 0, 0, 0);
    y_ = saved;
  }

  cairo_t* cr_;
  const Document& doc_;
  double y_ = kTop;
  int page_ = 1;
};

}  // namespace

std::string ToHtml(const Document& doc) {
  std::string out = "<!doctype html>\n<html lang=\"" + HtmlEscape(doc.language) + "\"><head><meta charset=\"utf-8\"><title>" +
                    HtmlEscape(doc.title) +
                    "</title><style>body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:44em;margin:2em auto;padding:0 1em;"
                    "line-height:1.45;color:#111}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.4em;border-bottom:1px solid #999}"
                    ".field strong{display:block}footer{margin-top:2em;font-size:.8em;color:#555}"
                    "@media print{body{margin:0}}</style></head><body>\n<h1>" +
                    HtmlEscape(doc.title) + "</h1>\n";
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading: out += "<h2>" + HtmlEscape(b.text) + "</h2>\n"; break;
      case Block::Kind::kParagraph:
        for (const auto& p : Paragraphs(b.text)) out += "<p>" + WithBreaks(p) + "</p>\n";
        break;
      case Block::Kind::kField:
        out += "<p class=\"field\"><strong>" + HtmlEscape(b.label) + "</strong>" + WithBreaks(b.text.empty() ? "–" : b.text) + "</p>\n";
        break;
      case Block::Kind::kLines: out += "<p class=\"lines\">" + WithBreaks(b.text) + "</p>\n"; break;
    }
  }
  if (!doc.footer.empty()) out += "<footer>" + HtmlEscape(doc.footer) + "</footer>\n";
  return out + "</body></html>\n";
}

// Greedy word wrap at `width` characters (UTF-8 sequences counted once), each '\n' kept: an
// email's lines stay readable and far below SMTP's 998-byte limit. A word longer than a line
// is cut.
std::string Wrap(const std::string& text, size_t width = 76) {
  std::string out;
  for (std::string_view line : common::Split(text, '\n')) {
    size_t column = 0;
    for (std::string_view word : common::Split(line, ' ')) {
      size_t chars = 0;
      for (unsigned char c : word) chars += (c & 0xC0) != 0x80;
      if (column > 0 && column + 1 + chars > width) {
        out += '\n';
        column = 0;
      } else if (column > 0) {
        out += ' ';
        ++column;
      }
      for (size_t i = 0; i < word.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(word[i]);
        if ((c & 0xC0) != 0x80) {
          if (column >= width) {
            out += '\n';
            column = 0;
          }
          ++column;
        }
        out += word[i];
      }
    }
    out += '\n';
  }
  if (!out.empty()) out.pop_back();
  return out;
}

std::string ToText(const Document& doc) {
  std::string out = doc.title + "\n" + std::string(std::min<size_t>(doc.title.size(), 72), '=') + "\n\n";
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading: out += b.text + "\n" + std::string(std::min<size_t>(b.text.size(), 72), '-') + "\n\n"; break;
      case Block::Kind::kParagraph:
        for (const auto& p : Paragraphs(b.text)) out += Wrap(p) + "\n\n";
        break;
      case Block::Kind::kField: out += Wrap(b.label + ": " + (b.text.empty() ? "–" : b.text)) + "\n\n"; break;
      case Block::Kind::kLines: out += Wrap(b.text) + "\n\n"; break;
    }
  }
  if (!doc.footer.empty()) out += "-- \n" + doc.footer + "\n";
  return out;
}

Result<std::string> ToPdf(const Document& input) {
  Document doc = input;
  doc.title = common::RepairUtf8(doc.title);
  doc.footer = common::RepairUtf8(doc.footer);
  for (auto& b : doc.blocks) {
    b.label = common::RepairUtf8(b.label);
    b.text = common::RepairUtf8(b.text);
  }
  std::string bytes;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(AppendBytes, &bytes, kPageWidth, kPageHeight);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, doc.title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "sendguard");
  cairo_t* cr = cairo_create(surface);
  Pager pager(cr, doc);
  pager.Start();
  pager.Flow(doc.title, "DejaVu Sans Bold 15", 0, 10);
  for (const Block& b : doc.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading:
        pager.KeepRoom(60);
        pager.Flow(b.text, "DejaVu Sans Bold 11.5", 0, 5);
        break;
      case Block::Kind::kParagraph:
        for (const auto& p : Paragraphs(b.text)) pager.Flow(p, "DejaVu Serif 10.5", 0, 7);
        break;
      case Block::Kind::kField:
        pager.KeepRoom(30);
        pager.Flow(b.label, "DejaVu Sans Bold 9", 0, 1);
        pager.Flow(b.text.empty() ? "–" : b.text, "DejaVu Serif 10", 10, 6);
        break;
      case Block::Kind::kLines:  // an address or a sign-off stays on one page
        pager.KeepRoom(14.0 * static_cast<double>(1 + std::count(b.text.begin(), b.text.end(), '\n')));
        pager.Flow(b.text, "DejaVu Serif 10.5", 0, 10);
        break;
    }
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) return Internal(std::string("cairo could not write the PDF: ") + cairo_status_to_string(status));
  return bytes;
}

}  // namespace sendguard::print
