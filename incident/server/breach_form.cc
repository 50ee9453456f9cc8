// SPDX-License-Identifier: Apache-2.0
// The breach form and the ENISA calculator as HTML forms (see breach_form.h).
#include "breach_form.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "html_page.h"
#include "sendguard/common/http_client.h"
#include "sendguard/incident/enums.h"
#include "sendguard/incident/london_time.h"

namespace sendguard::incident {

using json = nlohmann::json;

namespace {

template <typename E>
std::vector<std::string_view> Options() {
  const auto& names = EnumNames<E>::kNames;
  return {names.begin(), names.end()};
}

const std::vector<std::string_view> kLikelihood = {"VERY_LIKELY", "LIKELY",        "NEUTRAL",
                                                   "UNLIKELY",    "VERY_UNLIKELY", "NOT_YET_KNOWN"};

std::string FieldText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

std::string Id(const FormSection& s, const FormField& f) { return std::string(s.id) + "-" + std::string(f.name); }

std::string Select(const std::string& id, std::string_view name, const std::vector<std::string_view>& options,
                   const std::string& chosen, std::string_view blank = "not set") {
  std::string html = "<select id=\"" + id + "\" name=\"" + std::string(name) + "\"><option value=\"\">" +
                     std::string(blank) + "</option>";
  for (auto o : options) {
    html += "<option value=\"" + std::string(o) + "\"" + (chosen == o ? " selected" : "") + ">" + HtmlEscape(Readable(o)) +
            "</option>";
  }
  return html + "</select>";
}

// The stored value of a field ("a.b": key b of object a).
json StoredValue(const json& incident, std::string_view name) {
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return incident.contains(name) ? incident[std::string(name)] : json();
  const json outer = incident.value(std::string(name.substr(0, dot)), json::object());
  return outer.is_object() ? outer.value(std::string(name.substr(dot + 1)), json()) : json();
}

// A value as the form shows it: an instant in London wall-clock time.
std::string Shown(const FormField& f, const json& value) {
  if (f.kind == FormFieldKind::kInstant && value.is_string()) {
    auto t = ParseInstant(value.get<std::string>());
    if (t.ok()) return FormatLocalDateTime(*t);
  }
  if (value.is_array()) {
    std::string out;
    for (const auto& v : value) out += (out.empty() ? "" : ", ") + Readable(FieldText(v));
    return out;
  }
  if (value.is_string() && (f.kind == FormFieldKind::kChoice)) return Readable(value.get<std::string>());
  return FieldText(value);
}

std::string FieldHtml(const FormSection& s, const FormField& f, const json& incident) {
  const std::string id = Id(s, f);
  const std::string name(f.name);
  json value = StoredValue(incident, f.name);
  if (f.kind == FormFieldKind::kInstant) value = Shown(f, value);
  const std::string label = "<label for=\"" + id + "\">" + HtmlEscape(std::string(f.label)) + "</label>";
  auto input = [&](const char* type) {
    return label + "<input type=\"" + type + "\" id=\"" + id + "\" name=\"" + name + "\" value=\"" + HtmlEscape(FieldText(value)) + "\">";
  };
  switch (f.kind) {
    case FormFieldKind::kShown:
      return "<span class=\"label\">" + HtmlEscape(std::string(f.label)) + "</span> <strong id=\"" + id + "\">" +
             HtmlEscape(value.is_null() ? std::string("-") : FieldText(value)) + "</strong>";
    case FormFieldKind::kLine: return input("text");
    case FormFieldKind::kEmail: return input("email");
    case FormFieldKind::kDate: return input("date");
    case FormFieldKind::kLocalDateTime:
    case FormFieldKind::kInstant: return input("datetime-local");
    case FormFieldKind::kCount:
      return label + "<input type=\"number\" min=\"0\" step=\"1\" id=\"" + id + "\" name=\"" + name + "\" value=\"" +
             HtmlEscape(FieldText(value)) + "\">";
    case FormFieldKind::kText:
      return label + "<textarea id=\"" + id + "\" name=\"" + name + "\">" + HtmlEscape(FieldText(value)) + "</textarea>";
    case FormFieldKind::kBool:
      return label + Select(id, f.name, {"true", "false"}, value.is_boolean() ? (value.get<bool>() ? "true" : "false") : "");
    case FormFieldKind::kChoice: return label + Select(id, f.name, f.options, FieldText(value));
    case FormFieldKind::kTicks: {
      std::string html = "<fieldset class=\"ticks\" id=\"" + id + "\"><legend>" + HtmlEscape(std::string(f.label)) + "</legend>";
      for (auto o : f.options) {
        bool ticked = false;
        if (value.is_array()) {
          for (const auto& v : value) ticked = ticked || (v.is_string() && v.get<std::string>() == o);
        }
        html += "<label><input type=\"checkbox\" name=\"" + name + "\" value=\"" + std::string(o) + "\"" +
                (ticked ? " checked" : "") + "> " + HtmlEscape(Readable(o)) + "</label>";
      }
      return html + "</fieldset>";
    }
  }
  return "";
}

std::string Form(const std::string& id, const std::string& action, const std::string& csrf, const std::string& inner,
                 const std::string& button) {
  return "<form method=\"post\" action=\"" + HtmlEscape(action) + "\" id=\"" + id + "\" class=\"form-section\">" +
         HiddenInput("csrf", csrf) + inner + "<button type=\"submit\" class=\"secondary\" id=\"" + id + "-save\">" + button +
         "</button></form>";
}

json FieldValue(const FormField& f, const std::vector<std::pair<std::string, std::string>>& form) {
  if (f.kind == FormFieldKind::kTicks) {
    json ticks = json::array();
    for (const auto& [k, v] : form) {
      if (k == f.name && !v.empty()) ticks.push_back(v);
    }
    return ticks.empty() ? json() : ticks;
  }
  const std::string v = common::FormValue(form, std::string(f.name));
  if (v.empty()) return json();
  if (f.kind == FormFieldKind::kBool) return v == "true";
  if (f.kind == FormFieldKind::kInstant) {
    auto local = ParseLocalDateTime(v);
    return local.ok() ? json(FormatInstant(ToInstant(*local))) : json(v);  // not a time: the API says why
  }
  if (f.kind == FormFieldKind::kCount && v.find_first_not_of("0123456789") == std::string::npos && v.size() < 18) {
    return std::stoll(v);
  }
  return v;
}

}  // namespace

const std::vector<FormSection>& BreachFormSections() {
  using K = FormFieldKind;
  static const std::vector<FormSection> sections = {
      {"s1", "Section 1: Who is reporting the breach?",
       {{"s1_name", "Name", K::kLine},
        {"s1_email", "Email address", K::kEmail},
        {"s1_aware_local", "When did you become aware of the data breach?", K::kLocalDateTime},
        {"s1_how_found_out", "How did you find out about the breach?", K::kText}}},
      {"s2", "Section 2: Who performed the breach",
       {{"s2_name", "Name", K::kLine},
        {"s2_email", "Email address", K::kEmail},
        {"s2_not_applicable", "Not applicable (an outside attacker or unknown actor)", K::kBool},
        {"s2_date_of_breach", "Date of breach", K::kDate},
        {"s2_directorate", "Directorate", K::kLine},
        {"s2_service_area", "Service Area", K::kLine},
        {"s2_gdpr_training_last_year", "Have they completed their GDPR training within the last year?", K::kChoice,
         Options<YesNoUnknown>()}}},
      {"s3", "Section 3: Line Manager and Head of Service details",
       {{"s3_line_manager_name", "Name of line manager (if not same person as section 1)", K::kLine},
        {"s3_line_manager_email", "Line manager's email address", K::kEmail},
        {"s3_head_of_service_name", "Name of Head of Service", K::kLine},
        {"s3_head_of_service_email", "Head of Service's email address", K::kEmail}}},
      {"s4", "Section 4: What type of incident was it?",
       {{"s4_types", "Tick all that apply", K::kTicks, Options<IncidentType>()},
        {"s4_other_text", "Other, give one line indication", K::kLine},
        {"s4_cyber_related", "Was the breach related to a cyber incident?", K::kChoice, Options<YesNoUnknown>()}}},
      {"s5", "Section 5: What has happened?",
       {{"s5_what_happened", "What happened, what went wrong and how (no personal data or acronyms)", K::kText},
        {"s5_happened_before", "Has this type of incident happened before?", K::kChoice, Options<YesNoUnknown>()},
        {"s5_previous_details", "If yes, please give details", K::kText}}},
      {"s6", "Section 6: What data was included in the breach?",
       {{"s6_data_categories", "Tick all that apply", K::kTicks, Options<DataCategory>()},
        {"s6_other_text", "Other (please provide details)", K::kLine}}},
      {"s7", "Section 7: Who has been affected?",
       {{"s7_subject_categories", "Tick all that apply", K::kTicks, Options<SubjectCategory>()},
        {"s7_other_text", "Other (please specify)", K::kLine},
        {"s7_individuals_affected", "How many individuals have been affected?", K::kCount},
        {"s7_individuals_is_estimate", "The number is an estimate", K::kBool}}},
      {"s8", "Section 8: Potential consequences",
       {{"s8_potential_consequences", "What are the potential consequences of the breach?", K::kText},
        {"s8_actual_harm", "Please state if there has been any actual harm to individual(s)", K::kText},
        {"s8_actual_harm_occurred", "Has actual harm occurred?", K::kChoice, Options<YesNoUnknown>()},
        {"s8_likelihood", "What is the likelihood that individuals will experience significant consequences?", K::kChoice,
         kLikelihood},
        {"s8_likelihood_justification", "Explanation / justification for the likelihood chosen", K::kText}}},
      {"s9", "Section 9: Measures in place",
       {{"s9_measures_in_place", "Measures currently in place to prevent this type of breach", K::kText},
        {"s9_actions_taken_or_proposed", "Actions taken, or proposed, as a result of the breach", K::kText},
        {"s9_other_actions", "Any other actions taken?", K::kText},
        {"s9_further_information", "Any further information we should know", K::kText}}},
      {"office", "Office action only",
       {{"office_logged", "Has the data breach been logged? (YES once it has an incident number)", K::kShown},
        {"office_staff_letter_sent", "Has a letter been sent to the member of staff?", K::kChoice, Options<YesNo>()},
        {"office_date_discussed_with_dpo", "Date discussed with DPO", K::kDate},
        {"office_dpo_recommendation", "DPO recommendation", K::kText},
        {"office_next_steps", "Next steps", K::kText}}},
      // §1.6: what the IG team decides; the status rules ask for these before a case moves on.
      {"ig", "IG assessment (the IG team)",
       {{"kind", "Is it a breach? (kind)", K::kChoice, Options<IncidentKind>()},
        {"incident_number", "Incident number", K::kLine},
        {"root_cause", "Root cause", K::kChoice, Options<RootCause>()},
        {"cia_categories", "Which was lost: confidentiality, integrity, availability?", K::kTicks,
         {"CONFIDENTIALITY", "INTEGRITY", "AVAILABILITY"}},
        {"disclosure_channel", "How was it disclosed?", K::kChoice, Options<Channel>()},
        {"actor_type", "Who was involved?", K::kChoice, Options<ActorType>()},
        {"behaviour", "Behaviour", K::kChoice, Options<Behaviour>()},
        {"not_breach_reason", "If not a breach, why?", K::kChoice,
         {"FALSE_POSITIVE_LEGITIMATE", "NO_PERSONAL_DATA", "DUPLICATE", "OTHER"}},
        {"duplicate_of", "Duplicate of (incident id)", K::kLine}}},
  };
  return sections;
}

const std::vector<FormSection>& CaseworkSections() {
  using K = FormFieldKind;
  static const std::vector<FormSection> sections = {
      {"officer", "Investigating officer (the line manager of whoever made the mistake)",
       {{"investigating_officer.name", "Name", K::kLine},
        {"investigating_officer.id", "Email address (they sign in with it, by the link they are sent)", K::kLine}}},
      {"containment", "Containment",
       {{"containment", "What has been done to contain it? Tick all that apply", K::kTicks, Options<Containment>()},
        {"records_affected", "How many records were affected?", K::kCount},
        {"records_is_estimate", "The number of records is an estimate", K::kBool},
        {"unintelligible_applies", "Was the data unintelligible to whoever got it (encrypted, protected)?", K::kBool},
        {"unintelligible_measure", "How was it protected?", K::kChoice,
         {"NONE", "CONTENT_ENCRYPTION", "PASSWORD_PROTECTED_FILE", "DEVICE_ENCRYPTION", "OTHER"}},
        {"key_compromised", "Was the key or password compromised too?", K::kChoice, Options<YesNoUnknown>()}}},
      {"circumstances", "Circumstances (sensitivity, ICT, media, a processor, the clock)",
       {{"sf_vulnerable_children", "Vulnerable children are affected", K::kBool},
        {"sf_vulnerable_adults", "Vulnerable adults are affected", K::kBool},
        {"sf_equality_act_characteristic", "It reveals an Equality Act protected characteristic", K::kBool},
        {"ict_asset_involved", "Was an ICT asset (a system, a device) involved?", K::kChoice, Options<YesNoUnknown>()},
        {"media_interest", "Is there, or could there be, media interest?", K::kChoice, Options<YesNoUnknown>()},
        {"potential_litigation", "Could it lead to legal action?", K::kChoice, Options<YesNoUnknown>()},
        {"processor_name", "If a processor (a supplier) had the breach, who", K::kLine},
        {"processor_notified_council_at", "When the processor told the council", K::kInstant},
        {"aware_at", "When the council became aware (starts the 72 hours; a change needs a reason below)", K::kInstant}}},
      {"escalations", "Who has been told (escalations)",
       {{"escalations.siro_informed_at", "The SIRO was told at", K::kInstant},
        {"escalations.caldicott_informed_at", "The Caldicott Guardian was told at", K::kInstant},
        {"escalations.comms_team_informed_at", "The communications team was told at", K::kInstant},
        {"escalations.ict_informed_at", "ICT was told at", K::kInstant},
        {"escalations.dhsc_notified_at", "DHSC was notified at", K::kInstant}}},
      {"individuals", "Telling the people affected (the DPO decides)",
       {{"dpo_individuals_decision", "Decision", K::kChoice, Options<IndividualsDecision>()},
        {"dpo_individuals_rationale", "Rationale", K::kText},
        {"exception_b_confirmed", "Exception (b): measures taken since mean the high risk is no longer likely", K::kBool},
        {"exception_b_reason", "Why (b) applies", K::kText},
        {"exception_c_confirmed", "Exception (c): telling each person would take disproportionate effort", K::kBool},
        {"exception_c_reason", "Why (c) applies", K::kText},
        {"consider_capacity_third_party", "Considered: does someone lack capacity, so a third party should be told?", K::kBool},
        {"consider_capacity_third_party_note", "Note", K::kText},
        {"consider_child_recipient", "Considered: is the person a child?", K::kBool},
        {"consider_child_recipient_note", "Note", K::kText},
        {"consider_undue_stress", "Considered: would telling them cause undue stress?", K::kBool},
        {"consider_undue_stress_note", "Note", K::kText}}},
      {"told", "The people affected were told",
       {{"individuals_communicated_at", "They were told at", K::kInstant},
        {"ico_required_communication", "The ICO required us to tell them", K::kBool}}},
      {"ico-outcome", "The ICO's outcome",
       {{"ico_outcome", "Outcome", K::kChoice, Options<IcoOutcome>()}}},
      {"lessons", "Lessons learned (for the governance group)",
       {{"lessons_learned", "What the council has learned", K::kText}}},
  };
  return sections;
}

const FormSection& NewIncidentFields() {
  using K = FormFieldKind;
  static const FormSection fields = {
      "new",
      "A new incident",
      {{"title", "A short title (no names or identifiers)", K::kLine},
       {"kind", "Is it a breach? (kind; leave it undetermined until triage)", K::kChoice, Options<IncidentKind>()},
       {"s4_types", "What type of incident was it? Tick all that apply", K::kTicks, Options<IncidentType>()},
       {"disclosure_channel", "How was it disclosed?", K::kChoice, Options<Channel>()},
       {"s1_aware_local", "When did the council become aware of it?", K::kLocalDateTime},
       {"s5_what_happened", "What has happened?", K::kText}}};
  return fields;
}

std::string RenderNewIncidentForm(const json& typed, const std::string& csrf) {
  const FormSection& s = NewIncidentFields();
  std::string inner;
  for (const auto& f : s.fields) inner += "<div class=\"field\">" + FieldHtml(s, f, typed) + "</div>";
  return Form("form-new", "/incidents/new", csrf, inner, "File the incident");
}

const FormSection& EnisaInputs() {
  using K = FormFieldKind;
  static const FormSection inputs = {
      "enisa",
      "ENISA severity",
      {{"enisa_ei", "Ease of identification (EI)", K::kChoice, Options<EiLevel>()},
       {"enisa_cb_confidentiality", "Loss of confidentiality (CB)", K::kChoice, Options<CbConfidentiality>()},
       {"enisa_cb_integrity", "Loss of integrity (CB)", K::kChoice, Options<CbIntegrity>()},
       {"enisa_cb_availability", "Loss of availability (CB)", K::kChoice, Options<CbAvailability>()},
       {"enisa_cb_malicious", "Malicious intent (adds 0.5)", K::kBool},
       {"enisa_rationale", "Rationale", K::kText}}};
  return inputs;
}

std::string FieldsInWords(const std::string& reason) {
  // Field name -> the form's words, longest names first so a name inside another is not split.
  static const std::vector<std::pair<std::string, std::string>> kLabels = [] {
    std::map<std::string, std::string> m = {
        {"investigating_officer", "the investigating officer"}, {"nhs_likelihood", "the NHS grid's likelihood"},
        {"nhs_impact", "the NHS grid's impact"}, {"nhs_rationale", "the NHS grid's rationale"},
        {"dpo_ico_decision", "the DPO's ICO decision"}, {"dpo_ico_rationale", "the DPO's rationale"},
        {"ico_submissions", "a report to the ICO"}, {"action_plan", "the action plan"}, {"aware_at", "when the council became aware"},
        {"enisa_dpc_rows", "an ENISA data processing context row"}, {"not_breach_reason", "why it is not a breach"}};
    for (const auto* list : {&BreachFormSections(), &CaseworkSections()}) {
      for (const auto& section : *list) {
        for (const auto& f : section.fields) {
          std::string name(f.name);
          if (name.find('.') != std::string::npos) continue;
          m.emplace(name, "\"" + std::string(f.label) + "\" (" + std::string(section.title.substr(0, section.title.find(':'))) + ")");
        }
      }
    }
    std::vector<std::pair<std::string, std::string>> out(m.begin(), m.end());
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return out;
  }();
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string text = reason;
  // "guard 4: " says which rule; the words after it say what is missing.
  if (text.rfind("guard ", 0) == 0 && text.find(": ") != std::string::npos) text = text.substr(text.find(": ") + 2);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool replaced = false;
    if (!ident(text[i]) || i == 0 || !ident(text[i - 1])) {
      for (const auto& [name, words] : kLabels) {
        if (text.compare(i, name.size(), name) == 0 && (i + name.size() == text.size() || !ident(text[i + name.size()]))) {
          out += words;
          i += name.size();
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += text[i++];
  }
  return out;
}

const FormSection* FindFormSection(std::string_view id) {
  for (const auto* list : {&BreachFormSections(), &CaseworkSections()}) {
    for (const auto& s : *list) {
      if (s.id == id) return &s;
    }
  }
  return nullptr;
}

std::string RenderFormSection(const FormSection& section, const json& incident, const std::string& action,
                              const std::string& csrf, bool editable, const json& suggestions) {
  std::string inner;
  const std::string accept = action.substr(0, action.rfind("/section/")) + "/accept";
  for (const auto& f : section.fields) {
    inner += "<div class=\"field\">" + FieldHtml(section, f, incident);
    const std::string name(f.name);
    const json suggested = suggestions.contains(name) ? suggestions[name] : json();
    const bool says_something = !suggested.is_null() && !(suggested.is_array() && suggested.empty()) &&
                                !(suggested.is_boolean() && !suggested.get<bool>());
    if (editable && says_something && suggested != StoredValue(incident, f.name)) {
      inner += "<p class=\"suggestion\" id=\"suggest-" + Id(section, f) + "\">Suggested: <strong>" +
               HtmlEscape(Shown(f, suggestions[name])) + "</strong> <button type=\"submit\" class=\"link\" formaction=\"" +
               HtmlEscape(accept) + "\" name=\"accept\" value=\"" + HtmlEscape(name) + "\" id=\"accept-" + Id(section, f) +
               "\">Use this</button></p>";
    }
    inner += "</div>";
  }
  if (!editable) {
    return "<details class=\"section\"><summary>" + HtmlEscape(std::string(section.title)) + "</summary><form class=\"form-section\" "
           "id=\"form-" + std::string(section.id) + "\"><fieldset disabled>" + inner + "</fieldset></form></details>\n";
  }
  // Some changes need a reason in the audit trail (moving the time the council became aware).
  const std::string reason_id = std::string(section.id) + "-reason";
  inner += "<div class=\"field\"><label for=\"" + reason_id + "\">Reason for the change (needed to correct when the council "
           "became aware)</label> <input type=\"text\" name=\"reason\" id=\"" + reason_id + "\" maxlength=\"500\"></div>";
  return "<details class=\"section\"><summary>" + HtmlEscape(std::string(section.title)) + "</summary>" +
         Form("form-" + std::string(section.id), action, csrf, inner, "Save this section") + "</details>\n";
}

json SectionPatch(const FormSection& section, const std::vector<std::pair<std::string, std::string>>& form) {
  json set = json::object();
  for (const auto& f : section.fields) {
    if (f.kind == FormFieldKind::kShown) continue;
    const size_t dot = f.name.find('.');
    if (dot == std::string_view::npos) {
      set[std::string(f.name)] = FieldValue(f, form);
      continue;
    }
    // A key of an object field: the object holds the keys given; none given unsets it.
    json& outer = set[std::string(f.name.substr(0, dot))];
    json v = FieldValue(f, form);
    if (!v.is_null()) outer[std::string(f.name.substr(dot + 1))] = v;
  }
  return set;
}

std::string RenderEnisaCalculator(const json& incident, const json& derived, const std::string& action, const std::string& csrf) {
  std::string html = "<h2>ENISA severity</h2>\n<p id=\"enisa-result\">";
  const json r = derived.value("enisa_result", json());
  if (r.is_object()) {
    html += "SE = DPC x EI + CB = " + FieldText(r["dpc"]) + " x " + FieldText(r["ei_value"]) + " + " + FieldText(r["cb"]) + " = <strong id=\"enisa-se\">" +
            FieldText(r["se"]) + "</strong>, <strong id=\"enisa-band\">" + HtmlEscape(Readable(FieldText(r["se_band"]))) + "</strong>";
    if (!r["total"].is_null()) {
      html += "; with the volume addition (" + FieldText(r["volume_addition"]) + ") <strong id=\"enisa-total\">" + FieldText(r["total"]) +
              "</strong>, " + HtmlEscape(Readable(FieldText(r["total_band"])));
    }
    if (r.value("ei_prefilled", false)) html += " (EI pre-filled: confirm it)";
    html += ". Recommendation: " + HtmlEscape(Readable(FieldText(r["recommendation"])));
  } else {
    std::string missing;
    auto need = [&](const char* field, const char* what) {
      if (!incident.contains(field) || incident[field].is_null()) missing += std::string(missing.empty() ? "" : ", ") + what;
    };
    need("enisa_dpc_rows", "a data processing context row");
    need("enisa_ei", "ease of identification");
    need("enisa_cb_confidentiality", "confidentiality");
    need("enisa_cb_integrity", "integrity");
    need("enisa_cb_availability", "availability");
    need("enisa_cb_malicious", "malicious intent");
    html += "Not computed yet: it needs " + HtmlEscape(missing) + ".";
  }
  html += "</p>\n";
  // DPC rows: the stored ones (or the scan's suggestion), and one blank row to add.
  json rows = incident.value("enisa_dpc_rows", json::array());
  if (rows.empty()) rows = derived.value("suggested_enisa_dpc_rows", json::array());
  rows.push_back(json::object());
  std::string inner = "<table class=\"dpc\"><caption>Data processing context (DPC): one row per category</caption>"
                      "<tr><th>Category</th><th>Adjustment</th><th>Reason (required for an adjustment)</th></tr>";
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::string n = std::to_string(i);
    const json& row = rows[i];
    inner += "<tr><td>" + Select("dpc-category-" + n, "dpc_category", Options<EnisaCategory>(), row.value("category", ""), "none") +
             "</td><td><select id=\"dpc-adjustment-" + n + "\" name=\"dpc_adjustment\">";
    const int adj = row.value("adjustment", 0);
    for (int a = -3; a <= 2; ++a) {
      inner += "<option value=\"" + std::to_string(a) + "\"" + (a == adj ? " selected" : "") + ">" + (a > 0 ? "+" : "") +
               std::to_string(a) + "</option>";
    }
    inner += "</select></td><td><input type=\"text\" id=\"dpc-reason-" + n + "\" name=\"dpc_reason\" value=\"" +
             HtmlEscape(row.value("reason", "")) + "\"></td></tr>";
  }
  inner += "</table>";
  const FormSection& s = EnisaInputs();
  for (const auto& f : s.fields) inner += "<div class=\"field\">" + FieldHtml(s, f, incident) + "</div>";
  return html + Form("form-enisa", action, csrf, inner, "Calculate and save") + "\n";
}

json EnisaPatch(const std::vector<std::pair<std::string, std::string>>& form) {
  std::vector<std::string> categories, adjustments, reasons;
  for (const auto& [k, v] : form) {
    if (k == "dpc_category") categories.push_back(v);
    if (k == "dpc_adjustment") adjustments.push_back(v);
    if (k == "dpc_reason") reasons.push_back(v);
  }
  json rows = json::array();
  for (size_t i = 0; i < categories.size(); ++i) {
    if (categories[i].empty()) continue;
    json row = {{"category", categories[i]}, {"adjustment", 0}};
    if (i < adjustments.size() && !adjustments[i].empty()) {
      try {
        row["adjustment"] = std::stoi(adjustments[i]);
      } catch (const std::exception&) {
        row["adjustment"] = adjustments[i];  // refused by the API, with its reason
      }
    }
    if (i < reasons.size() && !reasons[i].empty()) row["reason"] = reasons[i];
    rows.push_back(row);
  }
  json set = SectionPatch(EnisaInputs(), form);
  set["enisa_dpc_rows"] = rows.empty() ? json() : rows;
  return set;
}

}  // namespace sendguard::incident
