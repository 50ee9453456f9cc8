// SPDX-License-Identifier: Apache-2.0
// The one entry point the milter, `sendguard scan` and `sendguard replay` share: the
// organisation, its policies and the explanation templates, turning one message's facts
// into a verdict with signals, matched policies and the sentence the sender reads.
// Immutable once built; safe to share between threads.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/rules/explanation.h"
#include "sendguard/rules/organisation.h"
#include "sendguard/rules/policy.h"
#include "sendguard/rules/signals.h"

namespace sendguard::rules {

class PolicyEngine {
 public:
  PolicyEngine(Organisation org, PolicySet policies, Templates templates)
      : org_(std::move(org)), policies_(std::move(policies)), templates_(std::move(templates)) {}

  // Signals, policies and the explanation for one message. `history` may be null.
  Verdict Decide(const MessageFacts& facts, const RecipientHistoryView* history) const {
    Verdict v = EvaluatePolicies(policies_, facts, ComputeSignals(facts, org_, history), org_);
    v.explanation = Explain(v, facts, org_, templates_);
    return v;
  }

  // A phrase of the templates with its placeholders filled ("confirm", "not_sent" ...).
  std::string Phrase(const std::string& language, const std::string& id,
                     const std::map<std::string, std::string>& vars = {}) const {
    return Fill(templates_.Phrase(language, id), vars);
  }

  const Organisation& organisation() const { return org_; }
  const PolicySet& policies() const { return policies_; }
  const Templates& templates() const { return templates_; }

 private:
  Organisation org_;
  PolicySet policies_;
  Templates templates_;
};

}  // namespace sendguard::rules
