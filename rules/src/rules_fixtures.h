// SPDX-License-Identifier: Apache-2.0
// Test fixtures shared by the signal, policy and explanation tests: a council's
// organisation, an in-memory history, findings and messages built in a line each.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sendguard/rules/organisation.h"
#include "sendguard/rules/recipients.h"
#include "sendguard/rules/signals.h"
#include "sendguard/testing/shipped_freemail.h"

namespace sendguard::rules::fixtures {

using sendguard::testing::ShippedFreemail;

// Bury-like council: internal bury.gov.uk, partners nhs.net (agreement: identifiers and
// health) and gmp.police.uk, the shipped free-mail list.
inline Organisation Council() {
  Organisation o;
  o.name.by_language = {{"en", "the council"}, {"cy", "y cyngor"}};
  o.directory.internal = {"bury.gov.uk"};
  o.directory.secure = {"secure.bury.gov.uk"};
  o.directory.partner = {"nhs.net", "gmp.police.uk"};
  o.directory.freemail = ShippedFreemail();
  o.agreements = {{"nhs.net", {"BASIC_IDENTIFIERS", "HEALTH"}}};
  o.sender_groups = {{"social_care", {"@socialcare.bury.gov.uk"}}, {"payroll", {"payroll@bury.gov.uk"}}};
  o.language_by_sender_domain = {{"bury.gov.wales", "cy"}};
  return o;
}

// Recipient history in memory, for the pure signal logic (the milter's SQLite store is
// tested against the same interface with real files).
class MemoryHistory : public RecipientHistoryView {
 public:
  void Sent(const std::string& sender, const std::vector<std::string>& recipients,
            const std::vector<std::string>& names = {}) {
    senders_.insert(sender);
    for (const auto& r : recipients) {
      sent_.insert({sender, r});
      domains_.insert(DomainOf(r));
      for (const auto& other : recipients) together_.insert({sender, r + "|" + other});
    }
    for (const auto& n : names) names_.insert({sender, n});
  }
  bool KnowsSender(const std::string& s) const override { return senders_.count(s) > 0; }
  bool HasSentTo(const std::string& s, const std::string& r) const override { return sent_.count({s, r}) > 0; }
  bool SeenTogether(const std::string& s, const std::string& a, const std::string& b) const override {
    return together_.count({s, a + "|" + b}) > 0;
  }
  bool KnowsCorrespondentName(const std::string& s, const std::string& t) const override {
    return names_.count({s, t}) > 0;
  }
  std::shared_ptr<const std::vector<std::string>> UsedDomains(size_t limit) const override {
    auto out = std::make_shared<std::vector<std::string>>(domains_.begin(), domains_.end());
    if (out->size() > limit) out->resize(limit);
    return out;
  }

 private:
  std::set<std::string> senders_;
  std::set<std::pair<std::string, std::string>> sent_, together_, names_;
  std::set<std::string> domains_;
};

inline FindingFact Identifier(const std::string& type, const std::string& name, const std::string& category,
                              uint64_t count, Confidence c = Confidence::kHigh) {
  FindingFact f;
  f.type = type;
  f.kind = "identifier";
  f.name = name;
  f.category = category;
  f.count = count;
  f.confidence = c;
  return f;
}

inline FindingFact Keyword(const std::string& id, const std::string& name, const std::string& category) {
  FindingFact f;
  f.type = "dict." + id;
  f.kind = "keyword";
  f.name = name;
  f.category = category;
  f.count = 3;
  f.confidence = Confidence::kMedium;
  return f;
}

inline MessageFacts Message(const std::string& from, const std::vector<std::string>& to,
                            std::vector<FindingFact> findings = {}) {
  MessageFacts m;
  m.sender = from;
  m.recipients = to;
  for (const auto& r : to) m.visible.push_back({"", r});
  m.findings = std::move(findings);
  return m;
}

}  // namespace sendguard::rules::fixtures
