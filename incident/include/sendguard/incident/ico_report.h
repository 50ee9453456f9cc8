// SPDX-License-Identifier: Apache-2.0
// The ICO report (UK GDPR Art 33, spec §4.4-§4.5): the facts of one incident laid out section
// by section as the ICO's personal data breach report asks (organisation and contact, what
// happened and when it was found, the data and the people, the likely consequences,
// containment and recovery, whether people were told, cross-border and other regulators,
// the reason for any delay), with the phased-report history; or, for NHS bodies, the same
// facts in the order of the Data Security and Protection Toolkit's incident report. As JSON
// (every field with the incident fields it came from) and as a printable document.
// sendguard records what was submitted; it does not submit (spec, out of scope).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sendguard/incident/london_time.h"
#include "sendguard/incident/organisation.h"
#include "sendguard/print/printable.h"

namespace sendguard::incident {

// `shown` is IncidentService::Show's answer ({incident, derived, ...}); `layout` is "ico" or
// "dspt". Returns {layout, title, reference, generated_at, sections: [{id, title, fields:
// [{key, label, value, from: [...]}]}], missing: [...], submissions: [...]}. A field with no
// value says "Not yet known" so nothing is left out silently.
nlohmann::json IcoReport(const nlohmann::json& shown, const Organisation& org, const std::string& layout, Instant now);

print::Document IcoReportDocument(const nlohmann::json& report);

// The Art 33(3) items (spec §4.5, derived `ico_package_missing`), and each in words.
const std::vector<std::string>& IcoPackageItems();
std::string IcoPackageItemWords(const std::string& item);

}  // namespace sendguard::incident
