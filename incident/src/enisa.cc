// SPDX-License-Identifier: Apache-2.0
// §3.2-§3.9: DPC rows, EI, CB, volume addition, bands and the ENISA/Stroud recommendation.
#include "sendguard/incident/enisa.h"

#include <algorithm>

namespace sendguard::incident {

int BaseScore(EnisaCategory c) {
  switch (c) {
    case EnisaCategory::kSimple: return 1;
    case EnisaCategory::kBehavioural: return 2;
    case EnisaCategory::kFinancial: return 3;
    case EnisaCategory::kSensitive: return 4;
  }
  return 1;
}

Status CheckAdjustment(const DpcRow& row) {
  const int base = BaseScore(row.category);
  // Every category allows exactly the adjustments that keep base + adjustment in 1..4.
  if (base + row.adjustment < 1 || base + row.adjustment > 4) {
    return InvalidArgument("adjustment " + std::to_string(row.adjustment) + " is not allowed for " +
                           std::string(Name(row.category)) + " (allowed " + std::to_string(1 - base) + ".." +
                           std::to_string(4 - base) + ")");
  }
  if (row.adjustment != 0 && row.reason.empty()) {
    return InvalidArgument("a reason is required when the adjustment is not 0");
  }
  return Status::Ok();
}

int QuarterValue(EiLevel ei) { return static_cast<int>(ei) + 1; }
int QuarterValue(CbConfidentiality c) { return static_cast<int>(c); }
int QuarterValue(CbIntegrity c) { return static_cast<int>(c); }
int QuarterValue(CbAvailability c) { return static_cast<int>(c); }

int VolumeAddition(long long n) {
  if (n <= 10) return 0;
  if (n <= 100) return 1;
  if (n <= 1000) return 2;
  return 3;
}

SeverityBand BandOf(int q) {
  if (q < 8) return SeverityBand::kLow;
  if (q < 12) return SeverityBand::kMedium;
  if (q < 16) return SeverityBand::kHigh;
  return SeverityBand::kVeryHigh;
}

Result<std::optional<EnisaResult>> ComputeEnisa(const Incident& in, const CoreConfig& config) {
  for (size_t i = 0; i < in.enisa_dpc_rows.size(); ++i) {
    Status s = CheckAdjustment(in.enisa_dpc_rows[i]);
    if (!s.ok()) return InvalidArgument("enisa_dpc_rows[" + std::to_string(i) + "]: " + s.message());
  }
  std::optional<EiLevel> ei = in.enisa_ei;
  bool prefilled = false;
  if (!ei && in.unintelligible_applies) {
    ei = EiLevel::kNegligible;
    prefilled = true;
  }
  if (in.enisa_dpc_rows.empty() || !ei || !in.enisa_cb_confidentiality || !in.enisa_cb_integrity ||
      !in.enisa_cb_availability || !in.enisa_cb_malicious) {
    return std::optional<EnisaResult>{};
  }
  EnisaResult r;
  for (const auto& row : in.enisa_dpc_rows) r.dpc = std::max(r.dpc, BaseScore(row.category) + row.adjustment);
  r.ei = *ei;
  r.ei_prefilled = prefilled;
  r.cb_q = QuarterValue(*in.enisa_cb_confidentiality) + QuarterValue(*in.enisa_cb_integrity) +
           QuarterValue(*in.enisa_cb_availability) + (*in.enisa_cb_malicious ? 2 : 0);
  r.se_q = r.dpc * QuarterValue(r.ei) + r.cb_q;
  r.se_band = BandOf(r.se_q);
  if (!config.volume_additions_enabled) {
    r.volume_addition = 0;
  } else if (in.s7_individuals_affected) {
    r.volume_addition = VolumeAddition(*in.s7_individuals_affected);
  }
  if (r.volume_addition) {
    r.total_q = r.se_q + 4 * *r.volume_addition;
    r.total_band = BandOf(*r.total_q);
  } else {
    r.flags.push_back("PROVISIONAL_VOLUME_UNKNOWN");
  }
  if (in.unintelligible_applies) r.flags.push_back("UNINTELLIGIBLE");
  if (in.s6_data_categories.Has(DataCategory::kIdentificationData) &&
      std::none_of(in.enisa_dpc_rows.begin(), in.enisa_dpc_rows.end(), [](const DpcRow& row) { return row.credentials; })) {
    r.flags.push_back("CREDENTIAL_CATEGORY_UNSET");
  }
  const SeverityBand b = r.total_band.value_or(r.se_band);
  if (b >= SeverityBand::kHigh) {
    r.recommendation = in.unintelligible_applies ? Recommendation::kDpoReviewExemption : Recommendation::kReport;
  } else if (b == SeverityBand::kMedium) {
    r.recommendation = Recommendation::kDpoReview;
  } else {
    r.recommendation = Recommendation::kNotReportable;
  }
  return std::optional<EnisaResult>{r};
}

std::vector<DpcRow> SuggestDpcRows(const Incident& in) {
  std::vector<DpcRow> rows;
  auto add = [&](EnisaCategory c) {
    if (std::none_of(rows.begin(), rows.end(), [&](const DpcRow& r) { return r.category == c; })) {
      rows.push_back(DpcRow{c, 0, "", false});
    }
  };
  const auto& d = in.s6_data_categories;
  if (d.HasAny({DataCategory::kBasicIdentifiers, DataCategory::kOfficialDocuments})) add(EnisaCategory::kSimple);
  if (d.Has(DataCategory::kLocation)) add(EnisaCategory::kBehavioural);
  if (d.Has(DataCategory::kEconomicFinancial)) add(EnisaCategory::kFinancial);
  if (d.HasAny({DataCategory::kRacialEthnicOrigin, DataCategory::kPoliticalOpinions,
                DataCategory::kReligiousPhilosophicalBeliefs, DataCategory::kTradeUnionMembership,
                DataCategory::kSexLife, DataCategory::kSexualOrientation, DataCategory::kGenderReassignment,
                DataCategory::kHealth, DataCategory::kGeneticBiometric, DataCategory::kCriminalConvictions})) {
    add(EnisaCategory::kSensitive);
  }
  return rows;
}

}  // namespace sendguard::incident
