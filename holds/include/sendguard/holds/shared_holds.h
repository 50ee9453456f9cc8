// SPDX-License-Identifier: Apache-2.0
// Holds in the shared PostgreSQL store (`holds`, which each gateway's sendguard-sync fills
// with its own holds and their sealed copies): the core's staff pages show a hold from there
// and record the sender's answer (release with a justification, or cancel), and the gateways'
// release workers (sendguard-desk) claim each answer and carry it out. Every change is one
// conditional UPDATE, so of two cores, two clicks or two workers exactly one wins:
//   held --core--> release_requested | cancel_requested
//   release_requested --worker, before the SMTP hand-over--> sending (on its gateway)
//   release_requested | cancel_requested | sending --worker--> released | partially_released
//     | cancelled | expired | failed
// A worker's claim is a lease (holder, until): taken with SELECT ... FOR UPDATE SKIP LOCKED,
// taken over by another worker only once it has lapsed (a worker that died). A release marked
// `sending` is taken over only by a worker of the same gateway, which knows from its own state
// whether the copy went (so a message is never sent by two gateways). The core signs each
// answer with the deployment key; a worker carries out only answers whose signature holds.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/sql.h"
#include "sendguard/holds/held_copy.h"

namespace sendguard::holds {

// What a staff page is told, as sendguard-desk tells it for a hold it keeps itself.
struct HoldAnswer {
  int http_status = 200;  // 200; 403 bad link; 404 not in the store; 409 no longer waiting; 410 expired; 422; 500
  std::string state;      // the hold's state (for the page's sentence)
  std::string error;      // why, when not 200
  std::string view_json;  // Show, 200 and 409/410: HoldViewJson
};

// A request a worker has claimed: what to do, and the copy to do it with.
struct ClaimedHold {
  std::string id;
  std::string origin;       // the gateway that made the hold
  bool release = false;     // else cancel
  bool sending = false;     // a release this gateway began before (its claim lapsed)
  bool signed_ok = false;   // the core's signature of the answer holds
  ConfirmRequest request;   // release: the justification and scope
  std::time_t created = 0;
  std::time_t expires = 0;
  std::time_t answered_at = 0;
  int64_t attempts = 0;     // claims so far, this one included
  std::string sealed;       // the sealed copy's bytes, as in <state_dir>/held/<id> ("" if gone)
};

class SharedHolds {
 public:
  // `seal`: the key the gateways seal held copies with (SealKey(secret, "milter state")).
  SharedHolds(const common::KeyedHasher& hasher, const common::SealKey& seal) : hasher_(hasher), seal_(seal) {}

  // Whether `token` is hold `id`'s link token (checked before anything is read).
  bool LinkValid(const std::string& id, const std::string& token) const;
  // The hold for its staff page; the link's token must be the hold's.
  HoldAnswer Show(common::SqlDb& db, const std::string& id, const std::string& token, std::time_t now) const;
  // Records the sender's answer: release (checked as sendguard-desk checks it) or cancel. 200
  // with state release_requested or cancel_requested; 409 when someone answered first.
  HoldAnswer Request(common::SqlDb& db, const std::string& id, const std::string& token, bool release,
                     const ConfirmRequest& request, std::time_t now) const;

  // The oldest answer nobody holds a live claim on (or a release `gateway` began and whose
  // claim lapsed), claimed by `holder` (a worker of `gateway`) for `lease_seconds`.
  Result<std::optional<ClaimedHold>> Claim(common::SqlDb& db, const std::string& holder, const std::string& gateway,
                                           std::time_t now, int lease_seconds) const;
  // Before the SMTP hand-over: the release is `gateway`'s from now on. False when `holder` no
  // longer holds the claim.
  static Result<bool> MarkSending(common::SqlDb& db, const std::string& id, const std::string& holder,
                                  const std::string& gateway);
  // The claimed request's end: `state` is released, partially_released, cancelled, expired or
  // failed; the copy and the answer are dropped. False when `holder` no longer holds the claim
  // (it lapsed and another worker took it over).
  static Result<bool> Finish(common::SqlDb& db, const std::string& id, const std::string& holder, const std::string& state,
                             std::time_t now, const std::string& why = "");
  // A failed attempt: the claim is let go, to be tried again after `retry_seconds`.
  static Status GiveBack(common::SqlDb& db, const std::string& id, const std::string& holder, const std::string& error,
                         std::time_t now, int retry_seconds);

 private:
  // The hold's row and, while it waits, its opened copy; 403/404/409/410/500 as Show answers.
  HoldAnswer Read(common::SqlDb& db, const std::string& id, const std::string& token, std::time_t now,
                  HeldMessage* held) const;
  const common::KeyedHasher& hasher_;
  const common::SealKey& seal_;
};

}  // namespace sendguard::holds
