// SPDX-License-Identifier: Apache-2.0
// Who may do what to an incident, and when (spec §1.9-§1.11): the status transitions with
// their guards (an error names the first failed guard), field-edit permissions, and the rules
// on changing kind. Pure functions over the incident document and its typed view.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sendguard/common/status.h"
#include "sendguard/incident/incident.h"

namespace sendguard::incident {

enum class Role { kReporter, kInvestigatingOfficer, kIgOfficer, kDpo, kSiro, kCaldicottGuardian, kSystem };
SENDGUARD_ENUM_NAMES(Role, "REPORTER", "INVESTIGATING_OFFICER", "IG_OFFICER", "DPO", "SIRO", "CALDICOTT_GUARDIAN",
                     "SYSTEM");

struct Actor {
  std::string id;
  std::string name;
  Role role = Role::kReporter;
};

// The fields §1.3 requires at ASSESSED (for BREACH, with Section 1 from UNDER_INVESTIGATION).
std::vector<std::string> MissingFormFields(const nlohmann::json& doc, const Incident& incident);

// Checks the transition of `incident` (document `doc`) to `to` by `actor` at `now`.
// `reason` is required for the backward transitions (rows 5, 8, 11).
Status CheckTransition(const nlohmann::json& doc, const Incident& incident, IncidentStatus to, const Actor& actor,
                       const CoreConfig& config, Instant now, const std::string& reason);

// Checks that `actor` may set `field` on an incident in its current state; `previous` is the
// incident before the edit (for kind and aware_at rules).
Status CheckFieldEdit(const std::string& field, const Actor& actor, const Incident& previous,
                      const nlohmann::json& new_value, const nlohmann::json& old_value, const std::string& reason);

// What a transition changes besides the status (row 5 clears the DPO's ICO decision).
void ApplyTransitionEffects(nlohmann::json* doc, IncidentStatus from, IncidentStatus to);

}  // namespace sendguard::incident
