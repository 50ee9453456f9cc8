// SPDX-License-Identifier: Apache-2.0
// The breach form (spec §1.3 sections 1-9, §1.4 office use) and the ENISA calculator's inputs
// (§3) as editable HTML forms on the incident page: what each field is, how it is drawn from
// the stored incident, and how a posted form becomes the API's `set` object. Field names are
// the spec's; validation stays in the API (a refused value comes back with its reason).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sendguard/incident/enums.h"

namespace sendguard::incident {

// kShown: a field the system sets (shown on the form, never posted). kInstant: a UTC instant,
// typed and shown as London wall-clock time. A name with a dot ("escalations.siro_informed_at")
// is a key of an object field; the section posts the whole object.
enum class FormFieldKind { kLine, kText, kEmail, kDate, kLocalDateTime, kInstant, kBool, kCount, kChoice, kTicks, kShown };

struct FormField {
  std::string_view name;   // the spec's field name
  std::string_view label;  // the form's wording
  FormFieldKind kind;
  std::vector<std::string_view> options = {};  // kChoice and kTicks: the spec's enumerators
};

struct FormSection {
  std::string_view id;  // "s1" ... "s9", "office", "enisa"
  std::string_view title;
  std::vector<FormField> fields;
};

// The breach form's sections in order, then the office-use block.
const std::vector<FormSection>& BreachFormSections();
// The casework beyond the form: the investigating officer, containment, escalations, the
// DPO's decision on telling people, that they were told, the ICO's outcome, lessons learned.
const std::vector<FormSection>& CaseworkSections();
// The fields of the IG team's "new incident" page (any kind: email, post, verbal, case-system
// access, lost device, cyber), and that page's form, filled from `typed` (after a refusal).
const FormSection& NewIncidentFields();
std::string RenderNewIncidentForm(const nlohmann::json& typed, const std::string& csrf);
// The ENISA calculator's inputs other than the DPC rows (EI, CB parts, malicious, rationale).
const FormSection& EnisaInputs();
// A refusal's reason with the spec's field names in the form's words ("guard 4: s2_name is
// required" -> "\"Name\" (Section 2) is required").
std::string FieldsInWords(const std::string& reason);
// The section with this id, or nullptr.
const FormSection* FindFormSection(std::string_view id);

// One section as a form posting to `action`: each field filled from `incident`. Not
// `editable`: shown, greyed, with no button. `suggestions` (field -> value, from the scan or the
// directory) are shown beside fields that differ, each with a button posting the section to
// `action`'s sibling ".../accept" with accept=FIELD.
std::string RenderFormSection(const FormSection& section, const nlohmann::json& incident, const std::string& action,
                              const std::string& csrf, bool editable = true,
                              const nlohmann::json& suggestions = nlohmann::json::object());

// The posted fields of `section` as a `set` object: an empty value unsets the field; a tick
// list with nothing ticked is unset. A count that is not a whole number goes through as text,
// for the API to refuse with its reason.
nlohmann::json SectionPatch(const FormSection& section, const std::vector<std::pair<std::string, std::string>>& form);

// The ENISA calculator: the result with its inputs, and a form for the DPC rows (one row per
// category present, plus one blank), EI, the three CB parts, malicious intent and a rationale.
std::string RenderEnisaCalculator(const nlohmann::json& incident, const nlohmann::json& derived, const std::string& action,
                                  const std::string& csrf);
// The calculator's form as a `set` object (rows with no category are dropped).
nlohmann::json EnisaPatch(const std::vector<std::pair<std::string, std::string>>& form);

}  // namespace sendguard::incident
