// SPDX-License-Identifier: Apache-2.0
// §1.7's suggestion table applied to the mail-filter evidence (see suggestions.h).
#include "sendguard/incident/suggestions.h"

#include <algorithm>

namespace sendguard::incident {
namespace {

bool Any(const std::map<std::string, uint64_t>& counts, std::initializer_list<const char*> types) {
  return std::any_of(types.begin(), types.end(), [&](const char* t) {
    auto it = counts.find(t);
    return it != counts.end() && it->second > 0;
  });
}

}  // namespace

std::optional<Suggestions> SuggestFromMailFilter(const Incident& in, const CoreConfig& config) {
  if (in.source != IncidentSource::kMailFilter || !in.mf_action) return std::nullopt;
  Suggestions s;
  const auto& c = in.mf_identifier_distinct;
  // Sections 6 and 7: the identifier-type table, then what the scan's own categories add.
  if (Any(c, {"PERSON_NAME", "EMAIL_ADDRESS", "POSTAL_ADDRESS", "UK_POSTCODE", "PHONE_NUMBER", "DATE_OF_BIRTH",
              "NI_NUMBER", "NHS_NUMBER", "UNIQUE_PUPIL_NUMBER", "CASE_REFERENCE"})) {
    s.s6_data_categories.Add(DataCategory::kBasicIdentifiers);
  }
  if (Any(c, {"CREDENTIAL"})) s.s6_data_categories.Add(DataCategory::kIdentificationData);
  if (Any(c, {"BANK_ACCOUNT", "PAYMENT_CARD_NUMBER"})) s.s6_data_categories.Add(DataCategory::kEconomicFinancial);
  if (Any(c, {"PASSPORT_NUMBER", "DRIVING_LICENCE_NUMBER"})) s.s6_data_categories.Add(DataCategory::kOfficialDocuments);
  if (Any(c, {"HEALTH_TERM"})) s.s6_data_categories.Add(DataCategory::kHealth);
  if (Any(c, {"CRIMINAL_OFFENCE_TERM"})) s.s6_data_categories.Add(DataCategory::kCriminalConvictions);
  in.mf_data_categories.ForEach([&](DataCategory d) { s.s6_data_categories.Add(d); });
  s.s7_subject_categories = in.mf_subject_categories;
  s.sf_vulnerable_children = in.mf_subject_categories.Has(SubjectCategory::kChildren);
  s.sf_vulnerable_adults = in.mf_subject_categories.Has(SubjectCategory::kVulnerableAdults);
  if (in.mf_estimated_individuals && *in.mf_estimated_individuals > 0) s.s7_individuals_affected = in.mf_estimated_individuals;
  // An email that went (or nearly went) to the wrong place.
  s.s4_types.Add(IncidentType::kIncorrectRecipient);
  s.disclosure_channel = Channel::kEmail;
  // ENISA inputs.
  Incident scored;
  scored.s6_data_categories = s.s6_data_categories;
  s.enisa_dpc_rows = SuggestDpcRows(scored);
  if (Any(c, {"PERSON_NAME", "EMAIL_ADDRESS", "NHS_NUMBER", "NI_NUMBER", "POSTAL_ADDRESS"})) {
    s.enisa_ei = EiLevel::kMaximum;
  } else if (Any(c, {"CASE_REFERENCE", "UNIQUE_PUPIL_NUMBER"})) {
    s.enisa_ei = EiLevel::kLimited;
  }
  const bool unknown = in.mf_distribution_list_used ||
                       std::find(in.mf_recipient_classes.begin(), in.mf_recipient_classes.end(), "UNKNOWN") !=
                           in.mf_recipient_classes.end();
  s.enisa_cb_confidentiality = unknown ? CbConfidentiality::kUnknownRecipients : CbConfidentiality::kKnownRecipients;
  s.unintelligible_hint = !in.mf_content_protection.empty() && in.mf_content_protection != "NONE" &&
                          in.mf_content_protection != "UNKNOWN";
  if (!s.enisa_dpc_rows.empty() && s.enisa_ei) {
    scored.enisa_dpc_rows = s.enisa_dpc_rows;
    scored.enisa_ei = s.enisa_ei;
    scored.enisa_cb_confidentiality = s.enisa_cb_confidentiality;
    scored.enisa_cb_integrity = CbIntegrity::kNoneEvidenced;
    scored.enisa_cb_availability = CbAvailability::kRecoverableWithoutDifficulty;
    scored.enisa_cb_malicious = false;
    scored.s7_individuals_affected = s.s7_individuals_affected;
    auto r = ComputeEnisa(scored, config);
    if (r.ok() && *r) s.enisa_result = **r;
  }
  return s;
}

nlohmann::json SuggestionsToJson(const Suggestions& s) {
  using nlohmann::json;
  auto names = [](const auto& set) {
    json out = json::array();
    set.ForEach([&](auto e) { out.push_back(Name(e)); });
    return out;
  };
  json rows = json::array();
  for (const auto& r : s.enisa_dpc_rows) rows.push_back({{"category", Name(r.category)}, {"adjustment", 0}});
  json out{{"s4_types", names(s.s4_types)},
           {"disclosure_channel", s.disclosure_channel ? json(Name(*s.disclosure_channel)) : json()},
           {"s6_data_categories", names(s.s6_data_categories)},
           {"s7_subject_categories", names(s.s7_subject_categories)},
           {"s7_individuals_affected", s.s7_individuals_affected ? json(*s.s7_individuals_affected) : json()},
           {"s7_individuals_is_estimate", s.s7_individuals_affected.has_value()},
           {"sf_vulnerable_children", s.sf_vulnerable_children},
           {"sf_vulnerable_adults", s.sf_vulnerable_adults},
           {"enisa_dpc_rows", rows},
           {"enisa_ei", s.enisa_ei ? json(Name(*s.enisa_ei)) : json()},
           {"enisa_cb_confidentiality", s.enisa_cb_confidentiality ? json(Name(*s.enisa_cb_confidentiality)) : json()},
           {"ask_whether_unintelligible", s.unintelligible_hint}};
  if (s.enisa_result) {
    out["enisa_score"] = {{"se", s.enisa_result->se_q / 4.0},
                          {"total", s.enisa_result->total_q ? json(*s.enisa_result->total_q / 4.0) : json()},
                          {"band", Name(s.enisa_result->total_band.value_or(s.enisa_result->se_band))},
                          {"recommendation", Name(s.enisa_result->recommendation)}};
  }
  return out;
}

}  // namespace sendguard::incident
