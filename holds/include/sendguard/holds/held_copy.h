// SPDX-License-Identifier: Apache-2.0
// A held message as every program sees it (hold-and-confirm): its record, the layout of the
// plain text that is sealed for it, the staff link's token, the signed one-time release header,
// the reasons a member of staff may give for sending anyway, and the staff page's view of it.
// The gateway (sendguard-milter, sendguard-desk) and the core (reading holds in the shared
// store) use the same definitions, so a copy sealed on one host opens the same on another.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/status.h"

namespace sendguard::holds {

struct HeldMessage {
  std::string id;                       // 32 hex characters, random
  std::string sender;                   // envelope sender
  std::vector<std::string> recipients;  // envelope recipients
  std::vector<std::string> flagged;     // the recipients the warning is about (partial release leaves them out)
  std::string subject;
  std::string explanation;              // what the sender is shown: never an identifier
  std::string language = "en";          // the sender's language (en, cy): the notice's and the pages'
  std::string raw;                      // the message as received, headers then body
  std::time_t created = 0;
  std::time_t expires = 0;
  std::string state;                    // held, releasing, released, partially_released, cancelled, expired
};

// A fresh hold id, and whether `id` has the shape of one (32 lower-case hex characters).
std::string NewHoldId();
bool IsHoldId(const std::string& id);
// The token in a staff link for `id` (32 hex characters) and its check (under any key of the ring).
std::string HoldLinkToken(const common::KeyedHasher& hasher, const std::string& id);
bool HoldLinkTokenValid(const common::KeyedHasher& hasher, const std::string& id, const std::string& token);
// The X-Sendguard-Release header value for `id`, and the id it names when its signature holds.
std::string ReleaseHeader(const common::KeyedHasher& hasher, const std::string& id);
std::optional<std::string> ReleaseHeaderId(const common::KeyedHasher& hasher, const std::string& value);

// What a member of staff may give as the reason for sending anyway.
const std::vector<std::string>& JustificationReasons();

// The plain text sealed for a hold (its metadata as JSON, a NUL, the message), and back: the
// message's id, state and times are not in it (they are the record's).
std::string HeldPlain(const HeldMessage& m);
Result<HeldMessage> ParseHeldPlain(const std::string& id, const std::string& plain);

// The staff page's view of a hold, as JSON text: id, state and the reasons always; while it
// waits (`with_content`), the subject, explanation, recipients with the flagged ones marked,
// expiry (unix seconds and in the sender's words), language and whether a partial release is
// possible.
std::string HoldViewJson(const HeldMessage& m, bool with_content);

struct ConfirmRequest {
  std::string reason;          // one of JustificationReasons()
  std::string text;            // free text, at most 500 characters (digits are masked before filing)
  bool except_flagged = false; // partial release: everyone but the flagged recipients
};
// "" when `request` may be acted on, else what to tell the member of staff (a 422).
std::string ConfirmRequestProblem(const ConfirmRequest& request);

}  // namespace sendguard::holds
