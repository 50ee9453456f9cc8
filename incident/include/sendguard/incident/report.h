// SPDX-License-Identifier: Apache-2.0
// The committee report (spec §6): breaches and near misses for a period against the previous
// one, by cause, type, directorate and service area, ICO reporting and timeliness, training,
// individuals affected, near misses prevented by sendguard, and a monthly series; rendered as
// Markdown, HTML (with SVG bar charts, no script) and CSV.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/incident/clocks.h"
#include "sendguard/incident/incident.h"

namespace sendguard::incident {

struct ReportParams {
  Date period_start;  // inclusive
  Date period_end;    // exclusive
  std::string focus_org_unit;  // directorate or service area for M11 ("" = none)
  bool include_monthly_series = true;
  int percent_decimals = 0;    // report_percent_decimals
  Instant now;                 // "at report time" for ICO submissions and clocks
  // Whose open actions the report may list (by incident id); empty: every incident's.
  std::function<bool(const std::string&)> action_visible;
};

// §6.1: the same number of calendar months ending at period_start when both dates are the
// 1st of a month, else the same number of days.
std::pair<Date, Date> PreviousPeriod(Date start, Date end);

// §6.2: s2_date_of_breach, else the London date of aware_at, else of detected_at.
std::optional<Date> PeriodDate(const Incident& incident);

struct ReportRow {
  std::string label;
  long long current = 0;
  std::optional<long long> previous;  // absent where the metric has no previous column
  std::string current_pct;            // "" where the metric has no % column, "–" for 0 denominators
  std::string previous_pct;
  std::string change;                 // "+4", "0", "-2"
  std::string change_pct;             // "+25", "0", "n/a (new)", "–"
};

struct ReportTable {
  std::string id;     // M1..M12 and extras
  std::string title;
  std::vector<ReportRow> rows;
  std::string note;   // e.g. the multi-select note on types
};

struct Report {
  Date period_start, period_end, previous_start, previous_end;
  std::vector<ReportTable> tables;
  const ReportTable* Find(const std::string& id) const;
};

Report BuildReport(const std::vector<Incident>& incidents, const ReportParams& params);

// 100 * num / den rounded half up (away from zero for negatives) to `decimals` places.
std::string Percent(long long num, long long den, int decimals);

std::string RenderMarkdown(const Report& report);
std::string RenderCsv(const Report& report);
std::string RenderHtml(const Report& report);

}  // namespace sendguard::incident
