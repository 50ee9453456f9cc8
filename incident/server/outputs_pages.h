// SPDX-License-Identifier: Apache-2.0
// The incident page's "Sending out" blocks: the ICO report and its DSPT layout to download,
// the escalation flags and what was sent about the case, and the letters to the people
// affected (the draft in English and Welsh with what Art 34(2) still lacks, a form to produce,
// post, hand over or email one, the letters recorded). Also the subject access search page.
// Renders from the API's answers; how a posted form becomes an API request is here too.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "casework_blocks.h"
#include "sendguard/incident/organisation.h"

namespace sendguard::incident {

// `shown` is the API's incident; `letters` (the IG team and the DPO) adds the letter blocks,
// editable unless `closed`; `dspt` (a DSPT participant or an ODS code) offers the DSPT layout.
std::string RenderSendingOut(const nlohmann::json& shown, const Organisation& org, const std::string& base,
                             const std::string& csrf, bool letters, bool closed, bool dspt);

// The posted draft for one language as the new `letter_draft` value (the other kept);
// *error says what is wrong.
nlohmann::json PostedLetterDraft(const nlohmann::json& incident, const PostedForm& form, std::string* error);

// The API body for POST .../letter from the posted produce form.
nlohmann::json PostedLetterRequest(const PostedForm& form);

// The subject access search: the form, and (when `answer` is not null) what it found.
std::string RenderSubjectAccess(const nlohmann::json& answer, const std::string& refusal, const std::string& csrf);

}  // namespace sendguard::incident
