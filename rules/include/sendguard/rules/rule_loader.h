// SPDX-License-Identifier: Apache-2.0
// Loads a rule set from one or more rule directories, reporting every problem as
// `file:line: reason`. Reads files only; never compiles patterns (the scanner does).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/rules/rule_set.h"

namespace sendguard::rules {

// A rule directory holds `types/*.yaml`, `dictionaries/*.yaml` and optionally
// `context.yaml`. Later directories add to earlier ones (an admin's /etc/sendguard/rules.d
// after the shipped /usr/share/sendguard/rules); an id defined twice is an error.
// On failure the Status message lists every problem, one `file:line: reason` per line.
Result<RuleSet> LoadRuleSet(const std::vector<std::filesystem::path>& dirs);

// Parses one info-type YAML document (exposed for tests and for `rules check FILE`).
Result<InfoType> ParseInfoTypeFile(const std::filesystem::path& file);

// The breach-form DataCategory enumerators (spec/assessment.md §1.5.2).
const std::vector<std::string>& DataCategoryNames();
// The breach-form SubjectCategory enumerators (§1.5.3).
const std::vector<std::string>& SubjectCategoryNames();

}  // namespace sendguard::rules
