// SPDX-License-Identifier: Apache-2.0
// The parts printed forms are made of (ocr_docs_form.cc): a heading, section bars, rows of
// labelled boxes, digits in character boxes, tick boxes, a footer. Used by the referral and
// bank-details layouts; says nothing about what a form asks for.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ocr_docs_internal.h"

namespace sendguard::synth::ocr {

// How one form looks, chosen once per form.
struct FormStyle {
  std::string label_font, value_font;
  double label_size = 9, value_size = 10.5;
  double row_height = 22;
  bool dark_bars = false;     // white text on dark section bars, else bold text on light grey
  bool capitals = false;      // values filled in in BLOCK CAPITALS
  bool comb_boxes = false;    // character boxes drawn as a comb (base line and ticks)
  static FormStyle Random(Rng& r);
};

// Writes a form down an A4 page from the top; `y` is where the next part goes.
class FormWriter {
 public:
  FormWriter(Canvas& canvas, const FormStyle& style) : c_(canvas), s_(style) {}

  static constexpr double kMargin = 46;
  double Left() const { return kMargin; }
  double Right() const { return c_.Width() - kMargin; }
  double y = 40;

  // Organisation, protective marking, form title and a line of instructions.
  void Heading(const std::string& org, const std::string& title, const std::string& note);
  // A numbered section bar ("1. PERSON'S DETAILS").
  void Section(const std::string& title);
  // One row of (label, value) cells sharing the width; `lines` > 1 for an address cell.
  // Returns where each value was drawn.
  std::vector<Box> Row(const std::vector<std::pair<std::string, std::string>>& fields, int lines = 1);
  // A label followed by `chars` one per box, with a gap between `groups` and `sep` drawn in
  // it ("Sort code [2][0]-[0][0]-[0][0]"). Returns where the characters were drawn.
  Box CharBoxes(const std::string& label, const std::string& chars, const std::vector<int>& groups,
                const std::string& sep);
  // Tick boxes on one line after a question; `ticked` is the index of the ticked one.
  void TickBoxes(const std::string& question, const std::vector<std::string>& options, int ticked);
  // A bordered box of running text, at least `height` tall.
  void TextBox(const std::string& text, double height);
  // A paragraph of small print.
  void SmallPrint(const std::string& text);
  // Signature and date line.
  void Signature(Rng& r, const std::string& date);
  // Form reference and page number at the foot of the page.
  void Footer(const std::string& form_ref);
  const FormStyle& Style() const { return s_; }
  // `v` in capitals when the form is filled in that way.
  std::string Fill(const std::string& v) const { return s_.capitals ? Upper(v) : v; }

 private:
  Canvas& c_;
  FormStyle s_;
};

}  // namespace sendguard::synth::ocr
