// SPDX-License-Identifier: Apache-2.0
// Quarantined messages as the IG team reviews them in the pages. A message sendguard put in
// Postfix's hold queue is found by the email's mf_message_id_hash (what its incident carries);
// the review shows its scan record (time, domains, verdict, masked findings; never content) and
// the decision, if any. A decision (release or delete, by whom, why) is recorded here, once;
// releasing needs postsuper, which only root may run, so `sendguard quarantine apply` (root,
// from a systemd timer) carries decisions out and records what happened.
#pragma once

#include <nlohmann/json.hpp>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sql.h"
#include "sendguard/common/status.h"
#include "sendguard/milter/scan_records.h"

namespace sendguard::milter {

struct QuarantineDecision {
  int64_t record_id = 0;
  std::string queue_id, decision, decided_by, reason;
  std::time_t decided_at = 0, applied_at = 0;
  std::string result;
};

class QuarantineDesk {
 public:
  QuarantineDesk(common::SqlDb& db, const common::KeyedHasher& hasher) : db_(db), hasher_(hasher) {}

  // {"messages": [{"record_id", "queue_id", "send": summary, "decision": {...} or null}, ...]}
  // for every message sendguard quarantined with that hash, oldest first; nullopt when none.
  std::optional<nlohmann::json> Review(const std::string& message_sha256);
  // Records the decision ("release" or "delete") on one of those messages (`record_id`, which
  // must be quarantined and carry that hash) once, digits masked. NotFound: no such quarantined
  // message; InvalidArgument: a bad decision, no reason or no name, or a message already decided
  // ("already decided: ...").
  Status Decide(const std::string& message_sha256, int64_t record_id, const std::string& decision, const std::string& by,
                const std::string& reason, std::time_t now);
  // Records what the command line did by hand (`sendguard quarantine release`), so the pages
  // show it and nobody decides it again.
  Status RecordDone(int64_t record_id, const std::string& queue_id, const std::string& decision, const std::string& by,
                    const std::string& reason, const std::string& result, std::time_t now);
  // Decisions not yet carried out, oldest first.
  std::vector<QuarantineDecision> Pending();
  Status MarkApplied(int64_t record_id, const std::string& result, std::time_t now);

 private:
  std::optional<QuarantineDecision> DecisionFor(int64_t record_id);
  // One decision row (`result` set: already carried out); "already decided" when one exists.
  Status Insert(const ScanRecord& r, const std::string& decision, const std::string& who, const std::string& said,
                std::time_t now, const std::string* result);
  common::SqlDb& db_;
  const common::KeyedHasher& hasher_;
};

}  // namespace sendguard::milter
