// SPDX-License-Identifier: Apache-2.0
// Escalation notices and scheduled digests (see outbound.h).
#include "sendguard/incident/outbound.h"

#include <algorithm>

#include "sendguard/common/text.h"
#include "sendguard/incident/clocks.h"
#include "sendguard/incident/incident_json.h"
#include "sendguard/incident/recommendations.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

// Sends one text to every recipient; true when each accepted it.
bool Deliver(const Recipients& to, const EmailTarget* via, const std::string& subject, const std::string& body,
             const Notice& notice, Instant now, const std::function<void(const std::string&)>& log) {
  bool all = true;
  for (const auto& hook : to.webhooks) {
    const long status = PostWebhook(hook, notice);
    if (status < 200 || status >= 300) {
      all = false;
      if (log) log(notice.event + " not accepted by a webhook (HTTP " + std::to_string(status) + "); will retry");
    }
  }
  for (const auto& address : to.emails) {
    if (!via || via->smtp_url.empty()) {
      all = false;
      if (log) log(notice.event + ": no email is configured (notifications.email); will retry");
      break;
    }
    if (Status st = SendPlainEmail(*via, address, subject, body, now); !st.ok()) {
      all = false;
      if (log) log(notice.event + " not sent by email (" + st.message() + "); will retry");
    }
  }
  return all;
}

std::string OutboundLabel(const std::string& id, const json& doc) {
  const std::string number = doc.value("incident_number", "");
  return number.empty() ? "incident " + id.substr(0, 8) : number;
}

std::string Link(const std::string& pages_url, const std::string& id) {
  return pages_url.empty() ? "" : pages_url + "/incidents/" + id;
}

struct Flag {
  const char* code;
  const char* who;
  const Recipients* to;
  bool raised;
};

// The masked facts of one incident: numbers, kinds, scores, clocks and counts.
std::string Facts(const Incident& typed, const Derived& d) {
  std::string out = "Kind: " + Readable(Name(typed.kind)) + ". Status: " + Readable(Name(typed.status)) +
                    ". Source: " + Readable(Name(typed.source)) + ".\n";
  if (d.nhs_result) {
    out += "NHS grid: score " + std::to_string(d.nhs_result->score) + " (" + Readable(Name(d.nhs_result->region)) +
           "), reportable to the ICO: " + (d.nhs_result->ico_reportable ? "yes" : "no") + ".\n";
  }
  if (d.enisa_result && d.enisa_result->total_band) out += "ENISA severity: " + Readable(Name(*d.enisa_result->total_band)) + ".\n";
  if (d.sensitivity_factor.present) {
    std::string t;
    for (const auto& trigger : d.sensitivity_factor.triggers) t += (t.empty() ? "" : ", ") + common::AsciiLower(Readable(trigger));
    out += "Sensitivity factors: " + t + ".\n";
  }
  if (typed.s7_individuals_affected) out += "People affected: " + std::to_string(*typed.s7_individuals_affected) + ".\n";
  std::string ids;
  for (const auto& [type, count] : typed.mf_identifier_distinct) ids += (ids.empty() ? "" : ", ") + type + " " + std::to_string(count);
  if (!ids.empty()) out += "Identifiers found (distinct): " + ids + ".\n";
  if (d.clocks.ico.due && d.clocks.ico.state != ClockState::kNotStarted) {
    out += "ICO 72-hour clock: " + common::AsciiLower(Readable(Name(d.clocks.ico.state))) + ", due " + FormatLondon(*d.clocks.ico.due) + ".\n";
  }
  return out;
}

}  // namespace

Result<int> EscalationRound(IncidentStore& store, const CoreConfig& config, const Outbound& out, Instant now,
                            const std::function<void(const std::string&)>& log) {
  if (out.escalations.empty()) return 0;
  ListFilter open;
  open.limit = 100000;
  auto rows = store.List(open);
  if (!rows.ok()) return rows.status();
  int sent = 0;
  for (const auto& r : *rows) {
    Incident typed;
    CoreConfig scratch = config;
    ReadIncidentDocument(r.document, &typed, &scratch);
    if (typed.status == IncidentStatus::kClosed || typed.kind == IncidentKind::kNotABreach) continue;
    auto derived = Derive(typed, scratch, now);
    if (!derived.ok()) continue;
    const Escalations& e = derived->escalation_suggestions;
    const Flag flags[] = {{"SIRO", "the SIRO", &out.escalations.siro, e.siro_flag.value_or(false)},
                          {"CALDICOTT", "the Caldicott Guardian", &out.escalations.caldicott, e.caldicott_flag},
                          {"COMMS", "Communications", &out.escalations.comms, e.comms_flag},
                          {"ICT", "ICT", &out.escalations.ict, e.ict_flag}};
    for (const Flag& f : flags) {
      if (!f.raised || f.to->empty()) continue;
      const std::string event = std::string("escalation:") + f.code;
      auto done = store.Notified(r.id, event);
      if (!done.ok()) return done.status();
      if (*done) continue;
      const std::string label = OutboundLabel(r.id, r.document);
      const std::string text = "Escalation to " + std::string(f.who) + ": " + label;
      std::string body = label + " needs " + f.who + ": the scoring raised the " + f.code + " flag.\n\n" +
                         Facts(typed, *derived);
      const std::string link = Link(out.pages_url, r.id);
      if (!link.empty()) body += "\nOpen the case: " + link + "\n";
      json data{{"incident_id", r.id}, {"incident_number", r.document.value("incident_number", "")}, {"flag", f.code},
                {"kind", Name(typed.kind)}, {"status", Name(typed.status)}, {"link", link}};
      if (derived->nhs_result) data["nhs_score"] = derived->nhs_result->score;
      const Notice notice{r.id, event, text, data};
      auto mine = store.ClaimNotification(r.id, event, now);  // one core sends it
      if (!mine.ok()) return mine.status();
      if (!*mine) continue;
      if (!Deliver(*f.to, out.via, "sendguard: " + text, body, notice, now, log)) {
        if (Status st = store.ReleaseNotification(r.id, event); !st.ok()) return st;
        continue;
      }
      if (Status st = store.MarkNotified(r.id, event, now); !st.ok()) return st;
      ++sent;
    }
  }
  return sent;
}

Result<std::string> SiroWeeklyDigest(IncidentStore& store, const CoreConfig& config, const std::string& pages_url, Instant now) {
  ListFilter all;
  all.limit = 100000;  // by deadline
  auto rows = store.List(all);
  if (!rows.ok()) return rows.status();
  std::string open, reportable, actions;
  int n_open = 0, n_reportable = 0, n_actions = 0;
  const Date today = LondonDate(now);
  for (const auto& r : *rows) {
    Incident typed;
    CoreConfig scratch = config;
    ReadIncidentDocument(r.document, &typed, &scratch);
    auto d = Derive(typed, scratch, now);
    if (!d.ok()) continue;
    const std::string label = OutboundLabel(r.id, r.document);
    const std::string link = Link(pages_url, r.id);
    const bool high = d->enisa_result && d->enisa_result->total_band && *d->enisa_result->total_band >= SeverityBand::kHigh;
    const bool siro = d->escalation_suggestions.siro_flag.value_or(false);
    if (typed.status != IncidentStatus::kClosed && (typed.kind == IncidentKind::kBreach || siro || high)) {
      ++n_open;
      open += "- " + label + ": " + Readable(Name(typed.kind)) + ", " + common::AsciiLower(Readable(Name(typed.status)));
      for (const Clock* c : {&d->clocks.ico, &d->clocks.form, &d->clocks.triage}) {
        if (c->due && (c->state == ClockState::kRunning || c->state == ClockState::kDueSoon || c->state == ClockState::kOverdue)) {
          open += "; " + c->name + " " + common::AsciiLower(Readable(Name(c->state))) + ", due " + FormatLondon(*c->due);
        }
      }
      if (d->nhs_result) open += "; NHS " + std::to_string(d->nhs_result->score);
      if (siro) open += "; SIRO flag";
      open += (link.empty() ? "" : "\n  " + link) + "\n";
    }
    auto created = ParseInstant(r.document.value("created_at", ""));
    const bool likely = (d->nhs_result && d->nhs_result->ico_reportable) ||
                        (d->headline_recommendation && *d->headline_recommendation == Recommendation::kReport);
    if (created.ok() && now - *created <= std::chrono::hours(24 * 7) && likely) {
      ++n_reportable;
      reportable += "- " + label + (d->clocks.ico.due ? ", ICO due " + FormatLondon(*d->clocks.ico.due) : "") +
                    (link.empty() ? "" : "\n  " + link) + "\n";
    }
    int index = 0;
    for (const auto& a : r.document.value("action_plan", json::array())) {
      ++index;
      if (a.contains("completed_at") || a.contains("waived_reason")) continue;
      auto due = ParseDate(a.value("due", ""));
      if (!due.ok() || std::chrono::sys_days{*due} >= std::chrono::sys_days{today}) continue;
      ++n_actions;
      const long long days = (std::chrono::sys_days{today} - std::chrono::sys_days{*due}).count();
      actions += "- " + label + ": action " + std::to_string(index) + " due " + FormatDate(*due) + " (" + std::to_string(days) +
                 (days == 1 ? " day" : " days") + " overdue)\n";
    }
  }
  std::string body = "Weekly summary for the SIRO, as at " + FormatLondon(now) + "\n\n";
  body += "Open breaches and cases with the SIRO flag or a high severity, by deadline (" + std::to_string(n_open) + "):\n" +
          (open.empty() ? "- none\n" : open);
  body += "\nNew in the last 7 days and likely reportable to the ICO (" + std::to_string(n_reportable) + "):\n" +
          (reportable.empty() ? "- none\n" : reportable);
  body += "\nOverdue actions (" + std::to_string(n_actions) + "):\n" + (actions.empty() ? "- none\n" : actions);
  if (!pages_url.empty()) body += "\nThe case list: " + pages_url + "/\n";
  return body;
}

Instant LatestScheduled(const DigestSchedule& s, bool weekly, Instant now) {
  using namespace std::chrono;
  const LocalDateTime local = ToLocal(now);
  const local_days day = floor<days>(local);
  const minutes at = hours(s.hour) + minutes(s.minute);
  local_days candidate;
  if (weekly) {
    const unsigned today = weekday(day).c_encoding();
    candidate = day - days((today + 7 - static_cast<unsigned>(s.weekday)) % 7);
    if (candidate + at > local) candidate -= days(7);
  } else {
    const year_month_day ymd{day};
    candidate = local_days{ymd.year() / ymd.month() / s.day_of_month};
    if (candidate + at > local) candidate = local_days{(ymd.year() / ymd.month() - months(1)) / s.day_of_month};
  }
  return ToInstant(candidate + at);
}

Result<int> DigestRound(IncidentService& service, IncidentStore& store, const Outbound& out, Instant now,
                        const std::function<void(const std::string&)>& log) {
  int sent = 0;
  for (const bool weekly : {true, false}) {
    const DigestSchedule& s = weekly ? out.siro_weekly : out.committee_monthly;
    if (!s.enabled()) continue;
    const Instant due = LatestScheduled(s, weekly, now);
    if (now - due > std::chrono::hours(24)) continue;  // missed by more than a day: wait for the next one
    const std::string key = std::string(weekly ? "digest:SIRO_WEEKLY:" : "digest:COMMITTEE_MONTHLY:") + FormatInstant(due);
    auto done = store.JobDone(key);
    if (!done.ok()) return done.status();
    if (*done) continue;
    auto mine = store.ClaimJob(key, now);  // one core sends it
    if (!mine.ok()) return mine.status();
    if (!*mine) continue;
    std::string subject, body;
    json data{{"digest", weekly ? "SIRO_WEEKLY" : "COMMITTEE_MONTHLY"}, {"scheduled_for", FormatInstant(due)}};
    if (weekly) {
      auto text = SiroWeeklyDigest(store, service.config(), out.pages_url, now);
      if (!text.ok()) {
        store.ReleaseJob(key);
        return text.status();
      }
      subject = "sendguard: weekly summary for the SIRO, " + FormatDate(LondonDate(due));
      body = *text;
    } else {
      const std::chrono::year_month_day d = LondonDate(due);
      const Date end = d.year() / d.month() / 1;
      const Date start = std::chrono::year_month_day{std::chrono::sys_days{end} - std::chrono::days(1)}.year() /
                         std::chrono::year_month_day{std::chrono::sys_days{end} - std::chrono::days(1)}.month() / 1;
      ReportParams p;
      p.period_start = start;
      p.period_end = end;
      auto report = service.BuildCommitteeReport(p);
      if (!report.ok()) {
        store.ReleaseJob(key);
        return report.internal;
      }
      subject = "sendguard: committee report for " + FormatDate(start) + " to " + FormatDate(end) + " (end exclusive)";
      body = RenderMarkdown(*report.value);
      if (!out.pages_url.empty()) body += "\nOn the pages: " + out.pages_url + "/reports?from=" + FormatDate(start) + "&to=" + FormatDate(end) + "\n";
      data["period_start"] = FormatDate(start);
      data["period_end"] = FormatDate(end);
    }
    const Notice notice{"", key, subject.substr(std::string("sendguard: ").size()), data};
    if (!Deliver(s.to, out.via, subject, body, notice, now, log)) {
      if (Status st = store.ReleaseJob(key); !st.ok()) return st;
      continue;
    }
    if (Status st = store.MarkJobDone(key, now); !st.ok()) return st;
    ++sent;
  }
  return sent;
}

}  // namespace sendguard::incident
