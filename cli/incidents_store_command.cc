// SPDX-License-Identifier: Apache-2.0
// `sendguard incidents list|show|assess|transition|report` on the incident store, and
// `sendguard report-misdirected`: the IG team's and staff's command-line doors to the core's
// rules (the same IncidentService the API runs). They open the store file directly (SQLite
// WAL: safe beside a running sendguard-core; edits carry the version they read).
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "command_actor.h"
#include "commands.h"
#include "sendguard/common/service_file.h"
#include "sendguard/incident/incident_service.h"
#include "sendguard/incident/self_report.h"
#include "sendguard/milter/scan_records.h"
#include "sendguard/milter/self_report_desk.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::cli {
namespace {

using nlohmann::json;
using incident::IncidentService;

int PrintRefusal(const incident::Refusal& r) {
  for (const auto& e : r.errors) {
    std::fprintf(stderr, "sendguard: %s%s%s (%d)\n", e.field.c_str(), e.field.empty() ? "" : ": ", e.reason.c_str(),
                 r.http_status);
  }
  return 1;
}

template <typename T>
int Report(const incident::Outcome<T>& o) {
  if (o.refusal) return PrintRefusal(*o.refusal);
  std::fprintf(stderr, "sendguard: the incident store failed: %s\n", o.internal.message().c_str());
  return 2;
}

std::string Text(const json& v) { return v.is_string() ? v.get<std::string>() : (v.is_null() ? "" : v.dump()); }

void PrintShown(const json& shown) {
  const json& in = shown["incident"];
  const json& d = shown["derived"];
  std::printf("%s  %s  %s  %s\n", Text(in["incident_id"]).c_str(), Text(in.value("incident_number", json("-"))).c_str(),
              Text(in["kind"]).c_str(), Text(in["status"]).c_str());
  std::printf("title: %s\n", Text(in.value("title", json(""))).c_str());
  if (!d["nhs_result"].is_null()) {
    std::printf("NHS grid: L%d x I%d = %d, %s, %s\n", d["nhs_result"]["L_eff"].get<int>(), d["nhs_result"]["I_eff"].get<int>(),
                d["nhs_result"]["score"].get<int>(), Text(d["nhs_result"]["region"]).c_str(),
                d["nhs_result"]["ico_reportable"].get<bool>() ? "reportable to the ICO" : "not reportable");
  }
  if (!d["enisa_result"].is_null()) {
    std::printf("ENISA: SE %s (%s), total %s (%s)\n", d["enisa_result"]["se"].dump().c_str(),
                Text(d["enisa_result"]["se_band"]).c_str(), d["enisa_result"]["total"].dump().c_str(),
                Text(d["enisa_result"]["total_band"]).c_str());
  }
  std::printf("recommendation: %s%s\n", Text(d["headline_recommendation"]).c_str(),
              d["methods_disagree"].get<bool>() ? " (the two methods disagree)" : "");
  for (const char* clock : {"TRIAGE", "FORM_24H", "ICO_72H"}) {
    const json& c = d["clocks"][clock];
    if (c["state"] == "NOT_STARTED") continue;
    std::printf("%-8s %-11s due %s\n", clock, Text(c["state"]).c_str(), Text(c.value("due_local", json(""))).c_str());
  }
  std::printf("audit:\n");
  for (const auto& e : shown["audit"]) {
    std::printf("  %s %s (%s) %s%s%s\n", Text(e["at"]).c_str(), Text(e["by"]["name"]).c_str(), Text(e["by"]["role"]).c_str(),
                Text(e["what"]).c_str(), e["what"] == "created" ? "" : ": ", e["what"] == "created" ? "" : Text(e["new"]).c_str());
  }
}

}  // namespace

int RunIncidents(const IncidentsFlags& f) {
  // A store this command makes is the service's, as if sendguard-core had made it: made by root
  // and left root's, the core (running as the sendguard user) could not write it.
  if (!std::filesystem::exists(f.db)) {
    auto made = common::MakeServiceFile(f.db, "sendguard", 0640, common::FileOwner::kService, /*allow_root_fallback=*/true);
    if (!made.ok()) {
      std::fprintf(stderr, "sendguard: %s\n", made.status().message().c_str());
      return 2;
    }
    if (!f.json) std::fprintf(stderr, "sendguard: new incident store %s\n", made->c_str());
  }
  auto store = incident::OpenStore(f.db);
  if (!store.ok()) {
    std::fprintf(stderr, "sendguard: %s: %s\n", f.db.c_str(), store.status().message().c_str());
    return 2;
  }
  incident::CoreConfig config;
  IncidentService service(**store, config, incident::NowUtc);
  const std::string accounts_db =
      !f.accounts_db.empty() ? f.accounts_db : (std::filesystem::path(f.db).parent_path() / "accounts.db").string();
  const bool changes = f.action != "list" && f.action != "show" && f.action != "report";
  auto who = CommandActor(f.token_file, accounts_db, changes);
  if (!who.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", who.status().message().c_str());
    return 2;
  }
  const incident::Actor actor = *who;

  if (f.action == "create") {
    auto text = ReadInput(f.id);
    if (!text.ok()) {
      std::fprintf(stderr, "sendguard: %s\n", text.status().message().c_str());
      return 2;
    }
    json doc = json::parse(*text, nullptr, false);
    if (doc.is_discarded()) {
      std::fprintf(stderr, "sendguard: %s: not valid JSON\n", f.id.c_str());
      return 1;
    }
    auto created = service.Create(doc, actor);
    if (!created.ok()) return Report(created);
    std::printf("%s\n", created.value->c_str());
    return 0;
  }
  if (f.action == "list") {
    incident::ListFilter filter;
    filter.status = f.status;
    filter.kind = f.kind;
    auto listed = service.List(filter);
    if (!listed.ok()) return Report(listed);
    if (f.json) {
      std::cout << listed.value->dump(2) << "\n";
      return 0;
    }
    std::printf("%-36s  %-12s  %-12s  %-19s  %-10s  %s\n", "id", "number", "kind", "status", "clock", "due");
    for (const auto& i : *listed.value) {
      std::string clock = i.contains("deadline") ? Text(i["deadline"]["clock"]) + " " + Text(i["deadline"]["state"]) : "-";
      std::printf("%-36s  %-12s  %-12s  %-19s  %-10s  %s\n", Text(i["incident_id"]).c_str(),
                  Text(i["incident_number"]).c_str(), Text(i["kind"]).c_str(), Text(i["status"]).c_str(), clock.c_str(),
                  i.contains("deadline") ? Text(i["deadline"]["due"]).c_str() : "");
    }
    return 0;
  }
  if (f.action == "show") {
    auto shown = service.Show(f.id);
    if (!shown.ok()) return Report(shown);
    if (f.json) std::cout << shown.value->dump(2) << "\n";
    else PrintShown(*shown.value);
    return 0;
  }
  if (f.action == "assess") {
    json patch = json::object();
    for (const auto& kv : f.set) {
      auto eq = kv.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "sendguard: --set takes FIELD=VALUE (VALUE as JSON, or a plain string): %s\n", kv.c_str());
        return 2;
      }
      json value = json::parse(kv.substr(eq + 1), nullptr, false);
      patch[kv.substr(0, eq)] = value.is_discarded() ? json(kv.substr(eq + 1)) : value;
    }
    auto updated = service.Update(f.id, patch, actor, f.reason);
    if (!updated.ok()) return Report(updated);
    if (f.json) std::cout << updated.value->dump(2) << "\n";
    else PrintShown(*updated.value);
    return 0;
  }
  if (f.action == "transition") {
    auto moved = service.Transition(f.id, f.to, actor, f.reason);
    if (!moved.ok()) return Report(moved);
    if (f.json) std::cout << moved.value->dump(2) << "\n";
    else PrintShown(*moved.value);
    return 0;
  }
  if (f.action == "report") {
    auto from = incident::ParseDate(f.from), to = incident::ParseDate(f.to);
    if (!from.ok() || !to.ok()) {
      std::fprintf(stderr, "sendguard: --from and --to are dates (YYYY-MM-DD; --to exclusive)\n");
      return 2;
    }
    incident::ReportParams params;
    params.period_start = *from;
    params.period_end = *to;
    params.focus_org_unit = f.focus;
    auto report = service.BuildCommitteeReport(params);
    if (!report.ok()) return Report(report);
    const std::string format = f.json ? "json" : f.format;
    if (format == "md") std::cout << incident::RenderMarkdown(*report.value);
    else if (format == "csv") std::cout << incident::RenderCsv(*report.value);
    else if (format == "html") std::cout << incident::RenderHtml(*report.value);
    else {
      std::fprintf(stderr, "sendguard: --format must be md, csv or html\n");
      return 2;
    }
    return 0;
  }
  return 2;
}

int RunReportMisdirected(const EngineFlags& flags, const MisdirectedFlags& m) {
  auto state = OpenState(flags, m.state_db);
  if (!state) return 2;
  const milter::Config* config = &state->config;
  common::KeyedHasher hasher(state->secret);
  milter::ScanRecords records(*state->db, hasher);
  auto record = records.FindByMessageId(m.message_id);
  if (!record) {
    std::fprintf(stderr, "sendguard: no scan record for that Message-ID (records are kept %d days)\n",
                 config->milter.scan_record_days);
    return 1;
  }
  auto store = incident::OpenStore(m.incidents_db);
  if (!store.ok()) {
    std::fprintf(stderr, "sendguard: %s: %s\n", m.incidents_db.c_str(), store.status().message().c_str());
    return 2;
  }
  // The draft says what the scan saw; it holds no address but the reporter's own.
  const json send = milter::ScanRecordSummary(*record);
  incident::IncidentService service(**store, incident::CoreConfig{}, incident::NowUtc);
  // The reporter's address is what they say it is; the audit trail also records who ran this.
  incident::Actor reporter{"os:" + OsAccount(), m.reporter + " (command line, run by " + OsAccount() + ")", incident::Role::kReporter};
  auto created = incident::FileSelfReportDraft(service, reporter, send, m.reporter, m.reporter,
                                               "Reported by the sender with sendguard report-misdirected", "");
  if (!created.ok()) return Report(created);
  std::printf("filed incident %s; the IG team has been given the scan details (no content)\n", created.value->c_str());
  return 0;
}

}  // namespace sendguard::cli
