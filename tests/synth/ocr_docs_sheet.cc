// SPDX-License-Identifier: Apache-2.0
// The spreadsheet-screenshot layout of the OCR corpus: part of a spreadsheet window at 96 dpi
// (ribbon tabs, formula bar, column letters, row numbers, grid lines, sheet tabs) showing a
// caseload, payroll or pupil list, a row per person, sometimes zoomed to 125%.
#include <algorithm>

#include "ocr_docs_internal.h"

namespace sendguard::synth::ocr {

namespace {

struct Cell {
  std::string text;
  bool right = false;       // numbers are right-aligned
  std::string type, normalized;  // an identifier, if the cell carries one
};

struct Sheet {
  std::vector<std::string> headers;
  std::vector<std::vector<Cell>> rows;
};

Cell Text(std::string t) { return {std::move(t), false, "", ""}; }
Cell Number(std::string t) { return {std::move(t), true, "", ""}; }
Cell Id(std::string shown, bool right, std::string type, std::string normalized) {
  return {std::move(shown), right, std::move(type), std::move(normalized)};
}

Sheet Caseload(Rng& r, int n) {
  Sheet s{{"Surname", "Forename", "DOB", "NHS Number", "Postcode", "Team", "Worker", "Last contact"}, {}};
  const bool compact = r.Chance(0.6);  // typed in as a number, or as text in 3-3-4
  for (int i = 0; i < n; ++i) {
    const Person p = MakePerson(r, 1930, 2005);
    const std::string nhs = NhsNumber(r);
    s.rows.push_back({Text(p.surname), Text(p.forename), Number(p.dob),
                      Id(compact ? nhs : ShowNhs(nhs), compact, "uk.nhs_number", nhs), Text(p.postcode),
                      Text(r.Pick(Words{"North", "South", "East", "Reablement", "Hospital"})),
                      Text(MakePerson(r, 1970, 1995).forename), Number(DateIn2024(r))});
  }
  return s;
}

Sheet Payroll(Rng& r, int n) {
  Sheet s{{"Emp No", "Surname", "Forename", "NI Number", "Sort Code", "Account No", "Net Pay"}, {}};
  for (int i = 0; i < n; ++i) {
    const Person p = MakePerson(r, 1960, 2003);
    const std::string nino = Nino(r), sort = SortCode(r), account = AccountNumber(r);
    const std::string pounds = std::to_string(r.Between(900, 4200));
    const std::string pay = pounds + "." + std::to_string(r.Between(10, 99));
    s.rows.push_back({Number(std::to_string(r.Between(100000, 999999))), Text(p.surname), Text(p.forename),
                      Id(nino, false, "uk.nino", nino), Text(ShowSort(sort)),
                      Id(account, true, "uk.bank_account", sort + ":" + account), Number(pay)});
  }
  return s;
}

Sheet Pupils(Rng& r, int n) {
  Sheet s{{"UPN", "Surname", "Forename", "DOB", "Year", "SEN", "FSM"}, {}};
  for (int i = 0; i < n; ++i) {
    const Person p = MakePerson(r, 2008, 2018);
    const std::string upn = Upn(r);
    s.rows.push_back({Id(upn, false, "uk.upn", upn), Text(p.surname), Text(p.forename), Number(p.dob),
                      Number(std::to_string(std::clamp(2019 - std::stoi(p.dob.substr(6)), 1, 11))),
                      Text(r.Chance(0.2) ? "K" : "N"),
                      Text(r.Chance(0.25) ? "Y" : "N")});
  }
  return s;
}

// The window around the grid: ribbon tabs and formula bar above, sheet tabs below.
void Chrome(Canvas& c, const std::string& font, const std::string& a1, double top, double bottom) {
  c.FillRect({0, 0, c.Width(), top - 24}, 0.07);
  c.SetFont(font, 12);
  double x = 12;
  for (const char* tab : {"File", "Home", "Insert", "Page Layout", "Formulas", "Data", "Review", "View", "Help"}) {
    x += c.Text(x, 8, tab).w + 22;
  }
  c.Line(0, top - 24, c.Width(), top - 24, 1, 0.25);
  c.SetFont(font, 11);
  c.StrokeRect({4, top - 21, 60, 18}, 1, 0.3);
  c.Text(10, top - 19, "A1");
  c.Text(80, top - 19, "fx");
  c.Text(104, top - 19, a1);
  c.FillRect({0, bottom, c.Width(), c.Height() - bottom}, 0.07);
  c.FillRect({30, bottom, 60, 22}, 0.0);
  c.StrokeRect({30, bottom, 60, 22}, 1, 0.3);
  c.Text(42, bottom + 4, "Sheet1");
  c.Text(102, bottom + 4, "Sheet2");
  c.Text(8, c.Height() - 18, "Ready");
}

}  // namespace

Page SpreadsheetScreenshot(Rng& r) {
  static const int kScreens[][2] = {{1280, 720}, {1366, 768}, {1440, 900}, {1600, 900}};
  const auto& screen = kScreens[r.Between(0, 3)];
  const double zoom = r.Chance(0.35) ? 1.25 : 1.0;
  Canvas c(screen[0], screen[1], zoom, 96, 0);
  const std::string font = r.Pick(SansFonts());
  const double top = 58, row_h = 20, head_w = 36;
  const double bottom = c.Height() - 48;
  const int visible = static_cast<int>((bottom - top - row_h) / row_h) - 1;  // rows below the header row
  const int people = std::min(visible, r.Between(8, 22));
  const int kind = r.Between(0, 2);
  const Sheet s = kind == 0 ? Caseload(r, people) : kind == 1 ? Payroll(r, people) : Pupils(r, people);

  // Column widths as autofit leaves them; columns that do not fit the window are not shown.
  std::vector<double> widths;
  double used = head_w;
  for (size_t col = 0; col < s.headers.size(); ++col) {
    c.SetFont(font, 11, true);
    double w = std::max(64.0, c.Measure(s.headers[col]).w + 12);
    c.SetFont(font, 11);
    for (const auto& row : s.rows) w = std::max(w, c.Measure(row[col].text).w + 12);
    if (used + w > c.Width() - 2) break;
    widths.push_back(w);
    used += w;
  }
  while (used + 64 <= c.Width()) widths.push_back(64), used += 64;  // empty columns to the window's edge
  Chrome(c, font, s.headers[0], top, bottom);

  // Column letters and row numbers, then the grid.
  c.FillRect({0, top, c.Width(), row_h}, 0.08);
  c.FillRect({0, top, head_w, bottom - top}, 0.08);
  c.SetFont(font, 11);
  double x = head_w;
  for (size_t col = 0; col < widths.size() && col < 26; ++col) {
    const std::string letter(1, static_cast<char>('A' + col));
    c.Text(x + (widths[col] - c.Measure(letter).w) / 2, top + 3, letter);
    x += widths[col];
    c.Line(x, top, x, bottom, 1, 0.18);
  }
  for (int row = 0; top + row_h * (row + 2) <= bottom; ++row) {
    const double y = top + row_h * (row + 1);
    const std::string n = std::to_string(row + 1);
    c.Text((head_w - c.Measure(n).w) / 2, y + 3, n);
    c.Line(0, y + row_h, c.Width(), y + row_h, 1, 0.18);
  }
  c.Line(head_w, top, head_w, bottom, 1, 0.3);

  // Header row, then a row per person.
  for (size_t row = 0; row <= s.rows.size(); ++row) {
    const double y = top + row_h * static_cast<double>(row + 1);
    x = head_w;
    c.SetFont(font, 11, row == 0);
    for (size_t col = 0; col < widths.size() && col < s.headers.size(); ++col) {
      const Cell cell = row == 0 ? Text(s.headers[col]) : s.rows[row - 1][col];
      const double tw = c.Measure(cell.text).w;
      const Box drawn = c.Text(cell.right ? x + widths[col] - 5 - tw : x + 5, y + 3, cell.text);
      if (!cell.type.empty()) c.Plant(cell.type, cell.normalized, drawn);
      x += widths[col];
    }
  }
  c.StrokeRect({head_w, top + row_h, widths[0], row_h}, 2, 0.6);  // the selected cell, A1
  return {c.Pixels(), 96, c.TakePlanted()};
}

}  // namespace sendguard::synth::ocr
