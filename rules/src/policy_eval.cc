// SPDX-License-Identifier: Apache-2.0
// Policy evaluation (see policy.h): which policies match one message, strongest first.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "sendguard/rules/policy.h"

namespace sendguard::rules {

bool IsSpecialCategory(const std::string& category) {
  static const char* const kSpecial[] = {"RACIAL_ETHNIC_ORIGIN", "POLITICAL_OPINIONS", "RELIGIOUS_PHILOSOPHICAL_BELIEFS",
                                         "TRADE_UNION_MEMBERSHIP", "SEX_LIFE", "SEXUAL_ORIENTATION",
                                         "GENDER_REASSIGNMENT", "HEALTH", "GENETIC_BIOMETRIC", "CRIMINAL_CONVICTIONS"};
  return std::find(std::begin(kSpecial), std::end(kSpecial), category) != std::end(kSpecial);
}

const PolicyMatch* Verdict::Deciding() const { return matches.empty() ? nullptr : &matches.front(); }

namespace {

template <typename T>
bool Contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool AnyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) { return Contains(have, w); });
}

bool Counts(const FindingCondition& c, const FindingFact& f) {
  if (f.confidence < c.min_confidence) return false;
  if (c.exact_match && !f.exact_match) return false;
  if (!c.kind.empty() && f.kind != c.kind) return false;
  if (!c.types.empty() && !Contains(c.types, f.type)) return false;
  if (!c.categories.empty() && !Contains(c.categories, f.category)) return false;
  if (c.special_category && !IsSpecialCategory(f.category)) return false;
  if (!c.subjects.empty() && !AnyOf(c.subjects, f.subjects)) return false;
  return true;
}

// Fills m.counted; true when the condition holds. A type's values may be split over
// findings of different confidence: their counts add up per type.
bool FindingsHold(const FindingCondition& c, const MessageFacts& facts, PolicyMatch& m) {
  std::map<std::string, uint64_t> per_type;
  for (const auto& f : facts.findings) {
    if (!Counts(c, f)) continue;
    per_type[f.type] += f.count;
    if (std::find(m.counted.begin(), m.counted.end(), &f) == m.counted.end()) m.counted.push_back(&f);
  }
  uint64_t most = 0;
  for (const auto& [type, n] : per_type) most = std::max(most, n);
  return !per_type.empty() && most >= c.min_count;
}

bool RecipientsHold(const PolicyCondition& c, const std::vector<std::string>& recipients, const Organisation& org,
                    const std::vector<Signal>& signals, PolicyMatch& m) {
  // Sets beside the lists: a message may name 100,000 recipients, and each check stays O(1).
  std::unordered_set<std::string> flagged(m.flagged.begin(), m.flagged.end());
  auto flag = [&](const std::string& r) {
    if (!r.empty() && flagged.insert(r).second) m.flagged.push_back(r);
  };
  if (!c.recipients.empty()) {
    bool any = false;
    for (const auto& r : recipients) {
      if (Contains(c.recipients, std::string(RecipientClassName(Classify(org.directory, r))))) {
        any = true;
        flag(r);
      }
    }
    if (!any) return false;
  }
  if (!c.signals.empty()) {
    bool any = false;
    std::vector<std::string> signalled;
    for (const auto& s : signals) {
      if (!Contains(c.signals, s.type)) continue;
      any = true;
      signalled.push_back(s.recipient);
    }
    if (!any) return false;
    // With both conditions, the flagged recipients are those with the signal (when it names one).
    std::vector<std::string> named;
    std::unordered_set<std::string> named_set;
    for (const auto& r : signalled) {
      if (!r.empty()) {
        named.push_back(r);
        named_set.insert(r);
      }
    }
    if (!named.empty()) {
      if (!c.recipients.empty()) {
        std::vector<std::string> both;
        for (const auto& r : m.flagged) {
          if (named_set.count(r) != 0) both.push_back(r);
        }
        if (both.empty()) return false;  // the signal concerns recipients outside the class asked for
        m.flagged = both;
      } else {
        for (const auto& r : named) flag(r);
      }
    }
  }
  return true;
}

}  // namespace

Verdict EvaluatePolicies(const PolicySet& set, const MessageFacts& facts, std::vector<Signal> signals,
                         const Organisation& org) {
  Verdict v;
  v.signals = std::move(signals);
  v.language = org.LanguageFor(facts.sender);
  const std::vector<std::string> recipients = AllRecipients(facts);
  const std::vector<std::string> groups = org.SenderGroupsOf(facts.sender);
  for (const auto& p : set.policies) {
    const PolicyCondition& c = p.when;
    if (!c.sender_groups.empty() && !AnyOf(c.sender_groups, groups)) continue;
    if (AnyOf(c.except_sender_groups, groups)) continue;
    if (c.attachments && *c.attachments != facts.has_attachments) continue;
    if (c.scan_complete && *c.scan_complete != facts.scan_complete) continue;
    PolicyMatch m;
    m.policy = &p;
    if (!std::all_of(c.findings.begin(), c.findings.end(),
                     [&](const FindingCondition& fc) { return FindingsHold(fc, facts, m); })) {
      continue;
    }
    if (!RecipientsHold(c, recipients, org, v.signals, m)) continue;
    v.matches.push_back(std::move(m));
  }
  std::stable_sort(v.matches.begin(), v.matches.end(), [](const PolicyMatch& a, const PolicyMatch& b) {
    if (a.policy->action != b.policy->action) return a.policy->action > b.policy->action;
    return !a.policy->monitor && b.policy->monitor;
  });
  for (const auto& m : v.matches) {
    v.monitored = std::max(v.monitored, m.policy->action);
    if (!m.policy->monitor) v.action = std::max(v.action, m.policy->action);
  }
  // The deciding match goes first: the strongest enforced one, when there is one.
  auto enforced = std::find_if(v.matches.begin(), v.matches.end(), [](const PolicyMatch& m) { return !m.policy->monitor; });
  if (enforced != v.matches.end() && enforced != v.matches.begin() && enforced->policy->action >= v.action) {
    std::rotate(v.matches.begin(), enforced, enforced + 1);
  }
  return v;
}

}  // namespace sendguard::rules
