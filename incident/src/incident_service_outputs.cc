// SPDX-License-Identifier: Apache-2.0
// IncidentService's operations for what the IG team sends out and keeps: recording a letter to
// the people affected, the deletion request to a wrong recipient, the subject access search and
// the retention schedule (the rest of the service is incident_service.cc).
#include <algorithm>
#include <functional>

#include "sendguard/common/text.h"
#include "sendguard/incident/incident_service.h"
#include "sendguard/incident/retention.h"
#include "service_outcomes.h"

namespace sendguard::incident {

using nlohmann::json;

Outcome<json> IncidentService::RecordLetter(const std::string& id, const json& letter, const Actor& actor,
                                            const std::string& reason) {
  if (actor.role != Role::kIgOfficer && actor.role != Role::kDpo) {
    return Refuse<json>(403, "letters_sent", "letters to the people affected are the IG team's and the DPO's");
  }
  for (int attempt = 0;; ++attempt) {
    auto loaded = Load(id);
    if (!loaded.ok()) return Forward<json>(loaded);
    const StoredIncident& before = *loaded.value;
    json doc = before.document;
    json sent = doc.value("letters_sent", json::array());
    json entry = letter;
    entry["ref"] = "L" + std::to_string(sent.size() + 1);
    entry["sent_at"] = FormatInstant(now_());
    entry["by"] = {{"id", actor.id}, {"name", actor.name}};
    sent.push_back(entry);
    doc["letters_sent"] = sent;
    std::vector<AuditEntry> entries{Entry(actor, "letters_sent", nullptr, entry, reason)};
    if (!doc.contains("individuals_communicated_at")) {
      doc["individuals_communicated_at"] = FormatInstant(now_());
      entries.push_back(Entry(actor, "individuals_communicated_at", nullptr, doc["individuals_communicated_at"], reason));
    }
    auto saved = Save(before, doc, std::move(entries));
    // Someone else's change in between: read again and add it to what is there now.
    if (!saved.ok() && saved.refusal && saved.refusal->http_status == 409 && attempt < 8) continue;
    return saved;
  }
}

Outcome<json> IncidentService::DeletionRequest(const std::string& id, const std::string& language) {
  if (language != "en" && language != "cy" && language != "both") return Refuse<json>(400, "language", "must be en, cy or both");
  auto loaded = Load(id);
  if (!loaded.ok()) return Forward<json>(loaded);
  const StoredIncident* got = &*loaded.value;
  const json& doc = got->document;
  const bool misdirected = doc.contains("s4_types") && doc["s4_types"].is_array() &&
                           std::find(doc["s4_types"].begin(), doc["s4_types"].end(), "INCORRECT_RECIPIENT") !=
                               doc["s4_types"].end();
  if (!misdirected && doc.value("source", "") != "MAIL_FILTER") {
    return Refuse<json>(409, "s4_types", "a deletion request is for an email sent to the wrong recipient (tick INCORRECT_RECIPIENT)");
  }
  const std::string reference = doc.value("incident_number", "");
  if (reference.empty()) return Refuse<json>(409, "incident_number", "log the incident (give it a number) first; the request quotes it");
  const std::string english =
      "Dear recipient,\n\n"
      "An email was sent to you in error by a member of our staff. It contains personal information that was not "
      "meant for you.\n\n"
      "Please:\n"
      "  1. delete the email and any attachments from your inbox and your deleted items, without opening the "
      "attachments or forwarding it;\n"
      "  2. reply to this message to confirm that you have done so.\n\n"
      "Please quote our reference " + reference + " in your reply. Thank you for your help, and we apologise for "
      "the inconvenience.\n\n"
      "Information Governance";
  const std::string welsh =
      "Annwyl dderbynnydd,\n\n"
      "Anfonwyd e-bost atoch trwy gamgymeriad gan aelod o'n staff. Mae'n cynnwys gwybodaeth bersonol nad oedd wedi'i "
      "bwriadu ar eich cyfer chi.\n\n"
      "Os gwelwch yn dda:\n"
      "  1. dilëwch yr e-bost ac unrhyw atodiadau o'ch mewnflwch a'ch eitemau wedi'u dileu, heb agor yr atodiadau "
      "na'i anfon ymlaen;\n"
      "  2. atebwch y neges hon i gadarnhau eich bod wedi gwneud hynny.\n\n"
      "Nodwch ein cyfeirnod " + reference + " yn eich ateb. Diolch am eich help, ac ymddiheurwn am yr anghyfleustra.\n\n"
      "Llywodraethu Gwybodaeth";
  // Subjects stay ASCII (an email header); Welsh first where both are sent, as Welsh bodies do.
  const std::string subject_en = "Email sent to you in error - please delete (our reference " + reference + ")";
  const std::string subject_cy = "E-bost a anfonwyd atoch trwy gamgymeriad - dilewch ef (ein cyfeirnod " + reference + ")";
  const std::string subject = language == "cy" ? subject_cy : language == "both" ? subject_cy + " / " + subject_en : subject_en;
  const std::string body = language == "cy" ? welsh : language == "both" ? welsh + "\n\n---\n\n" + english : english;
  return Ok(json{{"subject", subject}, {"body", body}, {"incident_number", reference}, {"language", language}});
}

Outcome<json> IncidentService::SubjectAccess(const std::string& address, const std::vector<std::string>& hashes) {
  // Compared in lower case with every run of spaces, line breaks, tabs and commas as one space,
  // so a postal address matches however its lines were typed.
  const std::string needle = common::FoldAddress(address);
  ListFilter all;
  all.limit = 1000000;
  all.by_deadline = false;
  auto rows = store_.List(all);
  if (!rows.ok()) return Fail<json>(rows.status());
  json out = json::array();
  const Instant now = now_();
  // Any string in the value (documents and audit values are validated, so shallow).
  std::function<bool(const json&)> names = [&](const json& v) -> bool {
    if (v.is_string()) return !needle.empty() && common::FoldAddress(v.get<std::string>()).find(needle) != std::string::npos;
    if (v.is_object() || v.is_array()) {
      for (const auto& item : v) {
        if (names(item)) return true;
      }
    }
    return false;
  };
  for (const auto& r : *rows) {
    json found = json::array();
    for (const auto& [key, value] : r.document.items()) {
      if (key != "letters_sent" && names(value)) found.push_back(key);
    }
    for (const auto& letter : r.document.value("letters_sent", json::array())) {
      const std::string h = letter.value("addressee_hash", "");
      if (std::find(hashes.begin(), hashes.end(), h) != hashes.end()) found.push_back("letters_sent " + letter.value("ref", ""));
    }
    auto audit = store_.Audit(r.id);
    if (!audit.ok()) return Fail<json>(audit.status());
    for (const auto& e : *audit) {
      if (names(e.old_value) || names(e.new_value) || names(json(e.reason))) {
        found.push_back("audit: " + e.what + " " + FormatInstant(e.at));
      }
    }
    if (found.empty()) continue;
    json item = Summary(r, now);
    item["found_in"] = found;
    out.push_back(item);
  }
  return Ok(out);
}

Outcome<json> IncidentService::ApplyRetention(const RetentionPolicy& policy, bool dry_run, const std::string& run) {
  ListFilter closed;
  closed.status = "CLOSED";
  closed.limit = 10000000;
  closed.by_deadline = false;
  auto rows = store_.List(closed);
  if (!rows.ok()) return Fail<json>(rows.status());
  const Instant now = now_();
  json items = json::array();
  int done = 0;
  for (const auto& r : *rows) {
    if (r.document.contains("anonymised") && policy.action == "anonymise") continue;
    // Closed when the last transition to CLOSED was made (an anonymised one kept the time).
    std::optional<Instant> closed_at;
    if (r.document.contains("anonymised")) {
      auto at = ParseInstant(r.document["anonymised"].value("closed_at", ""));
      if (at.ok()) closed_at = *at;
    } else {
      auto audit = store_.Audit(r.id);
      if (!audit.ok()) return Fail<json>(audit.status());
      for (const auto& e : *audit) {
        if (e.what == "transition" && e.new_value == "CLOSED") closed_at = e.at;
      }
    }
    if (!closed_at) continue;  // no record of its closing: never removed by guesswork
    const std::string kind = r.document.value("kind", "");
    if (!RetentionDue(policy, kind, *closed_at, now)) continue;
    json item{{"incident_id", r.id}, {"incident_number", r.document.value("incident_number", "")}, {"kind", kind},
              {"closed_at", FormatInstant(*closed_at)}, {"action", policy.action}};
    items.push_back(item);
    if (dry_run) continue;
    Status st;
    if (policy.action == "delete") {
      st = store_.Erase(r.id, run, now);
    } else {
      const json doc = AnonymisedDocument(r.document, run, *closed_at, now);
      AuditEntry entry{0, now, "retention", "sendguard-core retention", "SYSTEM", "anonymised", nullptr, nullptr,
                       "retention run " + run + ": closed " + FormatInstant(*closed_at) + ", kept " +
                           std::to_string(doc.size()) + " fields"};
      st = store_.Anonymise(r.id, r.version, doc, Index(doc, Typed(doc)), entry);
    }
    if (!st.ok()) return Fail<json>(st);
    ++done;
  }
  json summary{{"policy", {{"years_after_closure", policy.years_after_closure},
                           {"near_miss_years_after_closure", policy.near_miss_years_after_closure},
                           {"action", policy.action}}},
               {"due", items.size()}, {"done", done}, {"incidents", items}};
  if (Status st = store_.RecordRetentionRun(run, now, dry_run, summary); !st.ok()) return Fail<json>(st);
  summary["run"] = run;
  summary["dry_run"] = dry_run;
  return Ok(summary);
}

}  // namespace sendguard::incident
