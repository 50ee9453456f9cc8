// SPDX-License-Identifier: Apache-2.0
// Pre-fills for mail-filter drafts (spec §1.7 "Suggested pre-fills"): what the scan saw turned
// into the form's answers and the ENISA inputs, with the ENISA score they would give. Shown to
// the IG officer, who confirms or changes them; never saved without that.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "sendguard/incident/enisa.h"
#include "sendguard/incident/incident.h"

namespace sendguard::incident {

struct Suggestions {
  EnumSet<IncidentType> s4_types;
  std::optional<Channel> disclosure_channel;
  EnumSet<DataCategory> s6_data_categories;
  EnumSet<SubjectCategory> s7_subject_categories;
  std::optional<long long> s7_individuals_affected;  // an estimate (s7_individuals_is_estimate)
  bool sf_vulnerable_children = false;
  bool sf_vulnerable_adults = false;
  std::vector<DpcRow> enisa_dpc_rows;
  std::optional<EiLevel> enisa_ei;
  std::optional<CbConfidentiality> enisa_cb_confidentiality;
  bool unintelligible_hint = false;  // the content was protected: ask whether the key was safe
  std::optional<EnisaResult> enisa_result;  // the score these inputs give (accidental, no loss of I/A)
};

// Absent unless the incident carries mail-filter evidence.
std::optional<Suggestions> SuggestFromMailFilter(const Incident& incident, const CoreConfig& config);
nlohmann::json SuggestionsToJson(const Suggestions& s);

}  // namespace sendguard::incident
