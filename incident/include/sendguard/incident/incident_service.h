// SPDX-License-Identifier: Apache-2.0
// The assessment core's operations, shared by the HTTP API and the `sendguard incidents`
// commands: create a draft (idempotent for hand-overs), update fields, change status, add
// notes, show with derived results and the audit trail, list, report. Every rule of the
// spec is applied here, on top of any store.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sendguard/incident/incident_json.h"
#include "sendguard/incident/lifecycle.h"
#include "sendguard/incident/report.h"
#include "sendguard/incident/retention.h"
#include "sendguard/incident/store.h"

namespace sendguard::incident {

// A refusal the API answers with a 4xx: the field (or "" for the whole request) and why.
struct Refusal {
  int http_status = 400;  // 400 bad input, 403 not allowed, 404 no such incident, 409 conflict
  std::vector<FieldError> errors;
};

template <typename T>
struct Outcome {
  std::optional<T> value;
  std::optional<Refusal> refusal;
  Status internal;  // a store failure (5xx)
  bool ok() const { return value.has_value(); }
};

class IncidentService {
 public:
  using TimeSource = std::function<Instant()>;
  IncidentService(IncidentStore& store, CoreConfig config, TimeSource now);

  // Files a draft. Each field is checked exactly as an edit of a new draft by `actor` would be
  // (a reporter cannot file a DPO decision or an IG assessment); the mail filter files its mf_
  // fields and a title only. `idempotency_key` (a hand-over's draft id, or mf_event_id) makes a
  // retry return the incident already filed. `message_hash`, the SHA-256 of the email's
  // Message-ID (mf_message_id_hash when the draft has one), links it to other incidents about
  // that email. `composed` holds fields the core itself decided for this kind of report (a
  // self-report's kind), applied without the actor's checks.
  Outcome<std::string> Create(const nlohmann::json& document, const Actor& actor, const std::string& idempotency_key = "",
                              const std::string& message_hash = "", const nlohmann::json& composed = nullptr);
  // Sets the fields in `patch` (null clears one). `version`, when > 0, must match.
  Outcome<nlohmann::json> Update(const std::string& id, const nlohmann::json& patch, const Actor& actor,
                                 const std::string& reason, int64_t version = 0);
  Outcome<nlohmann::json> Transition(const std::string& id, const std::string& to, const Actor& actor,
                                     const std::string& reason);
  Outcome<nlohmann::json> AddNote(const std::string& id, const std::string& text, const Actor& actor);
  // Records a letter sent to someone affected (letters.h): `letter` holds language, channel,
  // representative_role and addressee_hash; the core adds ref (L1, L2, ...), sent_at (now)
  // and by (the actor), sets individuals_communicated_at if it is empty, and retries its own
  // write if someone else changed the case meanwhile, so a letter that went is always recorded.
  // IG team and DPO only; `letters_sent` is not otherwise writable.
  Outcome<nlohmann::json> RecordLetter(const std::string& id, const nlohmann::json& letter, const Actor& actor,
                                       const std::string& reason);
  // Recall assist: the "please delete this email and confirm" request for the wrong recipient
  // ({"subject", "body"}), quoting the incident reference; for T01 incidents.
  // `language`: en, cy, or both (Welsh first).
  Outcome<nlohmann::json> DeletionRequest(const std::string& id, const std::string& language = "en");
  // Records the wrong recipient's confirmation as containment evidence
  // (RECOVERED_OR_DESTROYED_CONFIRMED, with the confirmation text in the audit trail).
  Outcome<nlohmann::json> RecordDeletionConfirmed(const std::string& id, const std::string& confirmation,
                                                  const Actor& actor);
  // {"incident": document, "version", "derived": ..., "audit": [...], "related": [summaries of
  // the other incidents about the same email, oldest first]}
  Outcome<nlohmann::json> Show(const std::string& id);
  // Summaries ordered by deadline: id, number, title, kind, status, deadline and its state.
  Outcome<nlohmann::json> List(const ListFilter& filter);
  Outcome<Report> BuildCommitteeReport(ReportParams params);
  // A subject access search: the summaries of every incident whose document or audit trail
  // names `address` (compared in lower case), or whose letters went to one of `hashes`, each
  // with "found_in": the fields or audit entries that name it.
  Outcome<nlohmann::json> SubjectAccess(const std::string& address, const std::vector<std::string>& hashes);
  // Applies the retention schedule to closed incidents (retention.h), or with `dry_run` only
  // lists what it would do; either way the run is recorded under `run`. Returns {run,
  // dry_run, policy, due, done, incidents: [{incident_id, incident_number, kind, closed_at, action}]}.
  Outcome<nlohmann::json> ApplyRetention(const RetentionPolicy& policy, bool dry_run, const std::string& run);

  const CoreConfig& config() const { return config_; }

 private:
  // The typed view of a stored document, and a stored incident or its 404.
  Incident Typed(const nlohmann::json& document) const;
  Outcome<StoredIncident> Load(const std::string& id);
  // The list entry for one stored incident.
  nlohmann::json Summary(const StoredIncident& r, Instant now) const;
  Outcome<nlohmann::json> Save(const StoredIncident& before, nlohmann::json document, std::vector<AuditEntry> entries);
  IndexColumns Index(const nlohmann::json& document, const Incident& typed);
  AuditEntry Entry(const Actor& actor, std::string what, nlohmann::json old_value, nlohmann::json new_value,
                   std::string reason);

  IncidentStore& store_;
  CoreConfig config_;
  TimeSource now_;
};

// "2024-06-03T08:40Z" style now, minute precision.
Instant NowUtc();
// A random version-4 UUID.
std::string NewIncidentId();

}  // namespace sendguard::incident
