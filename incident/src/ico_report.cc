// SPDX-License-Identifier: Apache-2.0
// The ICO report and the DSPT layout of the same facts (see ico_report.h): a table of
// sections and fields, each naming the incident fields it is filled from.
#include "sendguard/incident/ico_report.h"

#include <optional>

#include "sendguard/common/text.h"
#include "sendguard/incident/enums.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

constexpr const char* kNotKnown = "Not yet known";

std::string Str(const json& doc, const char* key) {
  const json v = doc.value(key, json());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_boolean()) return v.get<bool>() ? "Yes" : "No";
  return "";
}

std::string When(const json& doc, const char* key) {
  const std::string text = Str(doc, key);
  auto at = ParseInstant(text);
  return at.ok() ? FormatLondon(*at) : text;
}

std::string IcoWords(const json& doc, const char* key) {
  const std::string text = Str(doc, key);
  return text.empty() ? "" : Readable(text);
}

std::string IcoListed(const json& doc, const char* key, const char* other = nullptr) {
  std::string out;
  for (const auto& v : doc.value(key, json::array())) {
    if (!v.is_string()) continue;
    std::string item = Readable(v.get<std::string>());
    if (v == "OTHER" && other && !Str(doc, other).empty()) item = "Other: " + Str(doc, other);
    out += (out.empty() ? "" : "; ") + item;
  }
  return out;
}

std::string IcoCount(const json& doc, const char* count, const char* estimate) {
  std::string n = Str(doc, count);
  if (!n.empty() && doc.value(estimate, false)) n += " (estimate)";
  return n;
}

class Builder {
 public:
  Builder& Section(const char* id, const char* title) {
    sections_.push_back({{"id", id}, {"title", title}, {"fields", json::array()}});
    return *this;
  }
  Builder& Field(const char* key, const char* label, const std::string& value, std::initializer_list<const char*> from) {
    json sources = json::array();
    for (const char* f : from) sources.push_back(f);
    sections_.back()["fields"].push_back(
        {{"key", key}, {"label", label}, {"value", common::Trim(value).empty() ? kNotKnown : value}, {"from", sources}});
    return *this;
  }
  json Take() { return std::move(sections_); }

 private:
  json sections_ = json::array();
};

std::optional<json> Initial(const json& doc) {
  for (const auto& s : doc.value("ico_submissions", json::array())) {
    if (s.is_object() && s.value("type", "") == "INITIAL") return s;
  }
  return std::nullopt;
}

// The reason for a late report, or that it is not late (yet).
std::string Delay(const std::optional<json>& initial, const json& derived) {
  const std::string reasons = initial ? initial->value("delay_reasons", "") : "";
  if (!reasons.empty()) return reasons;
  const json ico = derived.value("clocks", json::object()).value("ICO_72H", json::object());
  const std::string state = ico.value("state", "");
  if (initial && state == "MET") return "Not late: reported within 72 hours of discovery";
  if (!initial && (state == "RUNNING" || state == "DUE_SOON") && ico.value("due", json()).is_string()) {
    auto due = ParseInstant(ico["due"].get<std::string>());
    if (due.ok()) return "Not late yet: the 72 hours run until " + FormatLondon(*due);
  }
  return "";
}

// Why the people affected were not told: the DPO's reason, when the decision was not to tell them.
std::string WhyNotTold(const json& doc) {
  const std::string decision = Str(doc, "dpo_individuals_decision");
  if (decision.empty() || decision == "COMMUNICATE_DIRECTLY" || decision == "PUBLIC_COMMUNICATION") {
    return decision.empty() ? "" : "Not applicable: they are being told";
  }
  return Readable(decision) + (Str(doc, "dpo_individuals_rationale").empty() ? "" : ": " + Str(doc, "dpo_individuals_rationale"));
}

std::string Submissions(const json& doc) {
  std::string out;
  for (const auto& s : doc.value("ico_submissions", json::array())) {
    auto at = ParseInstant(s.value("submitted_at", ""));
    out += (out.empty() ? "" : "\n") + Readable(s.value("type", "")) + " report " +
           (at.ok() ? FormatLondon(*at) : s.value("submitted_at", "")) +
           (s.value("ico_reference", "").empty() ? "" : ", ICO reference " + s.value("ico_reference", ""));
    std::string follow;
    for (const auto& t : s.value("to_follow", json::array())) follow += (follow.empty() ? "" : ", ") + IcoPackageItemWords(t.get<std::string>());
    if (!follow.empty()) out += "; to follow: " + follow;
  }
  return out;
}

std::string Told(const json& doc) {
  std::string out = IcoWords(doc, "dpo_individuals_decision");
  if (!Str(doc, "individuals_communicated_at").empty()) out += (out.empty() ? "" : "; ") + std::string("told ") + When(doc, "individuals_communicated_at");
  const size_t letters = doc.value("letters_sent", json::array()).size();
  if (letters > 0) out += (out.empty() ? "" : "; ") + std::to_string(letters) + (letters == 1 ? " letter sent" : " letters sent");
  return out;
}

std::string Organisation(const incident::Organisation& org) {
  return org.name + (org.ico_registration.empty() ? "" : " (ICO registration " + org.ico_registration + ")");
}

std::string DpoContact(const incident::Organisation& org) {
  std::string out = org.dpo_name;
  if (!org.dpo_email.empty()) out += (out.empty() ? "" : ", ") + org.dpo_email;
  if (!org.dpo_phone.empty()) out += (out.empty() ? "" : ", ") + org.dpo_phone;
  return out;
}

json IcoSections(const json& doc, const json& derived, const incident::Organisation& org) {
  const std::optional<json> initial = Initial(doc);
  const std::string aware = derived.value("clocks", json::object()).value("aware_at", json()).is_string()
                                ? derived["clocks"]["aware_at"].get<std::string>()
                                : "";
  auto aware_at = ParseInstant(aware);
  Builder b;
  b.Section("report", "Initial report or follow-up")
      .Field("report_type", "Report type", initial ? "Follow-up report (see the submission history)" : "Initial report", {"ico_submissions"})
      .Field("ico_reference", "ICO case reference", initial ? initial->value("ico_reference", "") : "", {"ico_submissions"});
  b.Section("organisation", "About your organisation")
      .Field("organisation", "Organisation name", Organisation(org), {"organisation.name", "organisation.ico_registration"})
      .Field("address", "Registered address", org.address, {"organisation.address"})
      .Field("sector", "Sector", org.sector, {"organisation.sector"})
      .Field("contact", "Data protection officer or contact point", DpoContact(org), {"dpo_contact"});
  b.Section("breach", "About the breach")
      .Field("what_happened", "What happened", Str(doc, "s5_what_happened"), {"s5_what_happened"})
      .Field("types", "Type of breach", IcoListed(doc, "s4_types", "s4_other_text"), {"s4_types", "s4_other_text"})
      .Field("cia", "Confidentiality, integrity or availability", IcoListed(doc, "cia_categories"), {"cia_categories"})
      .Field("cyber", "Was the breach caused by a cyber incident?", IcoWords(doc, "s4_cyber_related"), {"s4_cyber_related"})
      .Field("occurred", "When did the breach happen?", Str(doc, "s2_date_of_breach"), {"s2_date_of_breach"})
      .Field("discovered", "When did you discover the breach?", aware_at.ok() ? FormatLondon(*aware_at) : "", {"aware_at", "s1_aware_local", "detected_at"})
      .Field("how_discovered", "How did you discover the breach?", Str(doc, "s1_how_found_out"), {"s1_how_found_out"})
      .Field("delay", "If you are reporting more than 72 hours after discovery, why?", Delay(initial, derived),
             {"ico_submissions[INITIAL].delay_reasons", "derived.clocks.ICO_72H"});
  b.Section("data", "Personal data placed at risk")
      .Field("data_categories", "What data has been placed at risk?", IcoListed(doc, "s6_data_categories", "s6_other_text"), {"s6_data_categories", "s6_other_text"})
      .Field("records", "Approximately how many personal data records?", IcoCount(doc, "records_affected", "records_is_estimate"), {"records_affected", "records_is_estimate"})
      .Field("people", "Approximately how many people?", IcoCount(doc, "s7_individuals_affected", "s7_individuals_is_estimate"),
             {"s7_individuals_affected", "s7_individuals_is_estimate"})
      .Field("subject_categories", "Who are the people affected?", IcoListed(doc, "s7_subject_categories", "s7_other_text"), {"s7_subject_categories", "s7_other_text"})
      .Field("vulnerable", "Vulnerable children or adults, or equality characteristics",
             std::string(doc.value("sf_vulnerable_children", false) ? "Vulnerable children. " : "") +
                 (doc.value("sf_vulnerable_adults", false) ? "Vulnerable adults. " : "") +
                 (doc.value("sf_equality_act_characteristic", false) ? "Equality Act characteristics." : ""),
             {"sf_vulnerable_children", "sf_vulnerable_adults", "sf_equality_act_characteristic"});
  b.Section("consequences", "Likely consequences")
      .Field("consequences", "What are the potential consequences for the people affected?", Str(doc, "s8_potential_consequences"), {"s8_potential_consequences"})
      .Field("likelihood", "How likely are they to experience significant consequences?",
             IcoWords(doc, "s8_likelihood") + (Str(doc, "s8_likelihood_justification").empty() ? "" : ": " + Str(doc, "s8_likelihood_justification")),
             {"s8_likelihood", "s8_likelihood_justification"})
      .Field("harm", "Has there been any actual harm?", Str(doc, "s8_actual_harm"), {"s8_actual_harm", "s8_actual_harm_occurred"});
  b.Section("containment", "Containment and recovery")
      .Field("containment", "What has been done to contain the breach?", IcoListed(doc, "containment"), {"containment"})
      .Field("actions", "Actions taken or proposed, including mitigation", Str(doc, "s9_actions_taken_or_proposed"), {"s9_actions_taken_or_proposed"})
      .Field("other_actions", "Other actions", Str(doc, "s9_other_actions"), {"s9_other_actions"})
      .Field("measures_before", "Measures in place before the breach", Str(doc, "s9_measures_in_place"), {"s9_measures_in_place"})
      .Field("training", "Had the staff member involved completed data protection training in the last year?",
             doc.value("s2_not_applicable", false) ? "Not applicable (no staff member involved)" : IcoWords(doc, "s2_gdpr_training_last_year"),
             {"s2_gdpr_training_last_year", "s2_not_applicable"})
      .Field("before", "Has this type of incident happened before?",
             IcoWords(doc, "s5_happened_before") + (Str(doc, "s5_previous_details").empty() ? "" : ": " + Str(doc, "s5_previous_details")),
             {"s5_happened_before", "s5_previous_details"});
  b.Section("individuals", "Telling the people affected")
      .Field("told", "Have you told the people affected?", Told(doc), {"dpo_individuals_decision", "individuals_communicated_at", "letters_sent"})
      .Field("why_not", "If not, why not?", WhyNotTold(doc), {"dpo_individuals_decision", "dpo_individuals_rationale"});
  b.Section("other", "Cross-border and other organisations")
      .Field("cross_border", "Are people in other countries affected?",
             IcoWords(doc, "cross_border") + (Str(doc, "cross_border_details").empty() ? "" : ": " + Str(doc, "cross_border_details")),
             {"cross_border", "cross_border_details"})
      .Field("other_regulators", "Have you told other organisations (police, other regulators, NCSC)?", Str(doc, "other_regulators_informed"),
             {"other_regulators_informed"})
      .Field("media", "Media interest", IcoWords(doc, "media_interest"), {"media_interest"});
  return b.Take();
}

std::string RegionWords(const std::string& region) {
  if (region == "NO_IMPACT_OCCURRED") return "No impact has occurred";
  if (region == "IMPACT_UNLIKELY") return "An impact is unlikely";
  if (region == "REPORTABLE_ICO") return "Reportable to the ICO";
  if (region == "REPORTABLE_ICO_DHSC") return "Reportable to the ICO and the DHSC";
  return region;
}

json DsptSections(const json& doc, const json& derived, const incident::Organisation& org) {
  const json nhs = derived.value("nhs_result", json());
  auto grid = [&](const char* key) { return nhs.is_object() && nhs.contains(key) ? nhs[key].dump() : std::string(); };
  auto aware = ParseInstant(derived.value("clocks", json::object()).value("aware_at", json()).is_string()
                                ? derived["clocks"]["aware_at"].get<std::string>()
                                : "");
  // Triggers read "s6_data_categories:HEALTH" or "sf_vulnerable_children": said in words.
  std::string factors;
  for (const auto& t : derived.value("sensitivity_factor", json::object()).value("triggers", json::array())) {
    const std::string trigger = t.is_string() ? t.get<std::string>() : "";
    const size_t colon = trigger.find(':');
    std::string words = colon == std::string::npos ? Readable(trigger.rfind("sf_", 0) == 0 ? trigger.substr(3) : trigger)
                                                   : Readable(trigger.substr(colon + 1)) + " (section " + trigger.substr(1, 1) + ")";
    factors += (factors.empty() ? "" : "; ") + words;
  }
  Builder b;
  b.Section("reporter", "Reporting organisation")
      .Field("organisation", "Organisation name", org.name, {"organisation.name"})
      .Field("ods_code", "ODS code", org.ods_code, {"organisation.ods_code"})
      .Field("contact", "Contact (DPO)", DpoContact(org), {"dpo_contact"});
  b.Section("incident", "Incident details")
      .Field("occurred", "Date of the incident", Str(doc, "s2_date_of_breach"), {"s2_date_of_breach"})
      .Field("detected", "Date the incident was detected", aware.ok() ? FormatLondon(*aware) : "", {"aware_at", "s1_aware_local", "detected_at"})
      .Field("description", "Description of the incident", Str(doc, "s5_what_happened"), {"s5_what_happened"})
      .Field("breach_type", "Breach type (confidentiality, integrity, availability)", IcoListed(doc, "cia_categories"), {"cia_categories"})
      .Field("category", "Incident category", IcoListed(doc, "s4_types", "s4_other_text"), {"s4_types"})
      .Field("cyber", "Cyber incident", IcoWords(doc, "s4_cyber_related"), {"s4_cyber_related"});
  b.Section("sensitivity", "Sensitivity factors")
      .Field("factors", "Sensitivity factors present", factors.empty() ? "None" : factors,
             {"sf_vulnerable_children", "sf_vulnerable_adults", "sf_equality_act_characteristic", "s6_data_categories"});
  b.Section("grading", "Grading on the NHS 5x5 grid")
      .Field("likelihood", "Likelihood (1-5)", grid("L_eff"), {"nhs_likelihood"})
      .Field("severity", "Severity (1-5)", grid("I_eff"), {"nhs_impact"})
      .Field("score", "Score and region", nhs.is_object() ? grid("score") + " (" + RegionWords(nhs.value("region", "")) + ")" : "", {"nhs_likelihood", "nhs_impact"})
      .Field("ico", "Reportable to the ICO", nhs.is_object() ? (nhs.value("ico_reportable", false) ? "Yes" : "No") : "", {"derived.nhs_result"})
      .Field("dhsc", "Notify the Department of Health and Social Care", nhs.is_object() ? (nhs.value("dhsc_flag", false) ? "Yes" : "No") : "",
             {"derived.nhs_result", "assessment.dspt_participant"});
  b.Section("people", "Individuals affected")
      .Field("people", "Number of people affected", IcoCount(doc, "s7_individuals_affected", "s7_individuals_is_estimate"), {"s7_individuals_affected"})
      .Field("subject_categories", "Categories of people", IcoListed(doc, "s7_subject_categories", "s7_other_text"), {"s7_subject_categories"})
      .Field("data_categories", "Categories of data", IcoListed(doc, "s6_data_categories", "s6_other_text"), {"s6_data_categories"})
      .Field("told", "Have the people affected been told?", Told(doc), {"dpo_individuals_decision", "individuals_communicated_at", "letters_sent"});
  b.Section("actions", "Actions and other notifications")
      .Field("containment", "Containment", IcoListed(doc, "containment"), {"containment"})
      .Field("actions", "Actions taken or proposed", Str(doc, "s9_actions_taken_or_proposed"), {"s9_actions_taken_or_proposed"})
      .Field("consequences", "Potential consequences", Str(doc, "s8_potential_consequences"), {"s8_potential_consequences"})
      .Field("other_regulators", "Other organisations told (police, NCSC, CQC ...)", Str(doc, "other_regulators_informed"), {"other_regulators_informed"})
      .Field("cross_border", "People in other countries affected", IcoWords(doc, "cross_border"), {"cross_border"})
      .Field("media", "Media interest", IcoWords(doc, "media_interest"), {"media_interest"});
  return b.Take();
}

}  // namespace

const std::vector<std::string>& IcoPackageItems() {
  static const std::vector<std::string> kItems = {"nature_of_breach", "data_subjects",       "data_records",
                                                  "dpo_contact",      "likely_consequences", "measures_taken"};
  return kItems;
}

std::string IcoPackageItemWords(const std::string& item) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"nature_of_breach", "the nature of the breach"},
      {"data_subjects", "who is affected and how many"},
      {"data_records", "what data and how many records"},
      {"dpo_contact", "the DPO's contact details"},
      {"likely_consequences", "the likely consequences"},
      {"measures_taken", "the measures taken or proposed"}};
  for (const auto& [code, words] : kWords) {
    if (item == code) return words;
  }
  return item;
}

json IcoReport(const json& shown, const incident::Organisation& org, const std::string& layout, Instant now) {
  const json doc = shown.value("incident", json::object());
  const json derived = shown.value("derived", json::object());
  const std::string number = doc.value("incident_number", "");
  json submissions = json::array();
  for (const auto& s : doc.value("ico_submissions", json::array())) submissions.push_back(s);
  const bool dspt = layout == "dspt";
  return {{"layout", dspt ? "dspt" : "ico"},
          {"title", dspt ? "Data security and protection incident report (DSPT)" : "Personal data breach report to the ICO"},
          {"reference", number.empty() ? doc.value("incident_id", "") : number},
          {"generated_at", FormatInstant(now)},
          {"sections", dspt ? DsptSections(doc, derived, org) : IcoSections(doc, derived, org)},
          {"missing", derived.value("ico_package_missing", json::array())},
          {"submission_history", Submissions(doc)},
          {"submissions", submissions}};
}

print::Document IcoReportDocument(const json& report) {
  print::Document d;
  d.title = report.value("title", "");
  d.footer = "Reference " + report.value("reference", "") + "  ·  generated " + report.value("generated_at", "");
  d.Paragraph("Incident " + report.value("reference", "") +
              ". Prepared by sendguard from the incident record for the DPO to check and copy into the report; "
              "\"" + std::string(kNotKnown) + "\" marks what the record does not hold yet.");
  std::string missing;
  for (const auto& m : report.value("missing", json::array())) missing += (missing.empty() ? "" : ", ") + IcoPackageItemWords(m.get<std::string>());
  if (!missing.empty()) d.Field("Art 33(3) items still missing (send them later as a follow-up)", missing);
  for (const auto& s : report.value("sections", json::array())) {
    d.Heading(s.value("title", ""));
    for (const auto& f : s.value("fields", json::array())) d.Field(f.value("label", ""), f.value("value", ""));
  }
  d.Heading("Submission history (phased reporting)");
  const std::string history = report.value("submission_history", "");
  d.Paragraph(history.empty() ? "Nothing submitted yet." : history);
  return d;
}

}  // namespace sendguard::incident
