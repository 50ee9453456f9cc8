// SPDX-License-Identifier: Apache-2.0
// Routes: /healthz, /api/incidents (GET list, POST create), /api/incidents/{id} (GET show,
// PATCH update), /api/incidents/{id}/transition, /notes, /actions (POST),
// /api/reports/committee (GET), /api/score (POST, the what-if calculator).
#include "api.h"

#include "case_scope.h"
#include "outputs_api.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"
#include "sendguard/incident/self_report.h"

#include <cstring>

namespace sendguard::incident {
namespace {

using common::HttpRequest;
using common::HttpResponse;
using nlohmann::json;

HttpResponse Json(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  // Replace, not throw: a refusal may quote what the request carried (not always UTF-8).
  r.body = body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  r.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}};
  return r;
}

HttpResponse Error(int status, const std::string& field, const std::string& reason) {
  return Json(status, {{"errors", {{{"field", field}, {"reason", reason}}}}});
}

template <typename T>
HttpResponse FromOutcome(const Outcome<T>& o, int ok_status, const std::function<json(const T&)>& body) {
  if (o.ok()) return Json(ok_status, body(*o.value));
  if (o.refusal) {
    json errors = json::array();
    for (const auto& e : o.refusal->errors) errors.push_back({{"field", e.field}, {"reason", e.reason}});
    return Json(o.refusal->http_status, {{"errors", errors}});
  }
  return Error(500, "", "the incident store failed: " + o.internal.message());
}

// How deeply a JSON text nests ([ and { outside strings); stops counting past `limit`.
int JsonDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}') --depth;
    if (deepest > limit) break;
  }
  return deepest;
}

std::optional<json> Body(const HttpRequest& req, HttpResponse* refusal) {
  if (req.body.empty()) {
    *refusal = Error(400, "", "a JSON body is required");
    return std::nullopt;
  }
  // Nothing the API takes nests deeply; a body that does would only cost stack to copy.
  if (JsonDepth(req.body, kMaxJsonDepth) > kMaxJsonDepth) {
    *refusal = Error(400, "", "the body nests more than " + std::to_string(kMaxJsonDepth) + " levels deep");
    return std::nullopt;
  }
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    *refusal = Error(400, "", "the body is not valid JSON");
    return std::nullopt;
  }
  if (!body.is_object()) {
    *refusal = Error(400, "", "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

// Checks that `body` has only `allowed` keys and that each present key is a string.
bool StringKeys(const json& body, const std::vector<std::string>& allowed, HttpResponse* refusal) {
  for (const auto& [key, value] : body.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      *refusal = Error(400, key, "unknown field");
      return false;
    }
  }
  return true;
}

// A filing's answer (201 with the incident) for a caller who may not see every case: an
// Idempotency-Key or a Message-ID already used returns the incident filed then, which may be
// one they may not see; that is refused (409) without its contents. What they filed
// themselves is theirs to see.
HttpResponse KeptToNeedToKnow(const Caller& caller, HttpResponse filed) {
  if (filed.status != 201 || !LimitedToSomeCases(caller)) return filed;
  const json shown = json::parse(filed.body, nullptr, false);
  if (!shown.is_object() || HiddenReason(caller, shown).empty()) return filed;
  const json audit = shown.value("audit", json::array());
  const bool theirs = !audit.empty() && audit[0].is_object() && audit[0].value("by", json::object()).value("id", "") == caller.actor.id;
  if (theirs) return filed;
  return Error(409, "idempotency-key", "an incident was already filed for this key or message, and it is not one you may see");
}

HttpResponse CommitteeReport(IncidentService& service, const Caller& caller, const HttpRequest& req) {
  auto from = ParseDate(req.Query("from")), to = ParseDate(req.Query("to"));
  if (!from.ok()) return Error(400, "from", from.status().message());
  if (!to.ok()) return Error(400, "to", to.status().message());
  if (std::chrono::sys_days{*to} <= std::chrono::sys_days{*from}) return Error(400, "to", "must be after from");
  ReportParams p;
  p.period_start = *from;
  p.period_end = *to;
  p.focus_org_unit = req.Query("focus");
  // Counts are for everyone the report is for; the outstanding actions name cases, so a caller
  // limited to some cases sees only theirs.
  if (LimitedToSomeCases(caller)) {
    p.action_visible = [&service, &caller](const std::string& id) {
      auto shown = service.Show(id);
      return shown.ok() && HiddenReason(caller, *shown.value).empty();
    };
  }
  auto report = service.BuildCommitteeReport(p);
  if (!report.ok()) return Error(500, "", "the incident store failed: " + report.internal.message());
  const std::string format = req.Query("format").empty() ? "json" : req.Query("format");
  HttpResponse r;
  r.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}};
  const std::string name = "committee-report-" + FormatDate(*from) + "-" + FormatDate(*to);
  if (format == "md") {
    r.content_type = "text/markdown; charset=utf-8";
    r.body = RenderMarkdown(*report.value);
  } else if (format == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    r.body = RenderCsv(*report.value);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  } else if (format == "html") {
    r.content_type = "text/html; charset=utf-8";
    r.body = RenderHtml(*report.value);
    r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  } else if (format == "json") {
    json tables = json::array();
    for (const auto& t : report.value->tables) {
      json rows = json::array();
      for (const auto& row : t.rows) {
        rows.push_back({{"label", row.label}, {"current", row.current}, {"current_pct", row.current_pct},
                        {"previous", row.previous ? json(*row.previous) : json()}, {"previous_pct", row.previous_pct},
                        {"change", row.change}, {"change_pct", row.change_pct}});
      }
      tables.push_back({{"id", t.id}, {"title", t.title}, {"rows", rows}, {"note", t.note}});
    }
    return Json(200, {{"period_start", FormatDate(report.value->period_start)},
                      {"period_end", FormatDate(report.value->period_end)},
                      {"previous_start", FormatDate(report.value->previous_start)},
                      {"previous_end", FormatDate(report.value->previous_end)},
                      {"tables", tables}});
  } else {
    return Error(400, "format", "must be json, md, csv or html");
  }
  return r;
}

}  // namespace

HttpResponse ApiJson(int status, const json& body) { return Json(status, body); }
std::optional<json> ApiBody(const HttpRequest& req, HttpResponse* refusal) { return Body(req, refusal); }
HttpResponse ApiError(int status, const std::string& field, const std::string& reason) { return Error(status, field, reason); }
HttpResponse ApiAnswer(const Outcome<json>& outcome) {
  return FromOutcome<json>(outcome, 200, [](const json& j) { return j; });
}

HttpResponse FileSelfReport(IncidentService& service, const Actor& actor, const json& send, const std::string& reporter_name,
                            const std::string& reporter_email, const std::string& how, const std::string& note) {
  auto created = FileSelfReportDraft(service, actor, send, reporter_name, reporter_email, how, note);
  if (!created.ok()) return FromOutcome<std::string>(created, 201, [](const std::string& id) { return json{{"incident_id", id}}; });
  return FromOutcome<json>(service.Show(*created.value), 201, [](const json& shown) { return shown; });
}

namespace {

// POST /api/self-reports {"message_id", "reporter_email"?, "note"?}: the send's scan record
// comes from the milter; the draft is filed as the caller.
HttpResponse SelfReport(IncidentService& service, const ApiSettings& settings, const Actor& actor, const HttpRequest& req) {
  if (req.method != "POST") return Error(405, "", "use POST");
  // Anyone could name any Message-ID here, and the answer shows that send's summary: the IG team
  // files for a sender who phoned; staff report their own sends on the self-report page, where a
  // link to their own mailbox proves the sends are theirs.
  if (actor.role != Role::kIgOfficer && actor.role != Role::kDpo) {
    return Error(403, "authorization", "the IG team files self-reports here; staff use the self-report page");
  }
  HttpResponse refusal;
  auto body = Body(req, &refusal);
  if (!body) return refusal;
  if (!StringKeys(*body, {"message_id", "reporter_email", "note"}, &refusal)) return refusal;
  const std::string message_id = body->value("message_id", "");
  if (message_id.empty() || message_id.size() > 998) return Error(400, "message_id", "the Message-ID of the email is required");
  if (!settings.desk.enabled()) return Error(503, "", "no desk_url is configured: scan records cannot be looked up");
  common::HttpCallResult r = settings.desk.Call("GET", "/scan-records?message_id=" + common::PercentEncode(message_id));
  const json found = json::parse(r.body, nullptr, false);
  if (r.status == 404) return Error(404, "message_id", "no scan record for that Message-ID (records are kept scan_record_days)");
  if (r.status != 200 || !found.is_object() || !found.contains("send")) {
    return Error(502, "", "the milter did not answer the lookup (" + std::to_string(r.status) + ")");
  }
  const std::string email = body->value("reporter_email", "");
  return FileSelfReport(service, actor, found["send"], actor.name, email,
                        "Reported by the sender through the sendguard API", body->value("note", ""));
}

}  // namespace

HttpResponse ServeApi(IncidentService& service, const ApiSettings& settings, Accounts& accounts, const HttpRequest& req) {
  if (req.path == "/healthz") return Json(200, {{"status", "ok"}});
  if (req.path.rfind("/api/", 0) != 0) return Error(404, "", "no such resource: " + req.path);
  HttpResponse refusal;
  auto caller = IdentifyCaller(req, accounts, std::time(nullptr), &refusal);
  if (!caller) return refusal;
  return HandleApi(service, settings, *caller, req);
}

HttpResponse HandleApi(IncidentService& service, const ApiSettings& auth, const Caller& caller, const HttpRequest& req) {
  const std::string& path = req.path;
  if (path.rfind("/api/", 0) != 0) return Error(404, "", "no such resource: " + path);
  HttpResponse refusal;
  // A token's scope holds whatever its role would otherwise allow.
  if (caller.scope == Caller::Scope::kMailFilter && !(path == "/api/incidents" && req.method == "POST")) {
    return Error(403, "authorization", "the mail filter's token files mail-filter drafts and nothing else");
  }
  if (caller.scope == Caller::Scope::kReadOnly && req.method != "GET") {
    return Error(403, "authorization", "a READER token can only read");
  }
  const Actor* actor = &caller.actor;

  if (path == "/api/score") {
    if (req.method != "POST") return Error(405, "", "use POST");
    auto body = Body(req, &refusal);
    if (!body) return refusal;
    Incident in;
    CoreConfig config = service.config();
    auto errors = ReadIncidentDocument(*body, &in, &config);
    if (!errors.empty()) {
      json list = json::array();
      for (const auto& e : errors) list.push_back({{"field", e.field}, {"reason", e.reason}});
      return Json(400, {{"errors", list}});
    }
    auto derived = Derive(in, config, NowUtc());
    if (!derived.ok()) return Error(400, "", derived.status().message());
    return Json(200, DerivedToJson(*derived));
  }
  if (path == "/api/self-reports") return KeptToNeedToKnow(caller, SelfReport(service, auth, *actor, req));
  if (path == "/api/subject-access") return SubjectAccessSearch(service, auth, caller, req);
  if (path == "/api/reports/committee") {
    if (req.method != "GET") return Error(405, "", "use GET");
    if (actor->role == Role::kInvestigatingOfficer || (actor->role == Role::kReporter && caller.scope == Caller::Scope::kFull)) {
      return Error(403, "authorization", "the committee report is for the IG team, the DPO, the SIRO and the Caldicott Guardian");
    }
    return CommitteeReport(service, caller, req);
  }
  if (path == "/api/incidents") {
    if (req.method == "GET") {
      ListFilter f;
      f.status = req.Query("status");
      f.kind = req.Query("kind");
      f.type = req.Query("type");
      f.service_area = req.Query("service_area");
      f.from = req.Query("from");
      f.to = req.Query("to");
      f.message_hash = req.Query("message_hash");
      if (!f.message_hash.empty() && (f.message_hash.size() != 64 || f.message_hash.find_first_not_of("0123456789abcdef") != std::string::npos)) {
        return Error(400, "message_hash", "must be the 64 lower-case hex digits of mf_message_id_hash");
      }
      if (!f.status.empty() && !Parse<IncidentStatus>(f.status)) return Error(400, "status", "not one of " + AllowedNames<IncidentStatus>());
      if (!f.kind.empty() && !Parse<IncidentKind>(f.kind)) return Error(400, "kind", "not one of " + AllowedNames<IncidentKind>());
      if (!f.type.empty() && !Parse<IncidentType>(f.type)) return Error(400, "type", "not one of " + AllowedNames<IncidentType>());
      for (auto [name, value] : {std::pair{"from", f.from}, std::pair{"to", f.to}}) {
        if (!value.empty() && !ParseDate(value).ok()) return Error(400, name, "must be a date (YYYY-MM-DD)");
      }
      const std::string sort = req.Query("sort");
      if (!sort.empty() && sort != "deadline" && sort != "created") return Error(400, "sort", "must be deadline or created");
      f.by_deadline = sort != "created";
      auto listed = service.List(f);
      if (listed.ok() && LimitedToSomeCases(caller)) {
        json mine = json::array();
        for (const auto& summary : *listed.value) {
          auto shown = service.Show(summary.value("incident_id", ""));
          if (shown.ok() && HiddenReason(caller, *shown.value).empty()) mine.push_back(summary);
        }
        listed.value = mine;
      }
      return FromOutcome<json>(listed, 200, [](const json& list) { return json{{"incidents", list}}; });
    }
    if (req.method == "POST") {
      auto body = Body(req, &refusal);
      if (!body) return refusal;
      auto created = service.Create(*body, *actor, req.Header("idempotency-key"));
      if (!created.ok()) return FromOutcome<std::string>(created, 201, [](const std::string& id) { return json{{"incident_id", id}}; });
      return KeptToNeedToKnow(caller, FromOutcome<json>(service.Show(*created.value), 201, [](const json& shown) { return shown; }));
    }
    return Error(405, "", "use GET or POST");
  }
  const std::string prefix = "/api/incidents/";
  if (path.rfind(prefix, 0) == 0) {
    std::string rest = path.substr(prefix.size());
    std::string id = rest, action;
    if (auto slash = rest.find('/'); slash != std::string::npos) {
      id = rest.substr(0, slash);
      action = rest.substr(slash + 1);
    }
    if (id.empty()) return Error(404, "", "no incident id in the path");
    auto shown = [](const json& j) { return j; };
    // Need to know: a case the caller may not see is refused whatever is asked of it.
    if (LimitedToSomeCases(caller)) {
      auto current = service.Show(id);
      if (!current.ok()) return FromOutcome<json>(current, 200, shown);
      if (std::string why = HiddenReason(caller, *current.value); !why.empty()) return Error(403, "incident", why);
      if (action.empty() && req.method == "GET") {
        json visible = json::array();
        for (const auto& r : (*current.value).value("related", json::array())) {
          auto other = service.Show(r.value("incident_id", ""));
          if (other.ok() && HiddenReason(caller, *other.value).empty()) visible.push_back(r);
        }
        (*current.value)["related"] = visible;
        return Json(200, *current.value);
      }
    }
    if (action.empty()) {
      if (req.method == "GET") return FromOutcome<json>(service.Show(id), 200, shown);
      if (req.method == "PATCH") {
        auto body = Body(req, &refusal);
        if (!body) return refusal;
        if (!StringKeys(*body, {"set", "reason", "version"}, &refusal)) return refusal;
        if (!body->contains("set") || !(*body)["set"].is_object()) return Error(400, "set", "an object of fields to set is required");
        if (body->contains("reason") && !(*body)["reason"].is_string()) return Error(400, "reason", "must be a string");
        if (body->contains("version") && !(*body)["version"].is_number_integer()) return Error(400, "version", "must be a whole number");
        return FromOutcome<json>(service.Update(id, (*body)["set"], *actor, body->value("reason", ""), body->value("version", int64_t{0})),
                                 200, shown);
      }
      return Error(405, "", "use GET or PATCH");
    }
    if (auto output = ServeIncidentOutput(service, auth, caller, id, action, req)) return *output;
    if (action == "deletion-request") {
      if (req.method != "GET") return Error(405, "", "use GET");
      return FromOutcome<json>(service.DeletionRequest(id, req.Query("language").empty() ? auth.letter_language : req.Query("language")), 200, shown);
    }
    if (req.method != "POST") return Error(405, "", "use POST");
    auto body = Body(req, &refusal);
    if (!body) return refusal;
    if (action == "transition") {
      if (!StringKeys(*body, {"to", "reason"}, &refusal)) return refusal;
      if (!body->contains("to") || !(*body)["to"].is_string()) return Error(400, "to", "the target status is required");
      if (body->contains("reason") && !(*body)["reason"].is_string()) return Error(400, "reason", "must be a string");
      return FromOutcome<json>(service.Transition(id, (*body)["to"], *actor, body->value("reason", "")), 200, shown);
    }
    if (action == "notes") {
      if (!StringKeys(*body, {"text"}, &refusal)) return refusal;
      if (!body->contains("text") || !(*body)["text"].is_string()) return Error(400, "text", "the note's text is required");
      return FromOutcome<json>(service.AddNote(id, (*body)["text"], *actor), 200, shown);
    }
    if (action == "deletion-confirmed") {
      if (!StringKeys(*body, {"confirmation"}, &refusal)) return refusal;
      if (!body->contains("confirmation") || !(*body)["confirmation"].is_string()) {
        return Error(400, "confirmation", "the recipient's confirmation text is required");
      }
      return FromOutcome<json>(service.RecordDeletionConfirmed(id, (*body)["confirmation"], *actor), 200, shown);
    }
    if (action == "actions") {
      if (!StringKeys(*body, {"description", "owner", "due"}, &refusal)) return refusal;
      auto current = service.Show(id);
      if (!current.ok()) return FromOutcome<json>(current, 200, shown);
      json plan = (*current.value)["incident"].value("action_plan", json::array());
      plan.push_back(*body);
      return FromOutcome<json>(service.Update(id, {{"action_plan", plan}}, *actor, "action added",
                                              (*current.value)["version"].get<int64_t>()),
                               200, shown);
    }
    return Error(404, "", "no such action: " + action);
  }
  return Error(404, "", "no such resource: " + path);
}

}  // namespace sendguard::incident
