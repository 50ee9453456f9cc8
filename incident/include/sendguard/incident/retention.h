// SPDX-License-Identifier: Apache-2.0
// The organisation's retention schedule for incidents (core.yaml `retention`): an incident
// closed more than N years ago is anonymised (what the committee's counts need is kept: kind,
// dates, types, categories, counts, scores, decisions; every name, address and free text goes,
// from the document and from the values of its audit trail) or deleted (tombstones keep the
// audit chain verifiable). `sendguard-core retention [--dry-run]` runs it; each run, dry or
// real, is recorded. Scan records and recipient history are the mail filter's (its
// scan_record_days and recipient_history_days).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sendguard/incident/london_time.h"

namespace sendguard::incident {

struct RetentionPolicy {
  int years_after_closure = 6;            // breaches (and undetermined cases) closed this long ago
  int near_miss_years_after_closure = 6;  // near misses and not-a-breach cases
  std::string action = "anonymise";       // or "delete"
};

// The fields an anonymised incident keeps (everything else is removed).
bool KeptWhenAnonymised(const std::string& field);

// `document` with only the kept fields, a neutral title and the run that anonymised it.
nlohmann::json AnonymisedDocument(const nlohmann::json& document, const std::string& run, Instant closed_at, Instant now);

// When `closed_at` + the policy's years has passed at `now` for an incident of `kind`.
bool RetentionDue(const RetentionPolicy& policy, const std::string& kind, Instant closed_at, Instant now);

}  // namespace sendguard::incident
