// SPDX-License-Identifier: Apache-2.0
// The incident as JSON: a flat object whose keys are the spec's field names (absent = unset),
// validated field by field with the field's name in every error, and the derived results
// as JSON. Shared by the API, the store and `sendguard incidents score`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/incident/incident.h"
#include "sendguard/incident/recommendations.h"

namespace sendguard::incident {

// One problem with one field: what the API returns as a 4xx body.
struct FieldError {
  std::string field;
  std::string reason;
};

// Reads a document into `incident` (and the §0.6 configuration keys, when present, into
// `config`). Collects every error rather than stopping at the first.
std::vector<FieldError> ReadIncidentDocument(const nlohmann::json& doc, Incident* incident, CoreConfig* config);

// True when `name` is a field the document may carry.
bool IsKnownField(const std::string& name);

nlohmann::json DerivedToJson(const Derived& derived);

}  // namespace sendguard::incident
