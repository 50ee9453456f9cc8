// SPDX-License-Identifier: Apache-2.0
// §2.7, §2.9, §3.10, §4.5, §5.2-§5.5: the recommendations built on the two methods.
#include "sendguard/incident/recommendations.h"

namespace sendguard::incident {
namespace {

Recommendation NhsRecommendation(const NhsResult& r, bool exemption_candidate) {
  if (!r.ico_reportable) return Recommendation::kNotReportable;
  return exemption_candidate ? Recommendation::kDpoReviewExemption : Recommendation::kReport;
}

HighRisk NhsHighRisk(const NhsResult& r) {
  if (!r.ico_reportable) return HighRisk::kNo;
  return r.i_eff >= 4 ? HighRisk::kHighRisk : HighRisk::kPossible;
}

HighRisk EnisaHighRisk(const EnisaResult& r) {
  const SeverityBand b = r.total_band.value_or(r.se_band);
  if (b >= SeverityBand::kHigh) return HighRisk::kHighRisk;
  return b == SeverityBand::kMedium ? HighRisk::kPossible : HighRisk::kNo;
}

Art34Recommendation Individuals(const Incident& in, HighRisk risk) {
  if (in.ico_required_communication) return Art34Recommendation::kCommunicateDirectly;
  switch (risk) {
    case HighRisk::kNo: return Art34Recommendation::kNotRequired;
    case HighRisk::kPossible: return Art34Recommendation::kDpoDecisionRequired;
    case HighRisk::kHighRisk: break;
  }
  if (in.unintelligible_applies) return Art34Recommendation::kExemptTechnicalMeasures;
  if (in.exception_b_confirmed) return Art34Recommendation::kExemptSubsequentMeasures;
  if (in.exception_c_confirmed) return Art34Recommendation::kPublicCommunication;
  return Art34Recommendation::kCommunicateDirectly;
}

std::vector<std::string> IcoPackageMissing(const Incident& in, const CoreConfig& config) {
  std::vector<std::string> missing;
  if (in.s4_types.empty() || (in.s4_types.Has(IncidentType::kOther) && in.s4_other_text.empty()) ||
      in.s5_what_happened.empty() || !in.cia_set) {
    missing.push_back("nature_of_breach");
  }
  if (in.s7_subject_categories.empty() || !in.s7_individuals_affected) missing.push_back("data_subjects");
  if (in.s6_data_categories.empty() || !in.records_affected) missing.push_back("data_records");
  if (!config.dpo_contact_set) missing.push_back("dpo_contact");
  if (in.s8_potential_consequences.empty()) missing.push_back("likely_consequences");
  if (in.s9_actions_taken_or_proposed.empty()) missing.push_back("measures_taken");
  return missing;
}

}  // namespace

Result<Derived> Derive(const Incident& in, const CoreConfig& config, Instant now) {
  if (in.unintelligible_applies && in.key_compromised != YesNoUnknown::kNo) {
    return InvalidArgument("unintelligible_applies: may be true only when key_compromised is NO");
  }
  Derived d;
  d.sensitivity_factor = ComputeSensitivityFactor(in);
  d.containment_exemption_candidate =
      in.unintelligible_applies ||
      in.containment.HasAny({Containment::kRecoveredFromTrustedPartner, Containment::kEffectNullified});
  d.nhs_result = ComputeNhs(in, config);
  if (d.nhs_result) d.nhs_recommendation = NhsRecommendation(*d.nhs_result, d.containment_exemption_candidate);
  auto enisa = ComputeEnisa(in, config);
  if (!enisa.ok()) return enisa.status();
  d.enisa_result = *enisa;
  if (in.enisa_dpc_rows.empty()) d.suggested_enisa_dpc_rows = SuggestDpcRows(in);

  if (config.primary_method == PrimaryMethod::kNhsGrid) {
    d.headline_recommendation = d.nhs_recommendation;
    if (d.nhs_result) d.high_risk_indicator = NhsHighRisk(*d.nhs_result);
  } else {
    if (d.enisa_result) {
      d.headline_recommendation = d.enisa_result->recommendation;
      d.high_risk_indicator = EnisaHighRisk(*d.enisa_result);
    }
  }
  if (d.nhs_recommendation && d.enisa_result) {
    auto a = *d.nhs_recommendation, b = d.enisa_result->recommendation;
    d.methods_disagree = (a == Recommendation::kReport && b == Recommendation::kNotReportable) ||
                         (a == Recommendation::kNotReportable && b == Recommendation::kReport);
  }
  if (d.high_risk_indicator) {
    d.individuals_recommendation = Individuals(in, *d.high_risk_indicator);
    if (*d.high_risk_indicator == HighRisk::kHighRisk && in.dpo_individuals_decision &&
        *in.dpo_individuals_decision == IndividualsDecision::kNotInformedOtherGrounds && !in.unintelligible_applies &&
        !in.exception_b_confirmed && !in.exception_c_confirmed) {
      d.warnings.push_back("NON_STATUTORY_GROUND");
    }
  }

  d.clocks = ComputeClocks(in, config, now);
  d.suggestions = SuggestFromMailFilter(in, config);
  d.ico_package_missing = IcoPackageMissing(in, config);

  Escalations& e = d.escalation_suggestions;
  if (d.nhs_result) {
    e.siro_flag = d.nhs_result->siro_flag;
    e.dhsc_flag = d.nhs_result->dhsc_flag;
  }
  const bool siro = e.siro_flag.value_or(false);
  e.caldicott_flag = in.s6_data_categories.Has(DataCategory::kHealth) ||
                     in.s7_subject_categories.HasAny({SubjectCategory::kPatients, SubjectCategory::kChildren,
                                                      SubjectCategory::kVulnerableAdults}) ||
                     siro;
  e.comms_flag = siro || in.media_interest == YesNoUnknown::kYes;
  e.ict_flag = in.s4_types.HasAny({IncidentType::kSystemMisuseDisruption, IncidentType::kSystemConfigurationError,
                                   IncidentType::kPasswordSharing, IncidentType::kCyberIncident}) ||
               in.s4_cyber_related == YesNoUnknown::kYes || in.ict_asset_involved == YesNoUnknown::kYes;
  return d;
}

}  // namespace sendguard::incident
