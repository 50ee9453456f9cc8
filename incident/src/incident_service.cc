// SPDX-License-Identifier: Apache-2.0
// The core's operations over a store: validation, permissions, the side effects the spec
// asks for (office_logged, kind_set_at, awareness, decision stamps, form completion), and
// one audit record per changed field.
#include "sendguard/incident/incident_service.h"

#include "service_outcomes.h"

#include <algorithm>
#include <functional>
#include <cstdio>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

json UserRef(const Actor& a) { return {{"id", a.id}, {"name", a.name}}; }

// The stamps that follow from a decision or a submission in `set` (the fields just set, with
// their new values), written through `system`: who decided and when, and the office-use
// fields that mirror them. One place for filing and editing alike.
void StampDecisions(const json& set, const Actor& actor, const std::string& now_text,
                    const std::function<void(const std::string&, json)>& system) {
  if (set.contains("dpo_ico_decision")) {
    system("dpo_ico_decided_by", UserRef(actor));
    system("dpo_ico_decided_at", now_text);
    if (set["dpo_ico_decision"].is_string()) system("office_ico_reporting_needed", set["dpo_ico_decision"] == "REPORT" ? "YES" : "NO");
  }
  if (set.contains("dpo_individuals_decision")) {
    system("dpo_individuals_decided_by", UserRef(actor));
    system("dpo_individuals_decided_at", now_text);
  }
  if (set.contains("ico_submissions") && set["ico_submissions"].is_array()) {
    for (const auto& sub : set["ico_submissions"]) {
      if (sub.is_object() && sub.value("type", "") == "INITIAL" && sub.contains("submitted_at") && sub["submitted_at"].is_string()) {
        auto at = ParseInstant(sub["submitted_at"].get<std::string>());
        if (at.ok()) system("office_date_reported_to_ico", FormatDate(LondonDate(*at)));
      }
    }
  }
}

// Fields only the system writes: refused in a create or update request.
bool SystemField(const std::string& f) {
  return f == "incident_id" || f == "created_at" || f == "status" || f == "form_completed_at" || f == "kind_set_at" ||
         f == "office_logged" || f == "office_ico_reporting_needed" || f == "office_date_reported_to_ico" ||
         f.find("_decided_at") != std::string::npos || f.find("_decided_by") != std::string::npos;
}

MailFilterAction ActionOf(const json& doc) {
  if (doc.contains("mf_action") && doc["mf_action"].is_string()) {
    if (auto a = Parse<MailFilterAction>(doc["mf_action"].get<std::string>())) return *a;
  }
  return MailFilterAction::kAuditOnly;
}

}  // namespace

Instant NowUtc() { return std::chrono::time_point_cast<std::chrono::minutes>(std::chrono::system_clock::now()); }

std::string NewIncidentId() {
  auto bytes = common::RandomSecret();
  std::string b = bytes.ok() ? *bytes : std::string(16, '\0');
  b.resize(16);
  b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[(static_cast<unsigned char>(b[i]) >> 4) & 0xF];
    out += kHex[static_cast<unsigned char>(b[i]) & 0xF];
  }
  return out;
}

Incident IncidentService::Typed(const json& document) const {
  Incident typed;
  CoreConfig ignored = config_;  // stored documents carry no configuration keys
  ReadIncidentDocument(document, &typed, &ignored);
  return typed;
}

Outcome<StoredIncident> IncidentService::Load(const std::string& id) {
  auto got = store_.Get(id);
  if (!got.ok()) return Fail<StoredIncident>(got.status());
  if (!*got) return Refuse<StoredIncident>(404, "incident_id", "no incident " + id);
  return Ok(std::move(**got));
}

IncidentService::IncidentService(IncidentStore& store, CoreConfig config, TimeSource now)
    : store_(store), config_(std::move(config)), now_(std::move(now)) {}

AuditEntry IncidentService::Entry(const Actor& actor, std::string what, json old_value, json new_value,
                                  std::string reason) {
  AuditEntry e;
  e.at = now_();
  e.by_id = actor.id;
  e.by_name = actor.name;
  e.role = std::string(Name(actor.role));
  e.what = std::move(what);
  e.old_value = std::move(old_value);
  e.new_value = std::move(new_value);
  e.reason = std::move(reason);
  return e;
}

IndexColumns IncidentService::Index(const json& doc, const Incident& in) {
  IndexColumns ix;
  ix.kind = std::string(Name(in.kind));
  ix.status = std::string(Name(in.status));
  ix.source = std::string(Name(in.source));
  ix.service_area = in.s2_service_area;
  ix.incident_number = doc.value("incident_number", std::string());
  if (auto d = PeriodDate(in)) ix.period_date = FormatDate(*d);
  auto clocks = ComputeClocks(in, config_, now_());
  std::optional<Instant> earliest;
  for (const Clock* c : {&clocks.triage, &clocks.form, &clocks.ico}) {
    const bool running = c->state == ClockState::kRunning || c->state == ClockState::kDueSoon ||
                         c->state == ClockState::kOverdue;
    if (running && c->due && (!earliest || *c->due < *earliest)) earliest = c->due;
  }
  if (earliest) ix.deadline = FormatInstant(*earliest);
  ix.types = ",";
  in.s4_types.ForEach([&](IncidentType t) { ix.types += std::string(Name(t)) + ","; });
  return ix;
}

namespace {

// A time a person records as past (awareness, when the breach happened, a submission, a
// completion, a date discussed) cannot lie ahead of now; five minutes' grace for clocks. Due
// dates (an action's `due`) are the future by nature and are not checked. "" when fine.
std::string FutureTime(const std::string& field, const json& value, Instant now) {
  const Instant latest = now + std::chrono::minutes(5);
  auto instant_after = [&](const json& v) {
    if (!v.is_string()) return false;
    auto t = ParseInstant(v.get<std::string>());
    return t.ok() && *t > latest;
  };
  if (field == "s1_aware_local" && value.is_string()) {
    auto local = ParseLocalDateTime(value.get<std::string>());
    if (local.ok() && ToInstant(*local) > latest) return "is in the future";
    return "";
  }
  if ((field == "s2_date_of_breach" || field.rfind("office_date_", 0) == 0) && value.is_string()) {
    return value.get<std::string>() > FormatDate(LondonDate(now)) ? "is a date in the future" : "";
  }
  if (field.size() > 3 && field.compare(field.size() - 3, 3, "_at") == 0) {
    return instant_after(value) ? "is in the future" : "";
  }
  if (field == "escalations" && value.is_object()) {
    for (const auto& [key, when] : value.items()) {
      if (instant_after(when)) return key + " is in the future";
    }
  }
  if ((field == "action_plan" || field == "ico_submissions") && value.is_array()) {
    const char* when = field == "action_plan" ? "completed_at" : "submitted_at";
    for (size_t i = 0; i < value.size(); ++i) {
      if (value[i].is_object() && instant_after(value[i].value(when, json()))) {
        return "[" + std::to_string(i) + "]." + when + " is in the future";
      }
    }
  }
  return "";
}

}  // namespace

Outcome<std::string> IncidentService::Create(const json& input, const Actor& actor, const std::string& key_in,
                                             const std::string& message_hash, const json& composed) {
  if (!input.is_object()) return Refuse<std::string>(400, "", "the incident must be a JSON object of spec field names");
  if (!composed.is_null() && !composed.is_object()) return Fail<std::string>(Internal("composed fields must be an object"));
  const std::string source = input.contains("source") && input["source"].is_string() ? input["source"].get<std::string>()
                                                                                     : std::string("HUMAN_REPORT");
  // §1.11: the SIRO and the Caldicott Guardian hear about cases; they do not file them.
  if (actor.role == Role::kSiro || actor.role == Role::kCaldicottGuardian) {
    return Refuse<std::string>(403, "", std::string(Name(actor.role)) + " may not create incidents: report through the IG team");
  }
  // The new draft as the checks see it: what an edit of it would be allowed to set.
  Incident blank;
  blank.status = IncidentStatus::kDraft;
  blank.kind = IncidentKind::kUndetermined;
  if (auto src = Parse<IncidentSource>(source)) blank.source = *src;
  std::vector<FieldError> bad_input, forbidden;
  for (const auto& [field, value] : input.items()) {
    if (SystemField(field)) {
      bad_input.push_back({field, "set by the system, not by a request"});
      continue;
    }
    if (field.rfind("mf_", 0) == 0) {
      if (actor.role != Role::kSystem) bad_input.push_back({field, "only the mail filter files mf_ fields"});
      continue;
    }
    if (field == "source" || field == "detected_at") continue;  // said once, at filing; checked below
    if (actor.role == Role::kSystem) {
      if (field != "title") forbidden.push_back({field, "the mail filter files its mf_ fields and a title only"});
      continue;
    }
    if (!IsKnownField(field)) continue;  // the document check below names it
    if (value.is_null()) continue;
    if (std::string future = FutureTime(field, value, now_()); !future.empty()) {
      bad_input.push_back({field, future});
      continue;
    }
    Status allowed = CheckFieldEdit(field, actor, blank, value, json(), "stated when the incident was filed");
    if (!allowed.ok()) (allowed.code() == StatusCode::kPermissionDenied ? forbidden : bad_input).push_back({field, allowed.message()});
  }
  if (!bad_input.empty()) return Refuse<std::string>(400, bad_input);
  if (!forbidden.empty()) return Refuse<std::string>(403, forbidden);
  json doc = input;
  if (composed.is_object()) doc.update(composed);
  const Instant now = now_();
  if (actor.role == Role::kSystem && source != "MAIL_FILTER") {
    return Refuse<std::string>(403, "source", "the system files MAIL_FILTER incidents only");
  }
  if (actor.role != Role::kSystem && source == "MAIL_FILTER") {
    return Refuse<std::string>(403, "source", "only the mail filter files MAIL_FILTER incidents");
  }
  if (!doc.contains("kind") && source != "MAIL_FILTER") doc["kind"] = "UNDETERMINED";
  if (source == "MAIL_FILTER") {
    if (!doc.contains("mf_event_id")) return Refuse<std::string>(400, "mf_event_id", "required for a MAIL_FILTER incident");
    if (!doc.contains("mf_action")) return Refuse<std::string>(400, "mf_action", "required for a MAIL_FILTER incident");
    if (doc.contains("kind")) return Refuse<std::string>(400, "kind", "the initial kind of a mail-filter event follows §1.9");
    const MailFilterAction a = ActionOf(doc);
    const bool near_miss = config_.autofile_near_miss_on_block &&
                           (a == MailFilterAction::kBlocked || a == MailFilterAction::kWarnedUserCancelled);
    doc["kind"] = near_miss ? "NEAR_MISS" : "UNDETERMINED";
    if (!doc.contains("detected_at")) doc["detected_at"] = doc.value("mf_event_at", FormatInstant(now));
    if (!doc.contains("s1_how_found_out")) doc["s1_how_found_out"] = "Mail filter alert " + doc["mf_event_id"].get<std::string>();
    if (!doc.contains("title")) doc["title"] = "Mail filter: " + doc["mf_action"].get<std::string>();
  } else if (!doc.contains("detected_at")) {
    doc["detected_at"] = FormatInstant(now);
  }
  doc["source"] = source;
  doc["status"] = "DRAFT";
  doc["created_at"] = FormatInstant(now);
  doc["office_logged"] = doc.contains("incident_number") ? "YES" : "NO";
  StampDecisions(input, actor, FormatInstant(now), [&](const std::string& field, json value) { doc[field] = std::move(value); });
  const std::string id = NewIncidentId();
  doc["incident_id"] = id;

  Incident typed;
  CoreConfig scratch = config_;
  auto field_errors = ReadIncidentDocument(doc, &typed, &scratch);
  if (!field_errors.empty()) return Refuse<std::string>(400, field_errors);
  if (auto d = Derive(typed, config_, now); !d.ok()) return Refuse<std::string>(400, "", d.status().message());
  const std::string key = !key_in.empty() ? key_in : doc.value("mf_event_id", std::string());
  IndexColumns index = Index(doc, typed);
  index.message_hash = doc.value("mf_message_id_hash", message_hash);
  auto stored = store_.Insert(id, key, doc, index, Entry(actor, "created", nullptr, doc, ""));
  if (!stored.ok()) {
    if (stored.status().code() == StatusCode::kInvalidArgument) return Refuse<std::string>(409, "incident_number", stored.status().message());
    return Fail<std::string>(stored.status());
  }
  return Ok(*stored);
}

Outcome<json> IncidentService::Save(const StoredIncident& before, json doc, std::vector<AuditEntry> entries) {
  Incident typed;
  CoreConfig scratch = config_;
  auto errors = ReadIncidentDocument(doc, &typed, &scratch);
  if (!errors.empty()) return Refuse<json>(400, errors);
  auto derived = Derive(typed, config_, now_());
  if (!derived.ok()) return Refuse<json>(400, "", derived.status().message());
  // §1.3: the form is complete the first time every field required at ASSESSED is present.
  if (!doc.contains("form_completed_at") && MissingFormFields(doc, typed).empty()) {
    doc["form_completed_at"] = FormatInstant(now_());
    typed.form_completed_at = now_();
  }
  Status st = store_.Update(before.id, before.version, doc, Index(doc, typed), entries);
  if (st.code() == StatusCode::kResourceExhausted) return Refuse<json>(409, "version", st.message());
  if (st.code() == StatusCode::kInvalidArgument) return Refuse<json>(409, "incident_number", st.message());
  if (!st.ok()) return Fail<json>(st);
  return Show(before.id);
}

Outcome<json> IncidentService::Update(const std::string& id, const json& patch, const Actor& actor,
                                      const std::string& reason, int64_t version) {
  if (!patch.is_object() || patch.empty()) return Refuse<json>(400, "", "the update must be a non-empty JSON object of fields");
  auto loaded = Load(id);
  if (!loaded.ok()) return Forward<json>(loaded);
  const StoredIncident& before = *loaded.value;
  if (version > 0 && version != before.version) {
    return Refuse<json>(409, "version", "the incident is at version " + std::to_string(before.version));
  }
  const Incident prev = Typed(before.document);
  if (prev.status == IncidentStatus::kClosed) {
    return Refuse<json>(409, "status", "the incident is closed: reopen it (move it to UNDER_INVESTIGATION, with a reason) "
                                       "before changing it");
  }
  if (actor.role == Role::kReporter) {
    auto audit = store_.Audit(id);
    if (!audit.ok()) return Fail<json>(audit.status());
    if (audit->empty() || audit->front().by_id != actor.id) return Refuse<json>(403, "", "a reporter may edit only their own draft");
  }
  std::vector<FieldError> bad_input, forbidden;
  json doc = before.document;
  std::vector<AuditEntry> entries;
  for (const auto& [field, value] : patch.items()) {
    if (!IsKnownField(field)) {
      bad_input.push_back({field, "unknown field"});
      continue;
    }
    if (SystemField(field)) {
      bad_input.push_back({field, "set by the system, not by a request"});
      continue;
    }
    const json old_value = doc.contains(field) ? doc[field] : json();
    if (old_value == value) continue;
    if (std::string future = FutureTime(field, value, now_()); !future.empty()) {
      bad_input.push_back({field, future});
      continue;
    }
    Status allowed = CheckFieldEdit(field, actor, prev, value, old_value, reason);
    if (!allowed.ok()) {
      (allowed.code() == StatusCode::kPermissionDenied ? forbidden : bad_input).push_back({field, allowed.message()});
      continue;
    }
    if (value.is_null()) doc.erase(field);
    else doc[field] = value;
    entries.push_back(Entry(actor, field, old_value, value, reason));
  }
  if (!bad_input.empty()) return Refuse<json>(400, bad_input);
  if (!forbidden.empty()) return Refuse<json>(403, forbidden);
  if (entries.empty()) return Show(id);
  const Instant now = now_();
  const std::string now_text = FormatInstant(now);
  auto system = [&](const std::string& field, json value) {
    json old_value = doc.contains(field) ? doc[field] : json();
    if (old_value == value) return;
    doc[field] = value;
    Actor sys{"system", "sendguard", Role::kSystem};
    entries.push_back(Entry(sys, field, old_value, value, "follows from " + entries.front().what));
  };
  // Kind (§1.9, §4.1): when it leaves UNDETERMINED, and awareness for a mail-filter breach.
  if (patch.contains("kind") && doc.value("kind", "") != std::string(Name(prev.kind))) {
    if (prev.kind == IncidentKind::kUndetermined) system("kind_set_at", now_text);
    if (prev.status == IncidentStatus::kAssessed) system("status", "UNDER_INVESTIGATION");
    if (doc["kind"] == "BREACH" && prev.source == IncidentSource::kMailFilter && !doc.contains("aware_at") &&
        !doc.contains("s1_aware_local")) {
      system("aware_at", now_text);
      system("s1_aware_local", FormatLocalDateTime(now));
    }
  }
  // Keep aware_at and the form's local awareness time in step.
  if (patch.contains("s1_aware_local") && doc.contains("aware_at") && doc["s1_aware_local"].is_string()) {
    auto local = ParseLocalDateTime(doc["s1_aware_local"].get<std::string>());
    if (local.ok()) {
      json instant = FormatInstant(ToInstant(*local));
      Status allowed = CheckFieldEdit("aware_at", actor, prev, instant, doc["aware_at"], reason);
      if (!allowed.ok()) {
        return Refuse<json>(allowed.code() == StatusCode::kPermissionDenied ? 403 : 400, "s1_aware_local", allowed.message());
      }
      system("aware_at", instant);
    }
  }
  if (patch.contains("incident_number")) system("office_logged", doc.contains("incident_number") ? "YES" : "NO");
  json merged = patch;
  for (const char* f : {"dpo_ico_decision", "ico_submissions"}) {
    if (merged.contains(f)) merged[f] = doc.contains(f) ? doc[f] : json();
  }
  StampDecisions(merged, actor, now_text, system);
  return Save(before, std::move(doc), std::move(entries));
}

Outcome<json> IncidentService::Transition(const std::string& id, const std::string& to_text, const Actor& actor,
                                          const std::string& reason) {
  auto to = Parse<IncidentStatus>(to_text);
  if (!to) return Refuse<json>(400, "status", "'" + to_text + "' is not one of " + AllowedNames<IncidentStatus>());
  auto loaded = Load(id);
  if (!loaded.ok()) return Forward<json>(loaded);
  const StoredIncident* got = &*loaded.value;
  const Incident typed = Typed(got->document);
  Status allowed = CheckTransition(got->document, typed, *to, actor, config_, now_(), reason);
  if (!allowed.ok()) {
    return Refuse<json>(allowed.code() == StatusCode::kPermissionDenied ? 403 : 409, "status", allowed.message());
  }
  json doc = got->document;
  ApplyTransitionEffects(&doc, typed.status, *to);
  std::vector<AuditEntry> entries{Entry(actor, "transition", std::string(Name(typed.status)), to_text, reason)};
  return Save(*got, std::move(doc), std::move(entries));
}

Outcome<json> IncidentService::AddNote(const std::string& id, const std::string& text, const Actor& actor) {
  if (text.empty() || text.size() > 16000) return Refuse<json>(400, "note", "a note is 1 to 4000 characters");
  if (actor.role == Role::kSystem || actor.role == Role::kReporter) return Refuse<json>(403, "note", "notes are for the people handling the incident");
  auto loaded = Load(id);
  if (!loaded.ok()) return Forward<json>(loaded);
  const StoredIncident* got = &*loaded.value;
  // A note changes no field; the document is rewritten unchanged so the note and the version bump commit together.
  return Save(*got, got->document, {Entry(actor, "note", nullptr, text, "")});
}

Outcome<json> IncidentService::RecordDeletionConfirmed(const std::string& id, const std::string& confirmation,
                                                       const Actor& actor) {
  if (confirmation.empty() || confirmation.size() > 8000) {
    return Refuse<json>(400, "confirmation", "the recipient's confirmation (1 to 4000 characters) is required");
  }
  auto loaded = Load(id);
  if (!loaded.ok()) return Forward<json>(loaded);
  const StoredIncident* got = &*loaded.value;
  json containment = got->document.value("containment", json::array());
  if (std::find(containment.begin(), containment.end(), "RECOVERED_OR_DESTROYED_CONFIRMED") == containment.end()) {
    containment.push_back("RECOVERED_OR_DESTROYED_CONFIRMED");
  }
  auto updated = Update(id, {{"containment", containment}}, actor, "recipient confirmed deletion: " + confirmation,
                        got->version);
  return updated;
}

Outcome<json> IncidentService::Show(const std::string& id) {
  auto loaded = Load(id);
  if (!loaded.ok()) return Forward<json>(loaded);
  const StoredIncident* got = &*loaded.value;
  const Incident typed = Typed(got->document);
  auto derived = Derive(typed, config_, now_());
  json out{{"incident", got->document}, {"version", got->version}};
  out["derived"] = derived.ok() ? DerivedToJson(*derived) : json{{"error", derived.status().message()}};
  auto audit = store_.Audit(id);
  if (!audit.ok()) return Fail<json>(audit.status());
  json trail = json::array();
  for (const auto& e : *audit) {
    trail.push_back({{"at", FormatInstant(e.at)}, {"by", {{"id", e.by_id}, {"name", e.by_name}, {"role", e.role}}},
                     {"what", e.what}, {"old", e.old_value}, {"new", e.new_value}, {"reason", e.reason}});
  }
  out["audit"] = trail;
  json related = json::array();
  if (!got->message_hash.empty()) {
    ListFilter same;
    same.message_hash = got->message_hash;
    same.by_deadline = false;
    same.limit = 50;
    auto rows = store_.List(same);
    if (!rows.ok()) return Fail<json>(rows.status());
    const Instant now = now_();
    for (auto it = rows->rbegin(); it != rows->rend(); ++it) {
      if (it->id != id) related.push_back(Summary(*it, now));
    }
  }
  out["related"] = related;
  // What was sent about it (new-draft, clock and escalation notices), so the page can say so.
  auto notices = store_.Notifications(id);
  if (!notices.ok()) return Fail<json>(notices.status());
  json sent = json::array();
  for (const auto& [event, at] : *notices) sent.push_back({{"event", event}, {"at", FormatInstant(at)}});
  out["notices"] = sent;
  return Ok(out);
}

json IncidentService::Summary(const StoredIncident& r, Instant now) const {
  const Incident typed = Typed(r.document);
  auto clocks = ComputeClocks(typed, config_, now);
  json item{{"incident_id", r.id},
            {"incident_number", r.document.value("incident_number", "")},
            {"title", r.document.value("title", "")},
            {"kind", Name(typed.kind)},
            {"status", Name(typed.status)},
            {"source", Name(typed.source)},
            {"s2_service_area", typed.s2_service_area},
            {"created_at", r.document.value("created_at", "")}};
  if (r.document.contains("mf_action")) item["mf_action"] = r.document["mf_action"];
  // Actions still open, and those past their due date (London's today).
  int open = 0, overdue = 0;
  const std::string today = FormatDate(LondonDate(now));
  for (const auto& a : r.document.value("action_plan", json::array())) {
    if (!a.is_object() || a.contains("completed_at") || a.contains("waived_reason")) continue;
    ++open;
    if (a.value("due", std::string()) < today && !a.value("due", std::string()).empty()) ++overdue;
  }
  item["open_actions"] = open;
  item["overdue_actions"] = overdue;
  const json officer = r.document.value("investigating_officer", json::object());
  if (officer.is_object() && officer.contains("name")) item["investigating_officer"] = officer["name"];
  // The clock that matters most: ICO when it runs, else the form, else triage.
  for (const Clock* c : {&clocks.ico, &clocks.form, &clocks.triage}) {
    if (c->state == ClockState::kNotStarted) continue;
    item["deadline"] = {{"clock", c->name}, {"state", Name(c->state)}, {"due", c->due ? json(FormatInstant(*c->due)) : json()},
                        {"minutes_remaining", c->minutes_remaining}, {"minutes_overdue", c->minutes_overdue}};
    break;
  }
  return item;
}

Outcome<json> IncidentService::List(const ListFilter& filter) {
  auto rows = store_.List(filter);
  if (!rows.ok()) return Fail<json>(rows.status());
  json out = json::array();
  const Instant now = now_();
  for (const auto& r : *rows) out.push_back(Summary(r, now));
  return Ok(out);
}

Outcome<Report> IncidentService::BuildCommitteeReport(ReportParams params) {
  ListFilter all;
  all.limit = 1000000;
  all.by_deadline = false;
  auto rows = store_.List(all);
  if (!rows.ok()) return Fail<Report>(rows.status());
  std::vector<Incident> incidents;
  for (const auto& r : *rows) {
    incidents.push_back(Typed(r.document));
  }
  params.now = now_();
  params.percent_decimals = config_.report_percent_decimals;
  Report report = BuildReport(incidents, params);
  // What the governance group follows up: every action still open, whatever the period, with
  // how many days it is overdue (0: not yet due).
  ReportTable actions{"ACTIONS", "Outstanding actions as at the report date (days overdue)", {},
                      "Open items of every incident's action plan, whenever the incident happened."};
  const Date today = LondonDate(params.now);
  for (const auto& r : *rows) {
    if (params.action_visible && !params.action_visible(r.id)) continue;
    const std::string number = r.document.value("incident_number", r.id.substr(0, 8));
    for (const auto& a : r.document.value("action_plan", json::array())) {
      if (!a.is_object() || a.contains("completed_at") || a.contains("waived_reason")) continue;
      ReportRow row;
      const json owner = a.value("owner", json::object());
      row.label = number + ": " + a.value("description", std::string()) + " (owner " +
                  (owner.is_object() ? owner.value("name", owner.value("id", std::string("?"))) : std::string("?")) + ", due " +
                  a.value("due", std::string("not set")) + ")";
      auto due = ParseDate(a.value("due", std::string()));
      if (due.ok() && std::chrono::sys_days{*due} < std::chrono::sys_days{today}) {
        row.current = (std::chrono::sys_days{today} - std::chrono::sys_days{*due}).count();
      }
      actions.rows.push_back(row);
    }
  }
  if (actions.rows.empty()) actions.note = "No action is outstanding.";
  report.tables.push_back(actions);
  return Ok(report);
}

}  // namespace sendguard::incident
