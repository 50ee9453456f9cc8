// SPDX-License-Identifier: Apache-2.0
// The words a member of staff reads: explanation templates in English and Welsh, and the
// rendering of a verdict into one plain sentence ("This email contains 14 NHS numbers and
// health information in 'referrals.xlsx' and is going to someone outside the council
// (j.smith@gmial.com, which looks like gmail.com)"). Counts, type names, file names and
// recipients' addresses only: never the identifiers themselves.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/rules/organisation.h"
#include "sendguard/rules/policy.h"

namespace sendguard::rules {

// One language's phrases and information-type names (templates/<language>.yaml).
struct LanguageTemplates {
  std::string language;                              // "en", "cy"
  std::map<std::string, std::string> phrases;        // phrase id -> text with {placeholders}
  std::map<std::string, std::string> names_one;      // type id -> name for one ("NHS number")
  std::map<std::string, std::string> names_many;     // type id -> name for many ("NHS numbers")
};

struct Templates {
  std::map<std::string, LanguageTemplates> languages;
  // A phrase in `language`, falling back to English; "" when unknown.
  std::string Phrase(const std::string& language, const std::string& id) const;
};

// The phrase ids every templates file must define.
const std::vector<std::string>& RequiredPhrases();

// Loads `templates/*.yaml` of each rule directory; later files override single phrases.
// English must be complete; other languages fall back to English phrase by phrase.
Result<Templates> LoadTemplates(const std::vector<std::filesystem::path>& dirs);

// Replaces each {name} in `text` with vars[name]; unknown placeholders are left as written.
std::string Fill(const std::string& text, const std::map<std::string, std::string>& vars);

// The sentence for the deciding policy of `verdict` (empty when nothing matched). Placeholders
// in a policy's reason: {findings}, {where}, {recipients}, {organisation}, {count_outside}.
std::string Explain(const Verdict& verdict, const MessageFacts& facts, const Organisation& org,
                    const Templates& templates);

}  // namespace sendguard::rules
