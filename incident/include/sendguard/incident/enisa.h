// SPDX-License-Identifier: Apache-2.0
// ENISA severity SE = DPC x EI + CB with the Stroud volume addition and bands (spec §3),
// in exact integer quarter-points.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/incident/incident.h"

namespace sendguard::incident {

int BaseScore(EnisaCategory c);
// Checks an adjustment against the allowed set for its category (§3.2).
Status CheckAdjustment(const DpcRow& row);
int QuarterValue(EiLevel ei);
int QuarterValue(CbConfidentiality c);
int QuarterValue(CbIntegrity c);
int QuarterValue(CbAvailability c);
// §3.6: V for n individuals.
int VolumeAddition(long long individuals);
// §3.7: band of a quarter-point score.
SeverityBand BandOf(int quarters);

struct EnisaResult {
  int dpc = 0;
  EiLevel ei = EiLevel::kMaximum;
  bool ei_prefilled = false;  // EI taken as NEGLIGIBLE because the data was unintelligible (§3.8)
  int cb_q = 0;
  int se_q = 0;
  SeverityBand se_band = SeverityBand::kLow;
  std::optional<int> volume_addition;
  std::optional<int> total_q;
  std::optional<SeverityBand> total_band;
  Recommendation recommendation = Recommendation::kNotReportable;
  std::vector<std::string> flags;  // UNINTELLIGIBLE, PROVISIONAL_VOLUME_UNKNOWN, CREDENTIAL_CATEGORY_UNSET
};

// Absent while an input is missing (no DPC row, EI, or any of the four CB components).
// Adjustments outside the allowed set are an error.
Result<std::optional<EnisaResult>> ComputeEnisa(const Incident& incident, const CoreConfig& config);

// The ENISA rows §3.2 suggests from the Section 6 ticks (a pre-fill the assessor changes).
std::vector<DpcRow> SuggestDpcRows(const Incident& incident);

}  // namespace sendguard::incident
