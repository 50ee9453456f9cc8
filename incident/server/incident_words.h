// SPDX-License-Identifier: Apache-2.0
// An incident in words, for the IG pages and their blocks: where it came from, who a role is,
// identifier types as the breach form would say them, its clocks, a list entry's title, and a
// mail-filter case's story (who sent what to whom, when, what was found, what sendguard and the
// sender did). Reads the API's JSON defensively: stored shapes vary.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

namespace sendguard::incident {

// A string member of a JSON object, "" when absent or not a string.
std::string JsonText(const nlohmann::json& j, const char* key);
// Where an incident came from ("filed by the mail filter").
std::string SourceWords(const std::string& source);
// A web role as the procedure names it ("IG officer", "SIRO").
std::string RoleWords(const std::string& role);
// The clock that matters now, in a sentence; and every started clock as a list (HTML).
std::string Deadline(const nlohmann::json& clocks);
std::string ClockList(const nlohmann::json& clocks);
// "12 NHS numbers", "1 date of birth".
std::string IdentifierWords(const std::string& type, long long n);
// A list entry's title: a mail-filter draft's in words rather than its code.
std::string TitleInWords(const nlohmann::json& summary);
// "What the mail filter saw" (HTML, "" for a case not filed by it): counts, signals,
// recipient domains, evidence tokens (marked when read from a picture), the warning.
std::string MailFilterSawHtml(const nlohmann::json& incident);
// A mail-filter case's headline and its story in one sentence.
std::pair<std::string, std::string> MailStory(const nlohmann::json& incident);

}  // namespace sendguard::incident
