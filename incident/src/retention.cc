// SPDX-License-Identifier: Apache-2.0
// Retention (see retention.h): what an anonymised incident keeps and when one is due; the
// run itself is IncidentService::ApplyRetention.
#include "sendguard/incident/retention.h"

#include <algorithm>
#include <set>


namespace sendguard::incident {

using nlohmann::json;

bool KeptWhenAnonymised(const std::string& field) {
  static const std::set<std::string> kKept = {
      "incident_number", "kind", "status", "source", "created_at", "detected_at", "aware_at", "kind_set_at",
      "form_completed_at", "s2_date_of_breach", "s2_directorate", "s2_service_area", "s2_gdpr_training_last_year",
      "s2_not_applicable", "s4_types", "s4_cyber_related", "s5_happened_before", "s6_data_categories",
      "s7_subject_categories", "s7_individuals_affected", "s7_individuals_is_estimate", "s8_likelihood",
      "s8_actual_harm_occurred", "root_cause", "actor_type", "behaviour", "disclosure_channel", "cia_categories",
      "sf_vulnerable_children", "sf_vulnerable_adults", "sf_equality_act_characteristic", "unintelligible_applies",
      "key_compromised", "containment", "records_affected", "records_is_estimate", "ict_asset_involved",
      "media_interest", "potential_litigation", "nhs_likelihood", "nhs_impact", "enisa_dpc_rows", "enisa_ei",
      "enisa_cb_confidentiality", "enisa_cb_integrity", "enisa_cb_availability", "enisa_cb_malicious",
      "dpo_ico_decision", "ico_outcome", "dpo_individuals_decision", "individuals_communicated_at",
      "ico_required_communication", "exception_b_confirmed", "exception_c_confirmed", "cross_border", "mf_action",
      "mf_identifier_counts", "mf_data_categories", "mf_subject_categories", "mf_estimated_individuals",
      "mf_attachment_count", "mf_event_at", "office_logged", "office_ico_reporting_needed", "office_date_reported_to_ico",
      "office_date_discussed_with_dpo", "office_staff_letter_sent"};
  return kKept.count(field) > 0;
}

json AnonymisedDocument(const json& document, const std::string& run, Instant closed_at, Instant now) {
  json out = json::object();
  for (const auto& [key, value] : document.items()) {
    if (KeptWhenAnonymised(key)) out[key] = value;
  }
  // ICO submissions keep their type, time and reference (the committee's M7, M8), not their words.
  json submissions = json::array();
  for (const auto& s : document.value("ico_submissions", json::array())) {
    json kept{{"type", s.value("type", "")}, {"submitted_at", s.value("submitted_at", "")}};
    if (s.contains("ico_reference")) kept["ico_reference"] = s["ico_reference"];
    submissions.push_back(kept);
  }
  if (!submissions.empty()) out["ico_submissions"] = submissions;
  // The action plan's count and completion, not its words or owners.
  json plan = json::array();
  for (const auto& a : document.value("action_plan", json::array())) {
    json kept{{"description", "(removed under the retention schedule)"}, {"due", a.value("due", "")}};
    for (const char* k : {"completed_at", "waived_reason"}) {
      if (a.contains(k)) kept[k] = k == std::string("waived_reason") ? json("(removed)") : a[k];
    }
    plan.push_back(kept);
  }
  if (!plan.empty()) out["action_plan"] = plan;
  out["title"] = "Anonymised incident";
  out["anonymised"] = {{"at", FormatInstant(now)}, {"run", run}, {"closed_at", FormatInstant(closed_at)}};
  return out;
}

bool RetentionDue(const RetentionPolicy& policy, const std::string& kind, Instant closed_at, Instant now) {
  const bool near = kind == "NEAR_MISS" || kind == "NOT_A_BREACH";
  const int years = near ? policy.near_miss_years_after_closure : policy.years_after_closure;
  const auto closed_day = std::chrono::floor<std::chrono::days>(closed_at);
  const std::chrono::year_month_day ymd{closed_day};
  std::chrono::year_month_day until = ymd + std::chrono::years{years};
  if (!until.ok()) until = std::chrono::year_month_day{std::chrono::year_month_day_last{until.year(), std::chrono::month_day_last{until.month()}}};  // 29 Feb
  return now >= std::chrono::sys_days{until} + (closed_at - closed_day);
}

}  // namespace sendguard::incident
