// SPDX-License-Identifier: Apache-2.0
// The parts of printed forms (ocr_docs_form.h), drawn as office forms print them: grey label
// cells beside white value cells, section bars, character boxes for codes and numbers.
#include "ocr_docs_form.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace sendguard::synth::ocr {

namespace {
Box Union(const Box& a, const Box& b) {
  if (a.w <= 0) return b;
  const double x0 = std::min(a.x, b.x), y0 = std::min(a.y, b.y);
  return {x0, y0, std::max(a.x + a.w, b.x + b.w) - x0, std::max(a.y + a.h, b.y + b.h) - y0};
}

std::vector<std::string> Lines(const std::string& v) {
  std::vector<std::string> out;
  size_t p = 0;
  for (size_t e; (e = v.find('\n', p)) != std::string::npos; p = e + 1) out.push_back(v.substr(p, e - p));
  out.push_back(v.substr(p));
  return out;
}
}  // namespace

FormStyle FormStyle::Random(Rng& r) {
  FormStyle s;
  s.label_font = r.Pick(SansFonts());
  s.value_font = r.Chance(0.7) ? r.Pick(SansFonts()) : r.Pick(SerifFonts());
  s.label_size = r.Between(85, 100) / 10.0;
  s.value_size = r.Between(95, 120) / 10.0;
  s.row_height = s.value_size * 2 + r.Between(0, 3);
  s.dark_bars = r.Chance(0.5);
  s.capitals = r.Chance(0.3);
  s.comb_boxes = r.Chance(0.4);
  return s;
}

void FormWriter::Heading(const std::string& org, const std::string& title, const std::string& note) {
  c_.SetFont(s_.label_font, 7.5, true);
  c_.TextRight(Right(), y + 3, "OFFICIAL-SENSITIVE");
  c_.SetFont(s_.label_font, 15, true);
  y += c_.Text(Left(), y, org).h + 3;
  c_.Line(Left(), y, Right(), y, 1.2);
  y += 8;
  c_.SetFont(s_.label_font, 12.5, true);
  y += c_.Text(Left(), y, title).h + 2;
  c_.SetFont(s_.label_font, 8.5, false, true);
  y += c_.Paragraph(Left(), y, Right() - Left(), note) + 10;
}

void FormWriter::Section(const std::string& title) {
  const Box bar{Left(), y, Right() - Left(), 17};
  c_.FillRect(bar, s_.dark_bars ? 0.8 : 0.15);
  if (!s_.dark_bars) c_.StrokeRect(bar, 0.6);
  c_.SetFont(s_.label_font, 9.5, true);
  const Box m = c_.Measure(title);
  c_.Text(bar.x + 5, bar.y + (bar.h - m.h) / 2, title, s_.dark_bars ? 0 : 1);  // 0: knocked out of the bar
  y += bar.h;
}

std::vector<Box> FormWriter::Row(const std::vector<std::pair<std::string, std::string>>& fields, int lines) {
  const double each = (Right() - Left()) / static_cast<double>(fields.size());
  const double label_min = (Right() - Left()) / 2 * 0.36;  // label cells line up down the form
  const double h = s_.row_height * lines;
  std::vector<Box> drawn;
  for (size_t i = 0; i < fields.size(); ++i) {
    const Box cell{Left() + static_cast<double>(i) * each, y, each, h};
    c_.SetFont(s_.label_font, s_.label_size);
    const double label_w = std::max(label_min, c_.Measure(fields[i].first).w + 10);
    const Box label{cell.x, y, label_w, h};
    c_.FillRect(label, 0.09);
    if (lines == 1) c_.TextInCell(label, fields[i].first, 4);
    else c_.Text(label.x + 4, y + 4, fields[i].first);
    const Box value{cell.x + label_w, y, each - label_w, h};
    const auto value_lines = Lines(fields[i].second);
    double size = s_.value_size;
    for (;; size -= 0.5) {  // a value the cell cannot hold is typed smaller, as form software does
      c_.SetFont(s_.value_font, size);
      double widest = 0;
      for (const auto& l : value_lines) widest = std::max(widest, c_.Measure(l).w);
      if (widest <= value.w - 10 || size <= 7) break;
    }
    Box text;
    if (lines == 1) {
      text = c_.TextInCell(value, value_lines[0], 5);
    } else {
      double ly = y + 4;
      for (const auto& l : value_lines) {
        const Box b = c_.Text(value.x + 5, ly, l);
        text = Union(text, b);
        ly += s_.row_height * 0.8;
      }
    }
    drawn.push_back(text);
    c_.StrokeRect(cell, 0.6);
    c_.Line(value.x, y, value.x, y + h, 0.6);
  }
  y += h;
  return drawn;
}

Box FormWriter::CharBoxes(const std::string& label, const std::string& chars, const std::vector<int>& groups,
                          const std::string& sep) {
  const double box_w = 16, box_h = 20, gap = sep.empty() ? 6 : 14;
  c_.SetFont(s_.label_font, s_.label_size, true);
  const Box drawn_label = c_.Text(Left() + 4, y + (box_h - c_.Measure(label).h) / 2 + 2, label);
  double x = Left() + std::max(150.0, drawn_label.w + 14);
  Box drawn;
  size_t k = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (int i = 0; i < groups[g]; ++i, ++k) {
      const Box b{x, y + 2, box_w, box_h};
      if (s_.comb_boxes) {
        c_.Line(b.x, b.y + b.h, b.x + b.w, b.y + b.h, 0.8);
        c_.Line(b.x, b.y + b.h * 0.6, b.x, b.y + b.h, 0.8);
        c_.Line(b.x + b.w, b.y + b.h * 0.6, b.x + b.w, b.y + b.h, 0.8);
      } else {
        c_.StrokeRect(b, 0.7);
      }
      if (k < chars.size()) {
        c_.SetFont(s_.value_font, 12);
        const std::string ch(1, chars[k]);
        const Box m = c_.Measure(ch);
        drawn = Union(drawn, c_.Text(b.x + (b.w - m.w) / 2, b.y + (b.h - m.h) / 2, ch));
      }
      x += box_w;
    }
    if (g + 1 < groups.size()) {
      if (!sep.empty()) {
        c_.SetFont(s_.value_font, 12, true);
        c_.Text(x + (gap - c_.Measure(sep).w) / 2, y + 3, sep);
      }
      x += gap;
    }
  }
  y += box_h + 9;
  return drawn;
}

void FormWriter::TickBoxes(const std::string& question, const std::vector<std::string>& options, int ticked) {
  c_.SetFont(s_.label_font, s_.label_size);
  const Box q = c_.Text(Left() + 4, y, question);
  double x = std::max(Left() + 260, q.x + q.w + 14);
  for (size_t i = 0; i < options.size(); ++i) {
    const Box b{x, y + (q.h - 9) / 2, 9, 9};
    c_.StrokeRect(b, 0.7);
    if (static_cast<int>(i) == ticked) {
      c_.Line(b.x + 1.5, b.y + 1.5, b.x + b.w - 1.5, b.y + b.h - 1.5, 1.1);
      c_.Line(b.x + b.w - 1.5, b.y + 1.5, b.x + 1.5, b.y + b.h - 1.5, 1.1);
    }
    const Box t = c_.Text(x + 13, y, options[i]);
    x = t.x + t.w + 18;
  }
  y += q.h + 8;
}

void FormWriter::TextBox(const std::string& text, double height) {
  c_.SetFont(s_.value_font, s_.value_size - 0.5);
  const double used = c_.Paragraph(Left() + 6, y + 5, Right() - Left() - 12, text, 1.15);
  const double h = std::max(height, used + 10);
  c_.StrokeRect({Left(), y, Right() - Left(), h}, 0.6);
  y += h + 8;
}

void FormWriter::SmallPrint(const std::string& text) {
  c_.SetFont(s_.label_font, 8);
  y += c_.Paragraph(Left(), y, Right() - Left(), text) + 6;
}

void FormWriter::Signature(Rng& r, const std::string& date) {
  c_.SetFont(s_.label_font, s_.label_size);
  c_.Text(Left() + 4, y + 16, "Signature");
  const double sx = Left() + 70;
  c_.Line(sx, y + 28, sx + 190, y + 28, 0.6);
  c_.Scribble({sx + 10, y, 150, 26}, r);
  c_.Text(sx + 215, y + 16, "Date");
  c_.SetFont(s_.value_font, s_.value_size);
  c_.Text(sx + 250, y + 14, date);
  c_.Line(sx + 245, y + 28, sx + 340, y + 28, 0.6);
  y += 40;
}

void FormWriter::Footer(const std::string& form_ref) {
  const double fy = c_.Height() - 44;
  c_.SetFont(s_.label_font, 7.5);
  c_.Text(Left(), fy, form_ref);
  c_.TextRight(Right(), fy, "Page 1 of 1");
  c_.SetFont(s_.label_font, 7.5, true);
  const Box m = c_.Measure("OFFICIAL-SENSITIVE");
  c_.Text((c_.Width() - m.w) / 2, fy, "OFFICIAL-SENSITIVE");
  if (y > fy - 8) {
    std::fprintf(stderr, "ocr_docs: form runs into its footer (y %.0f)\n", y);
    std::abort();
  }
}

}  // namespace sendguard::synth::ocr
