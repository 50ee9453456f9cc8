// SPDX-License-Identifier: Apache-2.0
// The misdirection signals (see signals.h). Each signal is one small function.
#include "sendguard/rules/signals.h"

#include <algorithm>
#include <memory>
#include <set>
#include <unordered_set>

#include "sendguard/common/text.h"

namespace sendguard::rules {

const std::vector<std::string>& SignalTypeNames() {
  static const std::vector<std::string> kNames = {
      "lookalike_domain", "open_cc",        "first_time_recipient", "unusual_recipient",
      "freemail_recipient", "reply_all_large", "greeting_mismatch",  "outside_sharing_agreement"};
  return kNames;
}

std::vector<std::string> AllRecipients(const MessageFacts& facts) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;  // a set, not a search of `out`: 100,000 recipients stay linear
  auto add = [&](const std::string& a) {
    std::string n = NormaliseAddress(a);
    if (!n.empty() && seen.insert(n).second) out.push_back(n);
  };
  for (const auto& r : facts.recipients) add(r);
  if (out.empty()) {
    for (const auto& v : facts.visible) add(v.address);
  }
  return out;
}

namespace {

bool Outside(RecipientClass c) { return c == RecipientClass::kExternal || c == RecipientClass::kFreemail; }

struct Context {
  const MessageFacts& facts;
  const Organisation& org;
  const RecipientHistoryView* history;
  std::string sender;
  std::vector<std::string> recipients;
  std::vector<Signal>& out;
};

void Lookalikes(Context& c) {
  const RecipientDirectory& dir = c.org.directory;
  static const std::vector<std::string> kNone;
  std::shared_ptr<const std::vector<std::string>> held;
  const std::vector<std::string>* used = nullptr;  // read once, when an outside recipient needs it
  for (const auto& r : c.recipients) {
    const std::string domain = DomainOf(r);
    if (domain.empty() || !Outside(Classify(dir, r))) continue;
    if (!used) {
      if (c.history && c.org.lookalike_history_domains > 0) {
        held = c.history->UsedDomains(static_cast<size_t>(c.org.lookalike_history_domains));
      }
      used = held ? held.get() : &kNone;
    }
    // A domain used before is compared with the organisation's own domains only, so one
    // partner that resembles another is not flagged on every send.
    const bool used_before = std::find(used->begin(), used->end(), domain) != used->end();
    auto look = FindLookalikeIn(domain, {&dir.internal, &dir.secure, &dir.partner, used_before ? &kNone : used},
                                dir.freemail);
    if (look) {
      c.out.push_back({"lookalike_domain", r, "looks like " + look->resembles + " (" + look->how + ")", look->resembles});
    }
  }
}

void OpenCc(Context& c) {
  std::set<std::string> outside;
  for (const auto& v : c.facts.visible) {
    std::string a = NormaliseAddress(v.address);
    if (Outside(Classify(c.org.directory, a))) outside.insert(a);
  }
  if (static_cast<int>(outside.size()) >= c.org.open_cc_threshold) {
    c.out.push_back({"open_cc", "",
                     std::to_string(outside.size()) + " addresses outside the organisation are visible in To/Cc", ""});
  }
}

void Freemail(Context& c) {
  for (const auto& r : c.recipients) {
    if (Classify(c.org.directory, r) == RecipientClass::kFreemail) {
      c.out.push_back({"freemail_recipient", r, "personal email provider " + DomainOf(r), ""});
    }
  }
}

void ReplyAllLarge(Context& c) {
  if (c.facts.is_reply && static_cast<int>(c.recipients.size()) >= c.org.reply_all_threshold) {
    c.out.push_back({"reply_all_large", "", "a reply to " + std::to_string(c.recipients.size()) + " recipients", ""});
  }
}

void History(Context& c) {
  if (!c.history || !c.history->KnowsSender(c.sender)) return;
  std::vector<std::string> outside;
  for (const auto& r : c.recipients) {
    if (Classify(c.org.directory, r) != RecipientClass::kInternal) outside.push_back(r);
  }
  for (const auto& r : outside) {
    if (!c.history->HasSentTo(c.sender, r)) {
      c.out.push_back({"first_time_recipient", r, "this sender has not written to this address before", ""});
    }
  }
  // unusual_recipient: the others on the message form a known group (at least one pair of
  // them has been on one message before) and this recipient has never been with any of them.
  if (c.recipients.size() < 3) return;
  for (const auto& r : outside) {
    bool known_group = false, with_them = false;
    for (size_t i = 0; i < c.recipients.size() && !with_them; ++i) {
      const auto& a = c.recipients[i];
      if (a == r) continue;
      if (c.history->SeenTogether(c.sender, r, a)) with_them = true;
      for (size_t j = i + 1; j < c.recipients.size() && !known_group; ++j) {
        if (c.recipients[j] != r && c.history->SeenTogether(c.sender, a, c.recipients[j])) known_group = true;
      }
    }
    if (known_group && !with_them) {
      c.out.push_back({"unusual_recipient", r, "never before on a message with these other recipients", ""});
    }
  }
}

bool IsGroupGreeting(const std::vector<std::string>& tokens) {
  static const char* const kGroup[] = {"all",  "team",   "everyone", "colleagues", "madam", "sirs",
                                       "both", "folks",  "there",    "pawb",       "friends", "members"};
  return std::any_of(tokens.begin(), tokens.end(), [](const std::string& t) {
    return std::find(std::begin(kGroup), std::end(kGroup), t) != std::end(kGroup);
  });
}

void GreetingMismatch(Context& c) {
  if (!c.history || c.facts.salutation.empty()) return;
  std::vector<std::string> greeted = NameTokens(c.facts.salutation);
  if (greeted.empty() || IsGroupGreeting(greeted)) return;
  std::set<std::string> recipient_tokens;
  for (const auto& v : c.facts.visible) {
    for (auto& t : NameTokens(v.display)) recipient_tokens.insert(t);
  }
  for (const auto& r : c.recipients) {
    for (auto& t : NameTokens(r)) recipient_tokens.insert(t);
  }
  for (const auto& t : greeted) {
    if (recipient_tokens.count(t)) return;
  }
  for (const auto& t : greeted) {
    if (c.history->KnowsCorrespondentName(c.sender, t)) {
      c.out.push_back({"greeting_mismatch", "",
                       "the greeting names someone who is not a recipient but is a known correspondent", ""});
      return;
    }
  }
}

void OutsideAgreement(Context& c) {
  for (const auto& r : c.recipients) {
    const SharingAgreement* a = c.org.AgreementFor(DomainOf(r));
    if (!a) continue;
    std::set<std::string> outside;
    for (const auto& f : c.facts.findings) {
      if (f.confidence < Confidence::kMedium || f.category.empty()) continue;
      if (std::find(a->allowed_categories.begin(), a->allowed_categories.end(), f.category) ==
          a->allowed_categories.end()) {
        outside.insert(f.category);
      }
    }
    if (outside.empty()) continue;
    std::string cats;
    for (const auto& cat : outside) cats += (cats.empty() ? "" : ", ") + cat;
    c.out.push_back({"outside_sharing_agreement", r, cats + " not covered by the agreement with " + a->domain, ""});
  }
}

}  // namespace

std::vector<Signal> ComputeSignals(const MessageFacts& facts, const Organisation& org,
                                   const RecipientHistoryView* history) {
  std::vector<Signal> out;
  Context c{facts, org, history, NormaliseAddress(facts.sender), AllRecipients(facts), out};
  Lookalikes(c);
  OpenCc(c);
  History(c);
  Freemail(c);
  ReplyAllLarge(c);
  GreetingMismatch(c);
  OutsideAgreement(c);
  const auto& order = SignalTypeNames();
  std::stable_sort(out.begin(), out.end(), [&](const Signal& a, const Signal& b) {
    return std::find(order.begin(), order.end(), a.type) < std::find(order.begin(), order.end(), b.type);
  });
  return out;
}

}  // namespace sendguard::rules
