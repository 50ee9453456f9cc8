// SPDX-License-Identifier: Apache-2.0
// Misdirection signals: what about a message's recipients suggests it is going to the
// wrong person. Pure functions over the message's facts, the organisation and a read-only
// view of recipient history (kept by the milter in SQLite).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sendguard/rules/address_list.h"
#include "sendguard/rules/organisation.h"
#include "sendguard/rules/rule_set.h"

namespace sendguard::rules {

// One finding as policies see it (the scanner's Finding without locations or hashes).
struct FindingFact {
  std::string type;        // "uk.nhs_number", "dict.health"
  std::string kind;        // "identifier" | "keyword"
  std::string name;        // "NHS number", "health information"
  std::string category;    // DataCategory enumerator
  std::vector<std::string> subjects;
  Confidence confidence = Confidence::kLow;
  uint64_t count = 0;      // distinct values
  bool exact_match = false;
  std::vector<std::string> files;  // attachment names it was found in ("" entries never)
};

// Everything policies look at about one message. No content beyond findings.
struct MessageFacts {
  std::string sender;                    // envelope sender (MAIL FROM)
  std::vector<std::string> recipients;   // envelope recipients (RCPT TO), as given
  std::vector<MailAddress> visible;      // the addresses in To and Cc, with display names
  bool is_reply = false;                 // In-Reply-To/References present, or "Re:" subject
  std::string salutation;                // the name the body greets ("Mrs Patel"); never logged
  bool has_attachments = false;
  bool scan_complete = true;
  std::vector<FindingFact> findings;
};

// One signal with its evidence. `recipient` is "" for message-wide signals.
struct Signal {
  std::string type;       // lookalike_domain, open_cc, first_time_recipient, unusual_recipient,
                          // freemail_recipient, reply_all_large, greeting_mismatch,
                          // outside_sharing_agreement
  std::string recipient;  // the address concerned (lower case)
  std::string detail;     // English, for admins and JSON: "looks like gmail.com (1 character different)"
  std::string resembles;  // lookalike_domain: the domain imitated (for explanations)
};

// The signal types, in the order they are reported.
const std::vector<std::string>& SignalTypeNames();

// What the organisation has sent before. Implemented by the milter's SQLite store; every
// method is a lookup, no method may block for long.
class RecipientHistoryView {
 public:
  virtual ~RecipientHistoryView() = default;
  // Whether any mail from `sender` has been recorded.
  virtual bool KnowsSender(const std::string& sender) const = 0;
  virtual bool HasSentTo(const std::string& sender, const std::string& recipient) const = 0;
  // Whether `sender` has sent one message to both `a` and `b`.
  virtual bool SeenTogether(const std::string& sender, const std::string& a, const std::string& b) const = 0;
  // Whether a name word (NameTokens) belongs to one of `sender`'s previous correspondents.
  virtual bool KnowsCorrespondentName(const std::string& sender, const std::string& token) const = 0;
  // Domains the organisation has sent to, most used first, at most `limit`. Shared and
  // read-only, so an implementation may keep one list for many messages; never null.
  virtual std::shared_ptr<const std::vector<std::string>> UsedDomains(size_t limit) const = 0;
};

// Every recipient of the message: envelope recipients, else the visible ones (lower case, unique).
std::vector<std::string> AllRecipients(const MessageFacts& facts);

// The signals of one message. `history` may be null: first_time_recipient,
// unusual_recipient and greeting_mismatch then cannot be judged and are not reported.
std::vector<Signal> ComputeSignals(const MessageFacts& facts, const Organisation& org,
                                   const RecipientHistoryView* history);

}  // namespace sendguard::rules
