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

namespace sendguard::milter {

// Loads `policies/`, `templates/` and `recipients/freemail.yaml` of each rule directory,
// then the config's extra policy files. Type ids are checked against `rules` when given.
Result<std::shared_ptr<const rules::PolicyEngine>> LoadPolicyEngine(const Config& config,
                                                                    const std::vector<std::filesystem::path>& rule_dirs,
                                                                    const rules::RuleSet* rules);

// The envelope as the MTA gave it; empty parts are taken from From / To / Cc.
struct Envelope {
  std::string sender;
  std::vector<std::string> recipients;
};

// The policy facts of one scanned message.
rules::MessageFacts BuildFacts(const scanner::ScanResult& scan, const std::vector<scanner::HeaderField>& headers,
                               const Envelope& envelope);

// The attachment a part path belongs to ("2/referrals.xlsx/sheet1" -> "referrals.xlsx"); "" for body text.
std::string AttachmentOf(const std::string& part);

}  // namespace sendguard::milter
