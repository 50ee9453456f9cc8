// SPDX-License-Identifier: Apache-2.0
// The committee report as Markdown (for papers), CSV (for spreadsheets) and HTML with inline
// SVG bar charts (for the web page and download; no script, so a strict CSP holds).
#include <algorithm>
#include <sstream>

#include "sendguard/common/text.h"
#include "sendguard/incident/report.h"

namespace sendguard::incident {
namespace {

std::string Period(const Report& r) {
  return FormatDate(r.period_start) + " to " + FormatDate(r.period_end) + " (previous: " +
         FormatDate(r.previous_start) + " to " + FormatDate(r.previous_end) + "; end dates exclusive)";
}

std::string Prev(const ReportRow& row) { return row.previous ? std::to_string(*row.previous) : "–"; }
std::string Or(const std::string& s) { return s.empty() ? "–" : s; }

// A signed number such as "+2", "-16" or "+12.5": a spreadsheet reads it as the number it is,
// and it can carry nothing else.
bool SignedNumber(std::string_view s) {
  if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return false;
  bool digit = false, point = false;
  for (char c : s.substr(1)) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digit;
}

// A cell a spreadsheet would run as a formula (= + - @, or a tab or carriage return before
// one) is prefixed with ' so it stays text (OWASP's CSV injection advice); a plain signed
// number (the report's changes) stays a number.
std::string CsvField(const std::string& raw) {
  const bool formula = !raw.empty() && std::string_view("=+-@\t\r").find(raw.front()) != std::string_view::npos &&
                       !SignedNumber(raw);
  const std::string s = formula ? "'" + raw : raw;
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Html(const std::string& s) { return common::HtmlEscape(s); }

// A horizontal bar chart of the rows' current values.
std::string BarChart(const ReportTable& t) {
  long long max = 1;
  for (const auto& r : t.rows) max = std::max(max, r.current);
  const int bar_h = 22, label_w = 260, chart_w = 300;
  const int height = static_cast<int>(t.rows.size()) * bar_h + 10;
  std::ostringstream s;
  s << "<svg role=\"img\" aria-label=\"" << Html(t.title) << "\" width=\"" << label_w + chart_w + 60 << "\" height=\""
    << height << "\" viewBox=\"0 0 " << label_w + chart_w + 60 << " " << height << "\">";
  int y = 5;
  for (const auto& r : t.rows) {
    const long long w = r.current * chart_w / max;
    s << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 15 << "\" text-anchor=\"end\" font-size=\"13\">" << Html(r.label)
      << "</text><rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << w << "\" height=\"" << bar_h - 6
      << "\" fill=\"#1d70b8\"/><text x=\"" << label_w + w + 6 << "\" y=\"" << y + 15 << "\" font-size=\"13\">" << r.current
      << "</text>";
    y += bar_h;
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

std::string RenderMarkdown(const Report& report) {
  std::ostringstream s;
  s << "# Data security breaches report\n\nPeriod: " << Period(report) << "\n";
  for (const auto& t : report.tables) {
    s << "\n## " << t.title << "\n\n";
    if (t.id == "M12") {
      s << "| Month | Count |\n|---|---|\n";
      for (const auto& r : t.rows) s << "| " << r.label << " | " << r.current << " |\n";
    } else {
      s << "| Metric | Current | % | Previous | % | Change | Change % |\n|---|---|---|---|---|---|---|\n";
      for (const auto& r : t.rows) {
        s << "| " << r.label << " | " << r.current << " | " << Or(r.current_pct) << " | " << Prev(r) << " | "
          << Or(r.previous_pct) << " | " << Or(r.change) << " | " << Or(r.change_pct) << " |\n";
      }
    }
    if (!t.note.empty()) s << "\n" << t.note << "\n";
  }
  return s.str();
}

std::string RenderCsv(const Report& report) {
  std::ostringstream s;
  s << "table,metric,current,current_pct,previous,previous_pct,change,change_pct\n";
  for (const auto& t : report.tables) {
    for (const auto& r : t.rows) {
      s << t.id << "," << CsvField(r.label) << "," << r.current << "," << CsvField(r.current_pct) << ","
        << (r.previous ? std::to_string(*r.previous) : "") << "," << CsvField(r.previous_pct) << ","
        << CsvField(r.change) << "," << CsvField(r.change_pct) << "\n";
    }
  }
  return s.str();
}

std::string RenderHtml(const Report& report) {
  std::ostringstream s;
  s << "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Data security breaches report</title>"
       "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto}table{border-collapse:collapse;margin:1rem 0}"
       "td,th{border:1px solid #bbb;padding:.25rem .5rem;text-align:right}td:first-child,th:first-child{text-align:left}"
       "</style></head><body><h1>Data security breaches report</h1><p>Period: "
    << Html(Period(report)) << "</p>";
  for (const auto& t : report.tables) {
    s << "<section id=\"" << t.id << "\"><h2>" << Html(t.title) << "</h2>";
    if (t.id == "M3" || t.id == "M4" || t.id == "M6a" || t.id == "M12") s << BarChart(t);
    s << "<table><thead><tr><th>Metric</th><th>Current</th><th>%</th><th>Previous</th><th>%</th><th>Change</th>"
         "<th>Change %</th></tr></thead><tbody>";
    for (const auto& r : t.rows) {
      s << "<tr><td>" << Html(r.label) << "</td><td>" << r.current << "</td><td>" << Html(Or(r.current_pct)) << "</td><td>"
        << Prev(r) << "</td><td>" << Html(Or(r.previous_pct)) << "</td><td>" << Html(Or(r.change)) << "</td><td>"
        << Html(Or(r.change_pct)) << "</td></tr>";
    }
    s << "</tbody></table>";
    if (!t.note.empty()) s << "<p>" << Html(t.note) << "</p>";
    s << "</section>";
  }
  s << "</body></html>\n";
  return s.str();
}

}  // namespace sendguard::incident
