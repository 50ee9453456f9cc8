// SPDX-License-Identifier: Apache-2.0
// Need to know (see case_scope.h).
#include "case_scope.h"

#include <algorithm>

#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

bool Told(const json& incident, const char* key) {
  const json e = incident.value("escalations", json::object());
  return e.is_object() && e.contains(key) && e[key].is_string();
}

bool Flagged(const json& shown, const char* key) {
  const json e = shown.value("derived", json::object()).value("escalation_suggestions", json::object());
  return e.is_object() && e.contains(key) && e[key].is_boolean() && e[key].get<bool>();
}

}  // namespace

bool LimitedToSomeCases(const Caller& caller) {
  switch (caller.actor.role) {
    case Role::kInvestigatingOfficer:
    case Role::kSiro:
    case Role::kCaldicottGuardian: return true;
    case Role::kIgOfficer: return !caller.directorates.empty();
    default: return false;
  }
}

std::string HiddenReason(const Caller& caller, const json& shown) {
  if (!LimitedToSomeCases(caller)) return "";
  const json incident = shown.value("incident", json::object());
  switch (caller.actor.role) {
    case Role::kInvestigatingOfficer: {
      const json officer = incident.value("investigating_officer", json::object());
      const std::string id = officer.is_object() ? officer.value("id", "") : "";
      return !id.empty() && common::AsciiLower(id) == common::AsciiLower(caller.actor.id)
                 ? ""
                 : "this case is not assigned to you as investigating officer";
    }
    case Role::kSiro:
      return Told(incident, "siro_informed_at") || Flagged(shown, "siro_flag") ? "" : "this case has not been escalated to the SIRO";
    case Role::kCaldicottGuardian:
      return Told(incident, "caldicott_informed_at") || Flagged(shown, "caldicott_flag")
                 ? ""
                 : "this case has not been escalated to the Caldicott Guardian";
    case Role::kIgOfficer: {
      const std::string directorate = incident.value("s2_directorate", "");
      if (directorate.empty()) return "";
      const bool mine = std::any_of(caller.directorates.begin(), caller.directorates.end(), [&](const std::string& d) {
        return common::AsciiLower(d) == common::AsciiLower(directorate);
      });
      return mine ? "" : "this case belongs to another directorate";
    }
    default: return "";
  }
}

}  // namespace sendguard::incident
