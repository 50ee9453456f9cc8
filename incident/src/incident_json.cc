// SPDX-License-Identifier: Apache-2.0
// The field table: every spec field name, its type and limits, and where its value lands
// in the typed Incident. Free-text fields are checked for type and length only.
#include "sendguard/incident/incident_json.h"
#include "sendguard/incident/letters.h"

#include <algorithm>
#include <functional>
#include <map>

namespace sendguard::incident {
namespace {

using nlohmann::json;
using Setter = std::function<std::string(const json&, Incident&, CoreConfig&)>;  // "" = ok, else the reason

// Counts Unicode scalar values in UTF-8 (continuation bytes are not counted).
size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string TypeName(const json& v) { return v.type_name(); }

Setter TextField(size_t limit, bool single_line, std::string Incident::*member = nullptr) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_string()) return "must be a string, not " + TypeName(v);
    const auto& s = v.get_ref<const std::string&>();
    if (CodePoints(s) > limit) return "longer than " + std::to_string(limit) + " characters";
    if (single_line && s.find_first_of("\r\n") != std::string::npos) return "must be one line";
    if (member) in.*member = s;
    return "";
  };
}

Setter EmailField() {
  return [](const json& v, Incident&, CoreConfig&) -> std::string {
    if (!v.is_string()) return "must be a string, not " + TypeName(v);
    const auto& s = v.get_ref<const std::string&>();
    auto at = s.rfind('@');
    if (s.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= s.size() ||
        s.find_first_of(" \t\r\n<>") != std::string::npos) {
      return "is not an email address";
    }
    return "";
  };
}

template <typename E>
std::string ReadEnum(const json& v, E* out) {
  if (!v.is_string()) return "must be a string, not " + TypeName(v);
  auto e = Parse<E>(v.get_ref<const std::string&>());
  if (!e) return "'" + v.get<std::string>() + "' is not one of " + AllowedNames<E>();
  *out = *e;
  return "";
}

template <typename E, typename Target>
Setter EnumField(Target Incident::*member) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    E e{};
    std::string err = ReadEnum(v, &e);
    if (err.empty()) in.*member = e;
    return err;
  };
}

template <typename E>
Setter EnumOnly() {
  return [](const json& v, Incident&, CoreConfig&) -> std::string {
    E e{};
    return ReadEnum(v, &e);
  };
}

template <typename E>
Setter SetField(EnumSet<E> Incident::*member) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_array()) return "must be a list, not " + TypeName(v);
    EnumSet<E> set;
    for (const auto& item : v) {
      E e{};
      std::string err = ReadEnum(item, &e);
      if (!err.empty()) return err;
      set.Add(e);
    }
    if (member) in.*member = set;
    return "";
  };
}

Setter BoolField(bool Incident::*member) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_boolean()) return "must be true or false, not " + TypeName(v);
    if (member) in.*member = v.get<bool>();
    return "";
  };
}

Setter CountField(std::optional<long long> Incident::*member) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_number_integer() || v.get<long long>() < 0) return "must be a whole number, 0 or more";
    if (member) in.*member = v.get<long long>();
    return "";
  };
}

Setter ScaleField(std::optional<int> Incident::*member) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 5) return "must be a whole number 1..5";
    in.*member = v.get<int>();
    return "";
  };
}

Setter InstantField(std::optional<Instant> Incident::*member) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_string()) return "must be a string, not " + TypeName(v);
    auto t = ParseInstant(v.get_ref<const std::string&>());
    if (!t.ok()) return t.status().message();
    if (member) in.*member = *t;
    return "";
  };
}

Setter LocalField() {
  return [](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_string()) return "must be a string, not " + TypeName(v);
    auto t = ParseLocalDateTime(v.get_ref<const std::string&>());
    if (!t.ok()) return t.status().message();
    in.s1_aware_local = *t;
    return "";
  };
}

Setter DateField(std::optional<Date> Incident::*member = nullptr) {
  return [=](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_string()) return "must be a string, not " + TypeName(v);
    auto d = ParseDate(v.get_ref<const std::string&>());
    if (!d.ok()) return d.status().message();
    if (member) in.*member = *d;
    return "";
  };
}

// An enum whose value decides a bool in the typed view (e.g. cia_categories non-empty).
Setter CiaField() {
  return [](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_array()) return "must be a list, not " + TypeName(v);
    for (const auto& item : v) {
      if (!item.is_string() || (item != "CONFIDENTIALITY" && item != "INTEGRITY" && item != "AVAILABILITY")) {
        return "items must be CONFIDENTIALITY, INTEGRITY or AVAILABILITY";
      }
    }
    in.cia_set = !v.empty();
    return "";
  };
}

Setter DpcRowsField() {
  return [](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_array()) return "must be a list, not " + TypeName(v);
    std::vector<DpcRow> rows;
    for (size_t i = 0; i < v.size(); ++i) {
      const json& r = v[i];
      const std::string at = "[" + std::to_string(i) + "]: ";
      if (!r.is_object()) return at + "must be an object {category, adjustment, reason}";
      DpcRow row;
      for (const auto& [key, value] : r.items()) {
        if (key == "category") {
          std::string err = ReadEnum(value, &row.category);
          if (!err.empty()) return at + "category " + err;
        } else if (key == "adjustment") {
          if (!value.is_number_integer()) return at + "adjustment must be a whole number";
          row.adjustment = value.get<int>();
        } else if (key == "reason") {
          if (!value.is_string()) return at + "reason must be a string";
          row.reason = value.get<std::string>();
        } else if (key == "credentials") {
          if (!value.is_boolean()) return at + "credentials must be true or false";
          row.credentials = value.get<bool>();
        } else {
          return at + "unknown key '" + key + "'";
        }
      }
      if (!r.contains("category")) return at + "category is required";
      Status s = CheckAdjustment(row);
      if (!s.ok()) return at + s.message();
      rows.push_back(row);
    }
    in.enisa_dpc_rows = std::move(rows);
    return "";
  };
}

Setter EiField() {
  return [](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (v.is_number()) {  // the worked examples write EI as its value
      const double x = v.get<double>();
      for (EiLevel e : {EiLevel::kNegligible, EiLevel::kLimited, EiLevel::kSignificant, EiLevel::kMaximum}) {
        if (x == QuarterValue(e) / 4.0) {
          in.enisa_ei = e;
          return "";
        }
      }
      return "must be one of " + AllowedNames<EiLevel>() + " (0.25, 0.5, 0.75 or 1.0)";
    }
    EiLevel e{};
    std::string err = ReadEnum(v, &e);
    if (err.empty()) in.enisa_ei = e;
    return err;
  };
}

Setter MaliciousField() {
  return [](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_boolean()) return "must be true or false (malicious intent adds 0.5), not " + TypeName(v);
    in.enisa_cb_malicious = v.get<bool>();
    return "";
  };
}

Setter SubmissionsField() {
  return [](const json& v, Incident& in, CoreConfig&) -> std::string {
    if (!v.is_array()) return "must be a list, not " + TypeName(v);
    std::vector<IcoSubmission> subs;
    int initials = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      const json& s = v[i];
      const std::string at = "[" + std::to_string(i) + "]: ";
      if (!s.is_object()) return at + "must be an object {type, submitted_at, ico_reference, delay_reasons}";
      IcoSubmission sub;
      for (const auto& [key, value] : s.items()) {
        if (key == "type") {
          std::string err = ReadEnum(value, &sub.type);
          if (!err.empty()) return at + "type " + err;
        } else if (key == "submitted_at") {
          if (!value.is_string()) return at + "submitted_at must be a string";
          auto t = ParseInstant(value.get<std::string>());
          if (!t.ok()) return at + "submitted_at " + t.status().message();
          sub.submitted_at = *t;
        } else if (key == "to_follow") {
          if (!value.is_array()) return at + "to_follow must be a list of ico_package_missing items";
          for (const auto& item : value) {
            if (!item.is_string()) return at + "to_follow must be a list of strings";
            sub.to_follow.push_back(item.get<std::string>());
          }
        } else if (key == "ico_reference" || key == "delay_reasons") {
          if (!value.is_string()) return at + key + " must be a string";
          (key == "ico_reference" ? sub.ico_reference : sub.delay_reasons) = value.get<std::string>();
        } else {
          return at + "unknown key '" + key + "'";
        }
      }
      if (!s.contains("type") || !s.contains("submitted_at")) return at + "type and submitted_at are required";
      initials += sub.type == SubmissionType::kInitial;
      subs.push_back(sub);
    }
    if (initials > 1) return "at most one INITIAL submission";
    in.ico_submissions = std::move(subs);
    return "";
  };
}

// A UserRef: {id, name}.
std::string ReadUserRef(const json& v) {
  if (!v.is_object() || !v.contains("id") || !v["id"].is_string() || v["id"].get<std::string>().empty()) {
    return "must be {\"id\": ..., \"name\": ...}";
  }
  for (const auto& [key, value] : v.items()) {
    if (key != "id" && key != "name") return "unknown key '" + key + "'";
    if (!value.is_string()) return key + " must be a string";
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() > 254 || std::any_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
      return key + " must be one line of at most 254 characters";
    }
  }
  return "";
}

Setter UserRefField() {
  return [](const json& v, Incident&, CoreConfig&) -> std::string { return ReadUserRef(v); };
}

Setter ActionPlanField() {
  return [](const json& v, Incident&, CoreConfig&) -> std::string {
    if (!v.is_array()) return "must be a list, not " + TypeName(v);
    for (size_t i = 0; i < v.size(); ++i) {
      const json& item = v[i];
      const std::string at = "[" + std::to_string(i) + "]: ";
      if (!item.is_object()) return at + "must be an object {description, owner, due, completed_at, waived_reason}";
      for (const auto& [key, value] : item.items()) {
        if (key == "description" || key == "waived_reason") {
          if (!value.is_string() || CodePoints(value.get<std::string>()) > 500) return at + key + " must be text of at most 500 characters";
        } else if (key == "owner") {
          std::string err = ReadUserRef(value);
          if (!err.empty()) return at + "owner " + err;
        } else if (key == "due") {
          if (!value.is_string() || !ParseDate(value.get<std::string>()).ok()) return at + "due must be a date (YYYY-MM-DD)";
        } else if (key == "completed_at") {
          if (!value.is_string() || !ParseInstant(value.get<std::string>()).ok()) return at + "completed_at must be a UTC instant";
        } else {
          return at + "unknown key '" + key + "'";
        }
      }
      if (!item.contains("description")) return at + "description is required";
    }
    return "";
  };
}

// escalations (§1.6, §2.7): when each person or team was told, each an instant.
Setter EscalationsField() {
  return [](const json& v, Incident&, CoreConfig&) -> std::string {
    static const char* kKeys[] = {"siro_informed_at", "caldicott_informed_at", "comms_team_informed_at", "ict_informed_at",
                                  "dhsc_notified_at"};
    if (!v.is_object()) return "must be an object {siro_informed_at, caldicott_informed_at, comms_team_informed_at, "
                               "ict_informed_at, dhsc_notified_at}";
    for (const auto& [key, value] : v.items()) {
      if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys)) return "unknown key '" + key + "'";
      if (value.is_null()) continue;
      if (!value.is_string() || !ParseInstant(value.get<std::string>()).ok()) return key + " must be a UTC instant";
    }
    return "";
  };
}

// Structured mail-filter evidence: written once by the filer, checked for shape only.
Setter ListOrObject(bool list) {
  return [=](const json& v, Incident&, CoreConfig&) -> std::string {
    if (list ? !v.is_array() : !v.is_object()) return list ? "must be a list" : "must be an object";
    if (v.dump().size() > 64 * 1024) return "too large";
    return "";
  };
}

// §0.6 configuration keys accepted in a what-if document.
Setter ConfigBool(bool CoreConfig::*member) {
  return [=](const json& v, Incident&, CoreConfig& c) -> std::string {
    if (!v.is_boolean()) return "must be true or false, not " + TypeName(v);
    c.*member = v.get<bool>();
    return "";
  };
}
Setter ConfigHours(int CoreConfig::*member) {
  return [=](const json& v, Incident&, CoreConfig& c) -> std::string {
    if (!v.is_number_integer() || v.get<long long>() < 1 || v.get<long long>() > 720) return "must be hours, 1..720";
    c.*member = v.get<int>();
    return "";
  };
}

const std::map<std::string, Setter>& Fields() {
  static const std::map<std::string, Setter> fields = [] {
    std::map<std::string, Setter> f;
    const Setter line200 = TextField(200, true), text4000 = TextField(4000, false);
    // §1.2 header.
    f["incident_id"] = TextField(36, true);
    f["incident_number"] = TextField(32, true);
    f["source"] = EnumField<IncidentSource>(&Incident::source);
    f["created_at"] = InstantField(nullptr);
    f["detected_at"] = InstantField(&Incident::detected_at);
    f["title"] = TextField(120, true);
    f["kind"] = EnumField<IncidentKind>(&Incident::kind);
    f["kind_set_at"] = InstantField(&Incident::kind_set_at);
    f["not_breach_reason"] = [](const json& v, Incident&, CoreConfig&) -> std::string {
      if (!v.is_string()) return "must be a string";
      const std::string s = v.get<std::string>();
      if (s != "FALSE_POSITIVE_LEGITIMATE" && s != "NO_PERSONAL_DATA" && s != "DUPLICATE" && s != "OTHER") {
        return "'" + s + "' is not one of FALSE_POSITIVE_LEGITIMATE, NO_PERSONAL_DATA, DUPLICATE or OTHER";
      }
      return "";
    };
    f["duplicate_of"] = TextField(36, true);
    f["investigating_officer"] = UserRefField();
    f["action_plan"] = ActionPlanField();
    f["status"] = EnumField<IncidentStatus>(&Incident::status);
    f["processor_name"] = line200;
    f["processor_notified_council_at"] = InstantField(&Incident::processor_notified_council_at);
    // §1.3 sections 1-9.
    f["s1_name"] = line200;
    f["s1_email"] = EmailField();
    f["s1_aware_local"] = LocalField();
    f["s1_how_found_out"] = TextField(2000, false);
    f["s2_name"] = line200;
    f["s2_email"] = EmailField();
    f["s2_not_applicable"] = BoolField(nullptr);
    f["s2_date_of_breach"] = DateField(&Incident::s2_date_of_breach);
    f["s2_directorate"] = TextField(64, true, &Incident::s2_directorate);
    f["s2_service_area"] = TextField(64, true, &Incident::s2_service_area);
    f["s2_gdpr_training_last_year"] = EnumField<YesNoUnknown>(&Incident::s2_gdpr_training_last_year);
    f["s3_line_manager_name"] = line200;
    f["s3_line_manager_email"] = EmailField();
    f["s3_head_of_service_name"] = line200;
    f["s3_head_of_service_email"] = EmailField();
    f["s4_types"] = SetField<IncidentType>(&Incident::s4_types);
    f["s4_other_text"] = TextField(200, true, &Incident::s4_other_text);
    f["s4_cyber_related"] = EnumField<YesNoUnknown>(&Incident::s4_cyber_related);
    f["s5_what_happened"] = TextField(20000, false, &Incident::s5_what_happened);
    f["s5_happened_before"] = EnumOnly<YesNoUnknown>();
    f["s5_previous_details"] = TextField(4000, false);
    f["s6_data_categories"] = SetField<DataCategory>(&Incident::s6_data_categories);
    f["s6_other_text"] = line200;
    f["s7_subject_categories"] = SetField<SubjectCategory>(&Incident::s7_subject_categories);
    f["s7_other_text"] = line200;
    f["s7_individuals_affected"] = CountField(&Incident::s7_individuals_affected);
    f["s7_individuals_is_estimate"] = BoolField(nullptr);
    f["s8_potential_consequences"] = TextField(4000, false, &Incident::s8_potential_consequences);
    f["s8_actual_harm"] = text4000;
    f["s8_actual_harm_occurred"] = EnumField<YesNoUnknown>(&Incident::s8_actual_harm_occurred);
    f["s8_likelihood"] = [](const json& v, Incident&, CoreConfig&) -> std::string {
      static const char* kAllowed[] = {"VERY_LIKELY", "LIKELY", "NEUTRAL", "UNLIKELY", "VERY_UNLIKELY", "NOT_YET_KNOWN"};
      if (v.is_string()) {
        for (const char* a : kAllowed) {
          if (v == a) return "";
        }
      }
      return "must be one of VERY_LIKELY, LIKELY, NEUTRAL, UNLIKELY, VERY_UNLIKELY or NOT_YET_KNOWN";
    };
    f["s8_likelihood_justification"] = text4000;
    f["s9_measures_in_place"] = text4000;
    f["s9_actions_taken_or_proposed"] = TextField(4000, false, &Incident::s9_actions_taken_or_proposed);
    f["s9_other_actions"] = text4000;
    f["s9_further_information"] = text4000;
    f["form_completed_at"] = InstantField(&Incident::form_completed_at);
    // §1.4 office use.
    f["office_logged"] = EnumOnly<YesNo>();
    f["office_staff_letter_sent"] = EnumOnly<YesNo>();
    f["office_ico_reporting_needed"] = EnumOnly<YesNo>();
    f["office_date_discussed_with_dpo"] = DateField();
    f["office_date_reported_to_ico"] = DateField();
    f["office_dpo_recommendation"] = text4000;
    f["office_next_steps"] = text4000;
    // §1.6 IG assessment.
    f["root_cause"] = EnumField<RootCause>(&Incident::root_cause);
    f["actor_type"] = EnumOnly<ActorType>();
    f["behaviour"] = EnumOnly<Behaviour>();
    f["disclosure_channel"] = EnumField<Channel>(&Incident::disclosure_channel);
    f["cia_categories"] = CiaField();
    f["sf_vulnerable_children"] = BoolField(&Incident::sf_vulnerable_children);
    f["sf_vulnerable_adults"] = BoolField(&Incident::sf_vulnerable_adults);
    f["sf_equality_act_characteristic"] = BoolField(&Incident::sf_equality_act_characteristic);
    f["unintelligible_applies"] = BoolField(&Incident::unintelligible_applies);
    f["key_compromised"] = EnumField<YesNoUnknown>(&Incident::key_compromised);
    f["containment"] = SetField<Containment>(&Incident::containment);
    f["records_affected"] = CountField(&Incident::records_affected);
    f["records_is_estimate"] = BoolField(nullptr);
    f["ict_asset_involved"] = EnumField<YesNoUnknown>(&Incident::ict_asset_involved);
    f["media_interest"] = EnumField<YesNoUnknown>(&Incident::media_interest);
    f["potential_litigation"] = EnumOnly<YesNoUnknown>();
    f["nhs_likelihood"] = ScaleField(&Incident::nhs_likelihood);
    f["nhs_impact"] = ScaleField(&Incident::nhs_impact);
    f["nhs_rationale"] = text4000;
    f["enisa_dpc_rows"] = DpcRowsField();
    f["enisa_ei"] = EiField();
    f["enisa_cb_confidentiality"] = EnumField<CbConfidentiality>(&Incident::enisa_cb_confidentiality);
    f["enisa_cb_integrity"] = EnumField<CbIntegrity>(&Incident::enisa_cb_integrity);
    f["enisa_cb_availability"] = EnumField<CbAvailability>(&Incident::enisa_cb_availability);
    f["enisa_cb_malicious"] = MaliciousField();
    f["enisa_rationale"] = text4000;
    f["aware_at"] = InstantField(&Incident::aware_at);
    f["dpo_ico_decision"] = EnumOnly<IcoDecision>();
    f["dpo_ico_rationale"] = text4000;
    f["ico_submissions"] = SubmissionsField();
    f["ico_outcome"] = EnumField<IcoOutcome>(&Incident::ico_outcome);
    f["dpo_individuals_decision"] = EnumField<IndividualsDecision>(&Incident::dpo_individuals_decision);
    f["dpo_individuals_decided_at"] = InstantField(&Incident::dpo_individuals_decided_at);
    f["dpo_individuals_decided_by"] = UserRefField();
    f["dpo_ico_decided_at"] = InstantField(nullptr);
    f["dpo_ico_decided_by"] = UserRefField();
    f["dpo_individuals_rationale"] = text4000;
    f["ico_required_communication"] = BoolField(&Incident::ico_required_communication);
    f["exception_b_confirmed"] = BoolField(&Incident::exception_b_confirmed);
    f["exception_c_confirmed"] = BoolField(&Incident::exception_c_confirmed);
    f["individuals_communicated_at"] = InstantField(&Incident::individuals_communicated_at);
    f["escalations"] = EscalationsField();
    f["exception_b_reason"] = TextField(2000, false);
    f["exception_c_reason"] = TextField(2000, false);
    // §5.4: non-statutory considerations for the individuals decision, each with a note.
    for (const char* c : {"consider_capacity_third_party", "consider_child_recipient", "consider_undue_stress"}) {
      f[c] = BoolField(nullptr);
      f[std::string(c) + "_note"] = TextField(2000, false);
    }
    f["unintelligible_measure"] = [](const json& v, Incident&, CoreConfig&) -> std::string {
      static const char* kAllowed[] = {"NONE", "CONTENT_ENCRYPTION", "PASSWORD_PROTECTED_FILE", "DEVICE_ENCRYPTION", "OTHER"};
      for (const char* a : kAllowed) {
        if (v.is_string() && v == a) return "";
      }
      return "must be one of NONE, CONTENT_ENCRYPTION, PASSWORD_PROTECTED_FILE, DEVICE_ENCRYPTION or OTHER";
    };
    // Extension: what the council learned, for the governance group (the procedure's last stage).
    f["lessons_learned"] = TextField(4000, false);
    // Extensions for what the IG team sends out (letters.h, ico_report.h).
    f["letter_draft"] = [](const json& v, Incident&, CoreConfig&) { return CheckLetterDraft(v); };
    f["letters_sent"] = [](const json& v, Incident&, CoreConfig&) { return CheckLettersSent(v); };
    f["cross_border"] = EnumOnly<YesNoUnknown>();  // people affected in other countries (the ICO asks)
    f["cross_border_details"] = TextField(2000, false);
    f["other_regulators_informed"] = TextField(2000, false);  // police, NCSC, Ofsted, CQC, ...
    // §1.7 mail-filter fields (read-only once filed; their structure is checked by the filer).
    f["mf_action"] = EnumField<MailFilterAction>(&Incident::mf_action);
    f["mf_event_id"] = TextField(128, true);
    f["mf_message_id_hash"] = TextField(64, true);
    f["mf_sender"] = EmailField();
    f["mf_event_at"] = InstantField(nullptr);
    f["mf_attachment_count"] = CountField(nullptr);
    f["mf_estimated_individuals"] = CountField(&Incident::mf_estimated_individuals);
    f["mf_rule_hits"] = ListOrObject(true);
    f["mf_identifier_counts"] = [](const json& v, Incident& in, CoreConfig&) -> std::string {
      if (!v.is_object()) return "must be an object of IdentifierType -> {distinct, occurrences}";
      for (const auto& [type, counts] : v.items()) {
        if (!counts.is_object() || !counts.contains("distinct") || !counts["distinct"].is_number_integer() ||
            counts["distinct"].get<long long>() < 0) {
          return type + ": needs a whole-number distinct count";
        }
        in.mf_identifier_distinct[type] = counts["distinct"].get<uint64_t>();
      }
      return "";
    };
    f["mf_redacted_evidence"] = ListOrObject(true);
    f["mf_recipients"] = [](const json& v, Incident& in, CoreConfig&) -> std::string {
      if (!v.is_array()) return "must be a list of {domain, field, count, classification}";
      for (const auto& r : v) {
        if (!r.is_object() || !r.contains("classification") || !r["classification"].is_string()) {
          return "each recipient entry needs a classification";
        }
        in.mf_recipient_classes.push_back(r["classification"].get<std::string>());
      }
      return "";
    };
    f["mf_signals"] = ListOrObject(true);  // extension: the misdirection signals, with domains only
    f["mf_warning"] = ListOrObject(false);  // extension: how a warning ended (mode, outcome, justification)
    f["mf_distribution_list_used"] = BoolField(&Incident::mf_distribution_list_used);
    f["mf_data_categories"] = SetField<DataCategory>(&Incident::mf_data_categories);        // extension
    f["mf_subject_categories"] = SetField<SubjectCategory>(&Incident::mf_subject_categories);  // extension
    f["mf_content_protection"] = [](const json& v, Incident& in, CoreConfig&) -> std::string {
      if (v.is_string()) in.mf_content_protection = v.get<std::string>();
      static const char* kAllowed[] = {"NONE", "PASSWORD_PROTECTED_FILE", "S_MIME", "PLATFORM_MESSAGE_ENCRYPTION", "OTHER", "UNKNOWN"};
      if (v.is_string()) {
        for (const char* a : kAllowed) {
          if (v == a) return "";
        }
      }
      return "must be one of NONE, PASSWORD_PROTECTED_FILE, S_MIME, PLATFORM_MESSAGE_ENCRYPTION, OTHER or UNKNOWN";
    };
    // §0.6 configuration, for what-if documents.
    f["primary_method"] = [](const json& v, Incident&, CoreConfig& c) -> std::string {
      return ReadEnum(v, &c.primary_method);
    };
    f["volume_additions_enabled"] = ConfigBool(&CoreConfig::volume_additions_enabled);
    f["dspt_participant"] = ConfigBool(&CoreConfig::dspt_participant);
    f["autofile_near_miss_on_block"] = ConfigBool(&CoreConfig::autofile_near_miss_on_block);
    f["triage_window_hours"] = ConfigHours(&CoreConfig::triage_window_hours);
    f["ico_due_soon_hours"] = ConfigHours(&CoreConfig::ico_due_soon_hours);
    f["form_due_soon_hours"] = ConfigHours(&CoreConfig::form_due_soon_hours);
    return f;
  }();
  return fields;
}

json Opt(const std::optional<Instant>& t) { return t ? json(FormatInstant(*t)) : json(nullptr); }

json ClockJson(const Clock& c) {
  json j{{"state", Name(c.state)}, {"start", Opt(c.start)}, {"due", Opt(c.due)}};
  if (c.due) j["due_local"] = FormatLondon(*c.due);
  if (c.stopped_at) j["stopped_at"] = FormatInstant(*c.stopped_at);
  if (c.minutes_remaining > 0) j["minutes_remaining"] = c.minutes_remaining;
  if (c.minutes_overdue > 0) j["minutes_overdue"] = c.minutes_overdue;
  if (c.name == "INDIVIDUALS" && c.start) j["minutes_elapsed"] = c.minutes_elapsed;
  return j;
}

json Quarters(int q) { return json(q / 4.0); }

}  // namespace

bool IsKnownField(const std::string& name) { return Fields().count(name) != 0; }

std::vector<FieldError> ReadIncidentDocument(const json& doc, Incident* incident, CoreConfig* config) {
  std::vector<FieldError> errors;
  if (!doc.is_object()) return {{"", "the incident must be a JSON object of spec field names"}};
  const auto& fields = Fields();
  for (const auto& [key, value] : doc.items()) {
    auto it = fields.find(key);
    if (it == fields.end()) {
      errors.push_back({key, "unknown field"});
      continue;
    }
    if (value.is_null()) continue;  // absent
    std::string reason = it->second(value, *incident, *config);
    if (!reason.empty()) errors.push_back({key, reason});
  }
  return errors;
}

json DerivedToJson(const Derived& d) {
  json out;
  out["sensitivity_factor"] = {{"present", d.sensitivity_factor.present}, {"triggers", d.sensitivity_factor.triggers}};
  if (d.nhs_result) {
    const auto& n = *d.nhs_result;
    out["nhs_result"] = {{"L_eff", n.l_eff},
                         {"I_eff", n.i_eff},
                         {"score", n.score},
                         {"region", Name(n.region)},
                         {"ico_reportable", n.ico_reportable},
                         {"dhsc_flag", n.dhsc_flag},
                         {"siro_flag", n.siro_flag},
                         {"floors_applied", n.floors_applied},
                         {"recommendation", Name(*d.nhs_recommendation)}};
  } else {
    out["nhs_result"] = nullptr;
  }
  if (d.enisa_result) {
    const auto& e = *d.enisa_result;
    json j{{"dpc", e.dpc},
           {"ei", Name(e.ei)},
           {"ei_value", Quarters(QuarterValue(e.ei))},
           {"ei_prefilled", e.ei_prefilled},
           {"cb", Quarters(e.cb_q)},
           {"se_q", e.se_q},
           {"se", Quarters(e.se_q)},
           {"se_band", Name(e.se_band)},
           {"volume_addition", e.volume_addition ? json(*e.volume_addition) : json(nullptr)},
           {"total_q", e.total_q ? json(*e.total_q) : json(nullptr)},
           {"total", e.total_q ? Quarters(*e.total_q) : json(nullptr)},
           {"total_band", e.total_band ? json(Name(*e.total_band)) : json(nullptr)},
           {"recommendation", Name(e.recommendation)},
           {"flags", e.flags}};
    out["enisa_result"] = j;
  } else {
    out["enisa_result"] = nullptr;
  }
  if (!d.suggested_enisa_dpc_rows.empty()) {
    json rows = json::array();
    for (const auto& r : d.suggested_enisa_dpc_rows) rows.push_back({{"category", Name(r.category)}, {"adjustment", 0}});
    out["suggested_enisa_dpc_rows"] = rows;
  }
  out["containment_exemption_candidate"] = d.containment_exemption_candidate;
  out["headline_recommendation"] = d.headline_recommendation ? json(Name(*d.headline_recommendation)) : json(nullptr);
  out["methods_disagree"] = d.methods_disagree;
  out["clocks"] = {{"aware_at", Opt(d.clocks.aware_at)},
                   {"FORM_24H", ClockJson(d.clocks.form)},
                   {"ICO_72H", ClockJson(d.clocks.ico)},
                   {"TRIAGE", ClockJson(d.clocks.triage)},
                   {"INDIVIDUALS", ClockJson(d.clocks.individuals)}};
  out["ico_package_missing"] = d.ico_package_missing;
  out["high_risk_indicator"] = d.high_risk_indicator ? json(Name(*d.high_risk_indicator)) : json(nullptr);
  out["individuals_recommendation"] =
      d.individuals_recommendation ? json(Name(*d.individuals_recommendation)) : json(nullptr);
  const auto& e = d.escalation_suggestions;
  out["escalation_suggestions"] = {{"siro_flag", e.siro_flag ? json(*e.siro_flag) : json(nullptr)},
                                   {"dhsc_flag", e.dhsc_flag ? json(*e.dhsc_flag) : json(nullptr)},
                                   {"caldicott_flag", e.caldicott_flag},
                                   {"comms_flag", e.comms_flag},
                                   {"ict_flag", e.ict_flag}};
  out["warnings"] = d.warnings;
  if (d.suggestions) out["suggestions"] = SuggestionsToJson(*d.suggestions);
  return out;
}

std::string Readable(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i] == '_' ? ' ' : name[i];
    out.push_back(i == 0 ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace sendguard::incident
