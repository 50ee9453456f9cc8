// SPDX-License-Identifier: Apache-2.0
// Everything the core derives from an incident (spec §1.8): sensitivity factor, both
// scoring methods, the headline recommendation, clocks, the ICO package check, the Art 34
// recommendation and the escalation suggestions. Recomputed on every change; never input.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sendguard/incident/clocks.h"
#include "sendguard/incident/enisa.h"
#include "sendguard/incident/nhs_grid.h"
#include "sendguard/incident/suggestions.h"

namespace sendguard::incident {

struct Escalations {
  std::optional<bool> siro_flag;  // needs the NHS result
  std::optional<bool> dhsc_flag;
  bool caldicott_flag = false;
  bool comms_flag = false;
  bool ict_flag = false;
};

struct Derived {
  SensitivityFactor sensitivity_factor;
  std::optional<NhsResult> nhs_result;
  std::optional<Recommendation> nhs_recommendation;
  std::optional<EnisaResult> enisa_result;
  std::vector<DpcRow> suggested_enisa_dpc_rows;
  bool containment_exemption_candidate = false;
  std::optional<Recommendation> headline_recommendation;
  bool methods_disagree = false;
  Clocks clocks;
  std::vector<std::string> ico_package_missing;
  std::optional<HighRisk> high_risk_indicator;
  std::optional<Art34Recommendation> individuals_recommendation;
  Escalations escalation_suggestions;
  std::vector<std::string> warnings;  // e.g. NON_STATUTORY_GROUND
  std::optional<Suggestions> suggestions;  // mail-filter drafts: pre-fills for the IG officer
};

// Fails only for inputs the spec says to reject (an ENISA adjustment outside its set,
// unintelligible_applies without key_compromised == NO).
Result<Derived> Derive(const Incident& incident, const CoreConfig& config, Instant now);

}  // namespace sendguard::incident
