// SPDX-License-Identifier: Apache-2.0
// The durable hand-over of incident drafts to the assessment core. A draft is written to the
// state database before the milter answers the MTA; a sender thread delivers it with libcurl,
// retrying with backoff; the core files each draft id once, so a retry after a lost answer
// files nothing twice. Warnings wait here until their outcome is known: confirmed (filed as
// WARNED_USER_OVERRODE) or expired unconfirmed (WARNED_USER_CANCELLED).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/sql.h"

namespace sendguard::milter {

class IncidentOutbox {
 public:
  explicit IncidentOutbox(common::SqlDb& db) : db_(db) {}

  // Queues a draft (a JSON document); a draft id already queued is left as it is.
  Status Enqueue(const std::string& draft_id, const std::string& payload, std::time_t now);

  // A warning whose outcome is not known yet, keyed by what the confirmation binds to.
  Status HoldWarning(const std::string& key, const std::string& draft_id, const std::string& payload,
                     std::time_t expires);
  // Whether a warning waits under `key` (left where it is).
  Result<bool> HasWarning(const std::string& key);
  // The held warning for `key` (removed), when there is one.
  Result<std::optional<std::pair<std::string, std::string>>> TakeWarning(const std::string& key);
  // Moves warnings that expired unconfirmed into the outbox, with mf_action rewritten to
  // WARNED_USER_CANCELLED. Returns how many.
  Result<int> ExpireWarnings(std::time_t now);

  struct Item {
    std::string draft_id;
    std::string payload;
    int attempts = 0;
  };
  Result<std::vector<Item>> Due(std::time_t now, int limit);
  Status Delivered(const std::string& draft_id, std::time_t now);
  Status RetryLater(const std::string& draft_id, int attempts, std::time_t next, const std::string& error);
  // Refused for good by the core (a 4xx other than 408/429): kept, not retried, counted.
  Status Refused(const std::string& draft_id, const std::string& error);
  Result<int64_t> Pending();

 private:
  common::SqlDb& db_;
};

}  // namespace sendguard::milter
