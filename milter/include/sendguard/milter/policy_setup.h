// SPDX-License-Identifier: Apache-2.0
// Turning a config and rule directories into what decides a message: the policy engine
// (organisation + policies + templates), and one message's facts from its scan, headers
// and envelope. Shared by the milter and the admin command line.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/milter/config.h"
#include "sendguard/rules/policy_engine.h"
#include "sendguard/rules/rule_set.h"
#include "sendguard/scanner/finding.h"
#include "sendguard/scanner/message_headers.h"
#include "sendguard/scanner/scanner.h"

namespace sendguard::milter {

// Loads `policies/`, `templates/` and `recipients/freemail.yaml` of each rule directory,
// then the config's extra policy files; `only_policies`, when given, replaces both (an
// admin trying a policy file). Type ids are checked against `rules` when given.
Result<std::shared_ptr<const rules::PolicyEngine>> LoadPolicyEngine(
    const Config& config, const std::vector<std::filesystem::path>& rule_dirs, const rules::RuleSet* rules,
    const std::vector<std::filesystem::path>* only_policies = nullptr);

// The envelope as the MTA gave it; empty parts are taken from From / To / Cc.
struct Envelope {
  std::string sender;
  std::vector<std::string> recipients;
};

// The policy facts of one scanned message.
rules::MessageFacts BuildFacts(const scanner::ScanResult& scan, const std::vector<scanner::HeaderField>& headers,
                               const Envelope& envelope);

// One message decided: its scan, its facts and the verdict. The verdict points into `facts`
// and into the policy engine: move a Decision, never copy it, and keep the engine alive.
struct Decision {
  scanner::ScanResult scan;
  rules::MessageFacts facts;
  rules::Verdict verdict;
  Decision() = default;
  Decision(Decision&&) = default;
  Decision& operator=(Decision&&) = default;
  Decision(const Decision&) = delete;
  Decision& operator=(const Decision&) = delete;
};

// Scans `raw`, reads its headers, builds the facts and asks the policy engine.
Decision DecideMessage(scanner::Scanner& scanner, const rules::PolicyEngine& policy,
                       const rules::RecipientHistoryView* history, std::string_view raw, const Envelope& envelope);

// The attachment a part path belongs to ("2/referrals.xlsx/sheet1" -> "referrals.xlsx"); "" for body text.
std::string AttachmentOf(const std::string& part);

}  // namespace sendguard::milter
