// SPDX-License-Identifier: Apache-2.0
// §6.2-§6.5: populations, metrics M1-M12, trend and rounding.
#include "sendguard/incident/report.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace sendguard::incident {
namespace {

using std::chrono::days;
using std::chrono::months;
using std::chrono::sys_days;

bool InPeriod(const std::optional<Date>& d, Date start, Date end) {
  return d && sys_days{*d} >= sys_days{start} && sys_days{*d} < sys_days{end};
}

std::string Signed(long long v) { return v > 0 ? "+" + std::to_string(v) : std::to_string(v); }

std::string ChangePct(long long current, long long previous, int decimals) {
  if (previous == 0) return current == 0 ? "0" : "n/a (new)";
  std::string p = Percent(current - previous, previous, decimals);
  return (current > previous ? "+" : "") + p;
}

struct Population {
  std::vector<const Incident*> breaches;
  long long near_misses = 0;
  long long near_misses_prevented = 0;  // near misses the mail filter filed
  long long awaiting_triage = 0;
};

Population Collect(const std::vector<Incident>& all, Date start, Date end) {
  Population p;
  for (const auto& in : all) {
    if (!InPeriod(PeriodDate(in), start, end)) continue;
    switch (in.kind) {
      case IncidentKind::kBreach: p.breaches.push_back(&in); break;
      case IncidentKind::kNearMiss:
        ++p.near_misses;
        if (in.source == IncidentSource::kMailFilter) ++p.near_misses_prevented;
        break;
      case IncidentKind::kUndetermined: ++p.awaiting_triage; break;
      case IncidentKind::kNotABreach: break;
    }
  }
  return p;
}

template <typename Pred>
long long CountWhere(const std::vector<const Incident*>& v, Pred pred) {
  return std::count_if(v.begin(), v.end(), [&](const Incident* i) { return pred(*i); });
}

bool HasInitial(const Incident& in, Instant now) {
  return std::any_of(in.ico_submissions.begin(), in.ico_submissions.end(), [&](const IcoSubmission& s) {
    return s.type == SubmissionType::kInitial && s.submitted_at <= now;
  });
}

// A row with current and previous counts, shares of the two populations and the trend.
ReportRow Row(std::string label, long long cur, long long prev, long long cur_den, long long prev_den, int dec,
              bool with_pct = true) {
  ReportRow r;
  r.label = std::move(label);
  r.current = cur;
  r.previous = prev;
  if (with_pct) {
    r.current_pct = Percent(cur, cur_den, dec);
    r.previous_pct = Percent(prev, prev_den, dec);
  } else {
    r.current_pct = r.previous_pct = "–";
  }
  r.change = Signed(cur - prev);
  r.change_pct = ChangePct(cur, prev, dec);
  return r;
}

std::string ReportLabel(std::string_view name) {
  std::string s(name);
  for (auto& c : s) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

}  // namespace

std::pair<Date, Date> PreviousPeriod(Date start, Date end) {
  if (start.day() == std::chrono::day{1} && end.day() == std::chrono::day{1}) {
    auto ym_start = start.year() / start.month();
    auto ym_end = end.year() / end.month();
    months n = ym_end - ym_start;
    auto prev = ym_start - n;
    return {Date{prev / 1}, start};
  }
  days n = sys_days{end} - sys_days{start};
  return {Date{sys_days{start} - n}, start};
}

std::optional<Date> PeriodDate(const Incident& in) {
  if (in.s2_date_of_breach) return in.s2_date_of_breach;
  if (auto aware = AwareAt(in)) return LondonDate(*aware);
  if (in.detected_at) return LondonDate(*in.detected_at);
  return std::nullopt;
}

std::string Percent(long long num, long long den, int decimals) {
  if (den == 0) return "–";
  long long scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  const bool negative = (num < 0) != (den < 0);
  long long n = std::llabs(num) * 100 * scale, d = std::llabs(den);
  long long q = n / d;
  if (2 * (n % d) >= d) ++q;  // half up, away from zero
  std::string digits = std::to_string(q / scale);
  if (decimals > 0) {
    std::string frac = std::to_string(q % scale);
    digits += "." + std::string(static_cast<size_t>(decimals) - frac.size(), '0') + frac;
  }
  return (negative && q != 0 ? "-" : "") + digits;
}

const ReportTable* Report::Find(const std::string& id) const {
  for (const auto& t : tables) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

Report BuildReport(const std::vector<Incident>& all, const ReportParams& p) {
  Report report;
  report.period_start = p.period_start;
  report.period_end = p.period_end;
  std::tie(report.previous_start, report.previous_end) = PreviousPeriod(p.period_start, p.period_end);
  const Population cur = Collect(all, p.period_start, p.period_end);
  const Population prev = Collect(all, report.previous_start, report.previous_end);
  const long long nc = static_cast<long long>(cur.breaches.size());
  const long long np = static_cast<long long>(prev.breaches.size());
  const int dec = p.percent_decimals;

  ReportTable totals{"M1", "Breaches and near misses", {}, ""};
  totals.rows.push_back(Row("Breaches", nc, np, 0, 0, dec, false));
  totals.rows.push_back(Row("Near misses", cur.near_misses, prev.near_misses, 0, 0, dec, false));
  totals.rows.push_back(Row("Near misses prevented by sendguard", cur.near_misses_prevented,
                            prev.near_misses_prevented, 0, 0, dec, false));
  totals.rows.push_back(Row("Awaiting triage", cur.awaiting_triage, prev.awaiting_triage, 0, 0, dec, false));
  report.tables.push_back(totals);

  ReportTable causes{"M3", "By cause (% of breaches)", {}, ""};
  for (size_t i = 0; i < EnumNames<RootCause>::kNames.size(); ++i) {
    const auto cause = static_cast<RootCause>(i);
    auto is = [&](const Incident& in) { return in.root_cause == cause; };
    long long c = CountWhere(cur.breaches, is), q = CountWhere(prev.breaches, is);
    if (c || q) causes.rows.push_back(Row(ReportLabel(Name(cause)), c, q, nc, np, dec));
  }
  auto unclassified = [](const Incident& in) { return !in.root_cause; };
  long long uc = CountWhere(cur.breaches, unclassified), up = CountWhere(prev.breaches, unclassified);
  if (uc || up) causes.rows.push_back(Row("Unclassified", uc, up, nc, np, dec));
  report.tables.push_back(causes);

  ReportTable types{"M4", "By incident type (% of breaches)", {},
                    "Types are multi-select: a breach may tick several, so percentages may total more than 100%."};
  for (size_t i = 0; i < EnumNames<IncidentType>::kNames.size(); ++i) {
    const auto type = static_cast<IncidentType>(i);
    auto has = [&](const Incident& in) { return in.s4_types.Has(type); };
    long long c = CountWhere(cur.breaches, has), q = CountWhere(prev.breaches, has);
    if (c || q) types.rows.push_back(Row(ReportLabel(Name(type)), c, q, nc, np, dec));
  }
  report.tables.push_back(types);

  auto email = [](const Incident& in) {
    return in.s4_types.Has(IncidentType::kIncorrectRecipient) && in.disclosure_channel == Channel::kEmail;
  };
  report.tables.push_back({"M5", "Emails sent to the wrong recipient", {Row("Emails to wrong recipient",
                           CountWhere(cur.breaches, email), CountWhere(prev.breaches, email), nc, np, dec)}, ""});

  for (auto [id, title, member] : {std::tuple{"M6a", "By directorate", &Incident::s2_directorate},
                                   std::tuple{"M6b", "By service area", &Incident::s2_service_area}}) {
    ReportTable t{id, title, {}, ""};
    std::set<std::string> units;
    for (const auto* in : cur.breaches) units.insert(in->*member);
    for (const auto* in : prev.breaches) units.insert(in->*member);
    for (const auto& unit : units) {
      auto in_unit = [&, m = member](const Incident& in) { return in.*m == unit; };
      t.rows.push_back(Row(unit.empty() ? "Not recorded" : unit, CountWhere(cur.breaches, in_unit),
                           CountWhere(prev.breaches, in_unit), nc, np, dec));
    }
    // Largest first, as a committee reads it.
    std::stable_sort(t.rows.begin(), t.rows.end(), [](const ReportRow& a, const ReportRow& b) { return a.current > b.current; });
    report.tables.push_back(t);
  }

  auto reported = [&](const Incident& in) { return HasInitial(in, p.now); };
  ReportTable ico{"M7", "Reported to the ICO", {}, ""};
  ico.rows.push_back(Row("Reported to ICO", CountWhere(cur.breaches, reported), CountWhere(prev.breaches, reported), 0, 0, dec, false));
  for (size_t i = 0; i < EnumNames<IcoOutcome>::kNames.size(); ++i) {
    const auto outcome = static_cast<IcoOutcome>(i);
    auto is = [&](const Incident& in) { return reported(in) && in.ico_outcome == outcome; };
    long long c = CountWhere(cur.breaches, is), q = CountWhere(prev.breaches, is);
    if (c || q) ico.rows.push_back(Row("ICO outcome: " + ReportLabel(Name(outcome)), c, q, 0, 0, dec, false));
  }
  report.tables.push_back(ico);

  CoreConfig clock_config;
  auto ico_state = [&](const Incident& in) { return ComputeClocks(in, clock_config, p.now).ico.state; };
  auto met = [&](const Incident& in) { return reported(in) && ico_state(in) == ClockState::kMet; };
  auto missed = [&](const Incident& in) { return reported(in) && ico_state(in) == ClockState::kMissed; };
  report.tables.push_back({"M8", "ICO 72-hour timeliness", {
      Row("Reported within 72 hours", CountWhere(cur.breaches, met), CountWhere(prev.breaches, met), 0, 0, dec, false),
      Row("Reported late", CountWhere(cur.breaches, missed), CountWhere(prev.breaches, missed), 0, 0, dec, false)}, ""});

  auto untrained = [](const Incident& in) { return in.s2_gdpr_training_last_year == YesNoUnknown::kNo; };
  report.tables.push_back({"M9", "GDPR training not completed in the last year", {Row("Training not completed",
                           CountWhere(cur.breaches, untrained), CountWhere(prev.breaches, untrained), nc, np, dec)}, ""});

  auto sum = [](const std::vector<const Incident*>& v) {
    long long total = 0;
    for (const auto* in : v) total += in->s7_individuals_affected.value_or(0);
    return total;
  };
  auto unknown = [](const Incident& in) { return !in.s7_individuals_affected; };
  report.tables.push_back({"M10", "Individuals affected", {
      Row("Individuals affected (known)", sum(cur.breaches), sum(prev.breaches), 0, 0, dec, false),
      Row("Breaches with the number unknown", CountWhere(cur.breaches, unknown), CountWhere(prev.breaches, unknown), 0, 0, dec, false)}, ""});

  if (!p.focus_org_unit.empty()) {
    auto in_focus = [&](const Incident& in) { return in.s2_directorate == p.focus_org_unit || in.s2_service_area == p.focus_org_unit; };
    std::vector<const Incident*> fc, fp;
    std::copy_if(cur.breaches.begin(), cur.breaches.end(), std::back_inserter(fc), [&](const Incident* i) { return in_focus(*i); });
    std::copy_if(prev.breaches.begin(), prev.breaches.end(), std::back_inserter(fp), [&](const Incident* i) { return in_focus(*i); });
    const long long fnc = static_cast<long long>(fc.size()), fnp = static_cast<long long>(fp.size());
    ReportTable focus{"M11", "Focus: " + p.focus_org_unit, {Row("Breaches", fnc, fnp, 0, 0, dec, false)}, ""};
    for (size_t i = 0; i < EnumNames<RootCause>::kNames.size(); ++i) {
      const auto cause = static_cast<RootCause>(i);
      auto is = [&](const Incident& in) { return in.root_cause == cause; };
      long long c = CountWhere(fc, is), q = CountWhere(fp, is);
      if (c || q) focus.rows.push_back(Row("Cause: " + ReportLabel(Name(cause)), c, q, fnc, fnp, dec));
    }
    for (size_t i = 0; i < EnumNames<IncidentType>::kNames.size(); ++i) {
      const auto type = static_cast<IncidentType>(i);
      auto has = [&](const Incident& in) { return in.s4_types.Has(type); };
      long long c = CountWhere(fc, has), q = CountWhere(fp, has);
      if (c || q) focus.rows.push_back(Row("Type: " + ReportLabel(Name(type)), c, q, fnc, fnp, dec));
    }
    report.tables.push_back(focus);
  }

  if (p.include_monthly_series) {
    ReportTable series{"M12", "Monthly series", {}, ""};
    for (auto ym = p.period_start.year() / p.period_start.month();
         sys_days{Date{ym / 1}} < sys_days{p.period_end}; ym += months{1}) {
      const Date month_start{ym / 1}, month_end{(ym + months{1}) / 1};
      const Population m = Collect(all, month_start, month_end);
      char label[16];
      std::snprintf(label, sizeof label, "%04d-%02u", static_cast<int>(ym.year()), static_cast<unsigned>(ym.month()));
      ReportRow r;
      r.label = std::string(label) + " breaches";
      r.current = static_cast<long long>(m.breaches.size());
      series.rows.push_back(r);
      r.label = std::string(label) + " near misses";
      r.current = m.near_misses;
      series.rows.push_back(r);
    }
    report.tables.push_back(series);
  }
  return report;
}

}  // namespace sendguard::incident
