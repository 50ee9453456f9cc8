// SPDX-License-Identifier: Apache-2.0
// Holds in the shared PostgreSQL store (`holds`, which each gateway's sendguard-sync fills
// with its own holds and their sealed copies): the core's staff pages show a hold from there
// and record the sender's answer (release with a justification, or cancel), and the gateways'
// release workers (sendguard-desk) claim each answer and carry it out. Every change is one
// conditional UPDATE, so of two cores, two clicks or two workers exactly one wins:
//   held --core--> release_requested | cancel_requested --worker--> released |
//   partially_released | cancelled | expired
// A worker's claim is a lease (holder, until): taken with SELECT ... FOR UPDATE SKIP LOCKED,
// taken over by another worker only once it has lapsed (a worker that died mid-release).
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
  ConfirmRequest request;   // release: the justification and scope
  std::time_t created = 0;
  std::time_t expires = 0;
  std::string sealed;       // the sealed copy's bytes, as in <state_dir>/held/<id> ("" if gone)
};

class SharedHolds {
 public:
  // `seal`: the key the gateways seal held copies with (SealKey(secret, "milter state")).
  SharedHolds(const common::KeyedHasher& hasher, const common::SealKey& seal) : hasher_(hasher), seal_(seal) {}

  // The hold for its staff page; the link's token must be the hold's.
  HoldAnswer Show(common::SqlDb& db, const std::string& id, const std::string& token, std::time_t now) const;
  // Records the sender's answer: release (checked as sendguard-desk checks it) or cancel. 200
  // with state release_requested or cancel_requested; 409 when someone answered first.
  HoldAnswer Request(common::SqlDb& db, const std::string& id, const std::string& token, bool release,
                     const ConfirmRequest& request, std::time_t now) const;

  // The oldest request nobody holds a live claim on, claimed by `holder` for `lease_seconds`.
  static Result<std::optional<ClaimedHold>> Claim(common::SqlDb& db, const std::string& holder, std::time_t now,
                                                  int lease_seconds);
  // The claimed request's end: `state` is released, partially_released, cancelled or expired;
  // the copy is dropped. False when `holder` no longer holds the claim (it lapsed and another
  // worker took it over).
  static Result<bool> Finish(common::SqlDb& db, const std::string& id, const std::string& holder, const std::string& state,
                             std::time_t now);
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
