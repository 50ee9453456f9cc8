// SPDX-License-Identifier: Apache-2.0
// The words staff read on the hold-and-confirm and self-report pages, in English and Welsh,
// in one table (so a translation is checked in one place), and the page's language: `lang`
// in the link or the form (the Cymraeg/English switch, or the link the milter mailed in the
// sender's language), else what the milter said the sender reads, else English.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sendguard/common/http_server.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {

// The text for `id` in `language` (en or cy); {name} placeholders are filled by Fill. An
// unknown id is a programming error: it returns the id itself so a test sees it.
const std::string& Say(const std::string& language, std::string_view id);

// `text` with each "{key}" replaced by its value (common::FillPlaceholders).
inline std::string Fill(const std::string& text, const std::vector<std::pair<std::string, std::string>>& values) {
  return common::FillPlaceholders(text, values);
}

// en or cy from the request's `lang` (query or posted form), else `fallback` when it is cy, else en.
std::string StaffLanguage(const common::HttpRequest& request, const std::vector<std::pair<std::string, std::string>>& form,
                          const std::string& fallback = "en");

// A link to the same page in the other language (`url` already has its query; lang is added).
std::string LanguageSwitch(const std::string& language, const std::string& url);

// Every id in the table, for the test that both languages have every text.
std::vector<std::string> StaffWordIds();

}  // namespace sendguard::incident
