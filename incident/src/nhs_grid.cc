// SPDX-License-Identifier: Apache-2.0
// §2.3-§2.7: floors, score, region, reportability, DHSC and SIRO flags.
#include "sendguard/incident/nhs_grid.h"

#include <algorithm>
#include <cassert>

namespace sendguard::incident {

SensitivityFactor ComputeSensitivityFactor(const Incident& in) {
  SensitivityFactor sf;
  auto add = [&](std::string t) {
    sf.present = true;
    sf.triggers.push_back(std::move(t));
  };
  // 1. special categories, gender reassignment, genetic/biometric, criminal convictions.
  in.s6_data_categories.ForEach([&](DataCategory c) {
    const int id = static_cast<int>(c);
    if (id <= static_cast<int>(DataCategory::kHealth) || c == DataCategory::kGeneticBiometric ||
        c == DataCategory::kCriminalConvictions) {
      add("s6_data_categories:" + std::string(Name(c)));
    }
  });
  // 2 and 3. children, vulnerable adults, patients.
  for (SubjectCategory c : {SubjectCategory::kPatients, SubjectCategory::kChildren, SubjectCategory::kVulnerableAdults}) {
    if (in.s7_subject_categories.Has(c)) add("s7_subject_categories:" + std::string(Name(c)));
  }
  // 4. explicit flags.
  if (in.sf_vulnerable_children) add("sf_vulnerable_children");
  if (in.sf_vulnerable_adults) add("sf_vulnerable_adults");
  if (in.sf_equality_act_characteristic) add("sf_equality_act_characteristic");
  return sf;
}

NhsRegion RegionOf(int l_eff, int i_eff) {
  if (l_eff == 1 || i_eff == 1) return NhsRegion::kNoImpactOccurred;
  if (l_eff == 2) return NhsRegion::kImpactUnlikely;
  return i_eff >= 4 ? NhsRegion::kReportableIcoDhsc : NhsRegion::kReportableIco;
}

std::optional<NhsResult> ComputeNhs(const Incident& in, const CoreConfig& config) {
  if (!in.nhs_likelihood || !in.nhs_impact) return std::nullopt;
  NhsResult r;
  r.l_eff = *in.nhs_likelihood;
  r.i_eff = *in.nhs_impact;
  if (ComputeSensitivityFactor(in).present) {
    if (r.l_eff < 2) {
      r.l_eff = 2;
      r.floors_applied.push_back("likelihood");
    }
    if (r.i_eff < 2) {
      r.i_eff = 2;
      r.floors_applied.push_back("impact");
    }
  }
  r.score = r.l_eff * r.i_eff;
  r.region = RegionOf(r.l_eff, r.i_eff);
  r.ico_reportable = r.l_eff >= 3 && r.i_eff >= 2;
  // §2.6: the rule and the grid must agree.
  assert(r.ico_reportable == (r.region == NhsRegion::kReportableIco || r.region == NhsRegion::kReportableIcoDhsc));
  r.siro_flag = r.i_eff >= 4;
  r.dhsc_flag = r.ico_reportable && r.i_eff >= 4 && config.dspt_participant;
  return r;
}

}  // namespace sendguard::incident
