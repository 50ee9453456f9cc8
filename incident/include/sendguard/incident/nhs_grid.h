// SPDX-License-Identifier: Apache-2.0
// The NHS Digital 5x5 likelihood x impact grid (spec §2): sensitivity factor and floors,
// score, region, reportability and the escalation flags that hang off it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sendguard/incident/incident.h"

namespace sendguard::incident {

struct SensitivityFactor {
  bool present = false;
  std::vector<std::string> triggers;  // spec names of the inputs that set it, e.g. "s7:CHILDREN"
};
SensitivityFactor ComputeSensitivityFactor(const Incident& incident);

struct NhsResult {
  int l_eff = 0;
  int i_eff = 0;
  int score = 0;
  NhsRegion region = NhsRegion::kNoImpactOccurred;
  bool ico_reportable = false;
  bool dhsc_flag = false;
  bool siro_flag = false;
  std::vector<std::string> floors_applied;  // "likelihood", "impact"
};
// Absent until both nhs_likelihood and nhs_impact are set.
std::optional<NhsResult> ComputeNhs(const Incident& incident, const CoreConfig& config);

// The region of a cell of effective values (§2.5); exposed for the clickable grid.
NhsRegion RegionOf(int l_eff, int i_eff);

}  // namespace sendguard::incident
