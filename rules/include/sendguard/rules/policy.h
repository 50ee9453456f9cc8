// SPDX-License-Identifier: Apache-2.0
// Policies: conditions over findings, signals, recipient classes and senders, each with an
// action and a reason template; the strongest matching policy decides. Policies in
// `monitor` mode are evaluated and reported but never change what happens to the mail.
// Loaded from `policies/*.yaml` in the rule directories, with `file:line` errors.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/rules/organisation.h"
#include "sendguard/rules/rule_set.h"
#include "sendguard/rules/signals.h"

namespace sendguard::rules {

// Ordered: a stronger action wins.
enum class Action { kAllow = 0, kTag = 1, kWarn = 2, kQuarantine = 3, kBlock = 4 };
const char* ActionName(Action a);
bool ParseAction(const std::string& s, Action* out);

// Which findings a policy cares about. Every listed constraint must hold for a finding to
// count; the condition holds when the counting findings reach `min_count`.
struct FindingCondition {
  std::vector<std::string> types;       // info type or dictionary ids ("uk.nhs_number", "dict.health"); any
  std::vector<std::string> categories;  // DataCategory enumerators; any
  bool special_category = false;        // only UK GDPR special categories and criminal data (D01-D08, D14, D15)
  std::vector<std::string> subjects;    // SubjectCategory enumerators; any
  std::string kind;                     // "identifier" | "keyword" | "" (either)
  Confidence min_confidence = Confidence::kMedium;
  bool exact_match = false;             // only values found in the exact-data set
  // Distinct values of the most numerous counting type, over its confidence levels (an
  // estimate of the number of individuals: 14 NHS numbers and 14 NI numbers are 14 people, not 28).
  uint64_t min_count = 1;
};

// All present parts must hold. Lists match when any element matches, except `findings`:
// every finding condition in it must hold ("special category data" and "an identifier").
struct PolicyCondition {
  std::vector<FindingCondition> findings;
  std::vector<std::string> recipients;            // recipient classes: internal, secure, partner, external, freemail
  std::vector<std::string> signals;               // signal types
  std::vector<std::string> sender_groups;         // the sender is in one of these
  std::vector<std::string> except_sender_groups;  // ... and in none of these
  std::optional<bool> attachments;                // the message has (true) / has no (false) attachments
  std::optional<bool> scan_complete;              // false: only messages the scan could not fully read
};

struct Policy {
  std::string id;
  std::string description;
  Action action = Action::kAllow;
  bool monitor = false;  // mode: monitor (decide and report only) or enforce
  PolicyCondition when;
  LocalText reason;      // template for the sender; see explanation.h for the placeholders
  bool replaces = false; // `replaces: true`: takes the place of the earlier policy with this id
  SourceLocation where;
};

struct PolicySet {
  std::vector<Policy> policies;  // in file order
  std::vector<std::string> files;
};

// Loads every `policies/*.yaml` of `dirs` (later directories add policies; an id defined
// twice is an error, unless the later one says `replaces: true`: then it takes the earlier
// one's place, e.g. a shipped policy with another threshold). Type ids are checked against `rules` and sender groups against
// `org` when given. Every problem is reported as `file:line: reason`.
Result<PolicySet> LoadPolicies(const std::vector<std::filesystem::path>& dirs, const RuleSet* rules = nullptr,
                               const Organisation* org = nullptr);
// Loads one policy file (or every file of a directory) given directly (`--policy`).
Result<PolicySet> LoadPolicyFiles(const std::vector<std::filesystem::path>& files, const RuleSet* rules = nullptr,
                                  const Organisation* org = nullptr);

// One policy that matched.
struct PolicyMatch {
  const Policy* policy = nullptr;
  std::vector<std::string> flagged;        // recipients that made it match (class or signal)
  std::vector<const FindingFact*> counted; // findings that made it match
};

struct Verdict {
  Action action = Action::kAllow;     // what happens: the strongest enforce-mode match
  Action monitored = Action::kAllow;  // what would happen if every monitor-mode policy were enforced
  // Every match: the deciding one first, then strongest first (enforce before monitor on ties).
  std::vector<PolicyMatch> matches;
  std::vector<Signal> signals;
  std::string language;               // of the explanation
  std::string explanation;            // for the sender; empty when nothing matched

  // The match that decided `action` (or, when only monitor-mode policies matched, the
  // strongest of those); nullptr when none matched.
  const PolicyMatch* Deciding() const;
};

// Evaluates every policy against one message (signals already computed).
Verdict EvaluatePolicies(const PolicySet& set, const MessageFacts& facts, std::vector<Signal> signals,
                         const Organisation& org);

// Whether a DataCategory is special category (or criminal) data.
bool IsSpecialCategory(const std::string& category);

}  // namespace sendguard::rules
