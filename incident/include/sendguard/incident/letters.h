// SPDX-License-Identifier: Apache-2.0
// Letters to the people affected by a breach (UK GDPR Art 34(2), spec §5.6): the nature of the
// breach, the DPO's contact, the likely consequences and the measures taken, in clear words,
// in English or Welsh. The IG team's words are kept on the incident as `letter_draft` (one per
// language, prefilled from sections 5, 6, 8 and 9 until saved, locked once final); each letter
// sent or posted is recorded in `letters_sent` with a keyed hash of whom it went to, never the
// name or address themselves.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sendguard/incident/london_time.h"
#include "sendguard/incident/organisation.h"
#include "sendguard/print/printable.h"

namespace sendguard::incident {

// The parts of the letter the IG team writes, in the order the letter uses them.
inline constexpr const char* kLetterParts[] = {"nature", "data", "consequences", "measures", "advice"};

// Who a letter goes to. The name and address are used for the letter and not kept.
struct Addressee {
  std::string name;
  std::string address;  // lines separated by '\n'
  std::string email;    // for the email version
  // "" when the letter is to the person themselves; else PARENT, GUARDIAN, ATTORNEY or DEPUTY,
  // and `person_name` is whom they represent.
  std::string representative_role;
  std::string person_name;
};

bool IsLetterLanguage(const std::string& language);          // en or cy
bool IsRepresentativeRole(const std::string& role);          // "", PARENT, GUARDIAN, ATTORNEY, DEPUTY

// The draft for `language` ({nature, data, consequences, measures, advice, final, saved,
// gaps}): the saved one, or one prefilled from the incident. `gaps` says in words what Art
// 34(2) needs that is still empty (and, for Welsh, that the prefilled words are the English ones).
nlohmann::json LetterDraft(const nlohmann::json& incident, const Organisation& org, const std::string& language);

// The letter for one addressee from the draft for `language`.
print::Document BuildLetter(const nlohmann::json& incident, const Organisation& org, const std::string& language,
                            const Addressee& to, Instant now);

// The email version's subject line.
std::string LetterEmailSubject(const nlohmann::json& incident, const std::string& language);

// Checks a `letter_draft` value ("" when valid) and a `letters_sent` value.
std::string CheckLetterDraft(const nlohmann::json& value);
std::string CheckLettersSent(const nlohmann::json& value);

// The date as the letter prints it: "6 December 2026" or "6 Rhagfyr 2026".
std::string LetterDate(Date d, const std::string& language);

}  // namespace sendguard::incident
