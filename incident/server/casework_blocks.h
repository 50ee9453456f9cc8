// SPDX-License-Identifier: Apache-2.0
// The incident page's casework blocks beyond the form sections: the action plan (add, complete,
// waive), the ICO submissions, recall assist (the deletion request to the wrong recipient, sent
// through the core's email, and their confirmation), the investigating officer's link, and
// notes. Each renders from the API's answer and posts to /incidents/ID/ACTION; how a posted
// form becomes an API call is here too, so the page only dispatches.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

#include "sendguard/incident/london_time.h"

namespace sendguard::incident {

using PostedForm = std::vector<std::pair<std::string, std::string>>;

// The action plan as a table, with Done and Waive for open items and a form to add one when
// `editable`. `today` marks overdue items.
std::string RenderActionPlan(const nlohmann::json& incident, const std::string& base, const std::string& csrf, bool editable,
                             const std::string& today);
// The plan after the posted change: "action-add" (description, owner name and address, due),
// "action-done" or "action-waive" (item, and the waiver's reason). *error says what is wrong.
nlohmann::json ChangedActionPlan(const nlohmann::json& plan, const std::string& action, const PostedForm& form, Instant now,
                                 std::string* error);

// The ICO submissions recorded, and a form to record one when `editable`.
std::string RenderIcoSubmissions(const nlohmann::json& incident, const std::string& base, const std::string& csrf,
                                 bool editable);
// The submissions with the posted one added (type, London time, reference, delay reasons,
// items to follow one per line).
nlohmann::json AddedIcoSubmission(const nlohmann::json& submissions, const PostedForm& form, std::string* error);

// Recall assist: the request the API drafted (`request`: subject and body, or the API's
// refusal in `refusal`), a form to send it to the wrong recipient's address, and one to record
// their confirmation.
std::string RenderRecall(const nlohmann::json& request, const std::string& refusal, const std::string& base,
                         const std::string& csrf, bool editable);

// A quarantined message under review (`review`: the milter's answer: its record with masked
// findings and recipient domains, and the decision, if any), with Release and Delete (and a
// reason) when `editable` and nothing is decided yet. `refusal`: why it could not be shown.
std::string RenderQuarantine(const nlohmann::json& review, const std::string& refusal, const std::string& base,
                             const std::string& csrf, bool editable);

// The investigating officer: who, and a button that sends them a new link to this case.
std::string RenderOfficerLink(const nlohmann::json& incident, const std::string& base, const std::string& csrf, bool editable);

// A note for the case file (any role that can see the case and is not read-only).
std::string RenderNoteForm(const std::string& base, const std::string& csrf);

}  // namespace sendguard::incident
