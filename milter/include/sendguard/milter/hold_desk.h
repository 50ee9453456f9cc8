// SPDX-License-Identifier: Apache-2.0
// Hold-and-confirm, end to end on the milter's side: holding a warned message (sealed copy,
// the warning's pending incident, the notice to its sender), answering the core's staff pages
// (show, confirm with a justification and optionally partial release, cancel), re-injecting
// a confirmed message by SMTP with a signed one-time header, and honouring that header once
// when the copy comes back through the milter. One HoldDesk per thread (it uses one SQLite
// connection).
#pragma once

#include <ctime>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/sql.h"
#include "sendguard/milter/config.h"
#include "sendguard/milter/held_messages.h"
#include "sendguard/milter/policy_setup.h"

namespace sendguard::milter {

// The key a hold's pending incident waits under in the outbox (until its outcome).
std::string HoldPendingKey(const std::string& id);

using holds::ConfirmRequest;
using holds::JustificationReasons;

struct HoldOutcome {
  int http_status = 200;  // 200 done; 403 bad link; 404 unknown; 409 no longer held; 410 expired; 422 bad input; 502 MTA refused
  std::string state;      // the hold's state afterwards
  std::string error;      // why, when not 200
  size_t sent_to = 0;     // recipients a release went to
};

class HoldDesk {
 public:
  HoldDesk(common::SqlDb& db, const common::KeyedHasher& hasher, const common::SealKey& key,
           std::filesystem::path held_dir)
      : db_(db), hasher_(hasher), key_(key), held_(db, std::move(held_dir), &key) {}

  // Holds a warned message: the sealed copy, the incident it files if nothing else happens
  // (WARNED_USER_CANCELLED, expired) and the notice to its sender, all before the MTA is
  // answered. Returns the hold id.
  Result<std::string> Hold(const Decision& d, const rules::PolicyEngine& policy, const Config& config,
                           const std::string& raw, const std::string& queue_id, const std::string& message_id,
                           const std::string& subject, std::time_t now);

  // A copy re-injected by Confirm: true (once) when `header` is a valid release for a hold
  // being released.
  bool AcceptRelease(const std::string& header, std::time_t now);

  // For the core's staff page: the hold as JSON (explanation, recipients with the flagged
  // ones marked, state, expiry). The token must be the link's.
  HoldOutcome Show(const std::string& id, const std::string& token, std::time_t now, std::string* json_out);
  // Releases the held message by SMTP to `smtp_url` (all recipients, or all but the flagged
  // ones) and files WARNED_USER_OVERRODE with the justification.
  HoldOutcome Confirm(const std::string& id, const std::string& token, const ConfirmRequest& request,
                      const std::string& smtp_url, std::time_t now);
  // Deletes the held message and files WARNED_USER_CANCELLED.
  HoldOutcome Cancel(const std::string& id, const std::string& token, std::time_t now);

  // The same two for an answer the core recorded in the shared store (the link's token was
  // checked there), carried out by this gateway's release worker (release_worker.h): the hold
  // must be held here (made here, or adopted from the shared store) and must not have expired
  // by `answered_at` (when the sender answered; 0 = now).
  HoldOutcome Release(const std::string& id, const ConfirmRequest& request, const std::string& smtp_url, std::time_t now,
                      std::time_t answered_at = 0);
  HoldOutcome CancelHeld(const std::string& id, std::time_t now, std::time_t answered_at = 0);

  // Called after an incident draft was queued (to wake the outbox sender).
  void OnQueued(std::function<void()> f) { queued_ = std::move(f); }

 private:
  bool LinkValid(const std::string& id, const std::string& token) const;  // the staff link's token
  HoldOutcome Check(const std::string& id, const std::string& token, std::time_t now);  // the link, then CheckHeld
  HoldOutcome CheckHeld(const std::string& id, std::time_t now);  // held here and not expired
  // Moves the pending incident of hold `id` to the outbox with its outcome (`warning` is JSON).
  Status FileOutcome(const std::string& id, const std::string& mf_action, const std::string& warning, std::time_t now);

  common::SqlDb& db_;
  const common::KeyedHasher& hasher_;
  const common::SealKey& key_;
  HeldMessages held_;
  std::function<void()> queued_;
};

}  // namespace sendguard::milter
