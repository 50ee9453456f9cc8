// SPDX-License-Identifier: Apache-2.0
// Several gateways, one shared store: copies a gateway's recipient history, used
// confirmation codes, warnings, scan records and holds between its own state database (SQLite, which the mail path reads and
// writes and never waits beyond) and the shared PostgreSQL database, both ways. Local changes
// are journalled by triggers (state_db.cc, migration 9) and pushed in batches; what other
// gateways pushed is pulled by sequence number and applied locally. While PostgreSQL is down
// the journal keeps every change and is replayed when it returns. Run by sendguard-sync.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>

#include "sendguard/common/sql.h"
#include "sendguard/common/status.h"

namespace sendguard::milter {

struct SyncCounts {
  int64_t pushed = 0;   // journal rows sent to the shared store
  int64_t pulled = 0;   // rows from other gateways applied locally
  int64_t backlog = 0;  // journal rows still to push after this round
};

class SharedSync {
 public:
  // `local`: this gateway's state database; `gateway_id`: its name in the shared store;
  // `held_dir`: where its held messages' sealed copies are (<state_dir>/held; empty: holds are
  // pushed without them).
  SharedSync(common::SqlDb& local, std::string gateway_id, std::filesystem::path held_dir = {})
      : local_(local), gateway_(std::move(gateway_id)), held_dir_(std::move(held_dir)) {}

  // Turns journalling on (once), journalling what the local database already holds so the
  // shared store learns this gateway's past too.
  Status Enable();
  // One round: push the journal (in batches), then pull what is new. On failure the journal
  // and the pull positions stay where they were (nothing lost; what was pushed twice is
  // applied idempotently, except that a message count may be counted twice).
  Result<SyncCounts> Round(common::SqlDb& shared, size_t batch = 500);
  // Retention on the shared store, as `sendguard retention` applies it to each gateway's file
  // (scan records past scan_record_days, history unused for recipient_history_days), the
  // used codes and finished warnings past their expiry, and holds that ended scan_record_days ago. Any gateway may run it; it is the same
  // whoever does.
  Result<int64_t> PruneShared(common::SqlDb& shared, int scan_record_days, int history_days, std::time_t now);
  // Records in the local database how the last round went (read by sendguard-milter's
  // metrics: sendguard_shared_store_up, _backlog, _last_sync_timestamp_seconds).
  void RecordOutcome(bool ok, const SyncCounts& counts, std::time_t now, const std::string& error);

 private:
  Result<int64_t> Push(common::SqlDb& shared, size_t batch);
  Result<int64_t> Pull(common::SqlDb& shared, size_t batch);
  Result<int64_t> Backlog();
  common::SqlDb& local_;
  std::string gateway_;
  std::filesystem::path held_dir_;
};

// What sendguard-milter reports of the shared store, read from its state database.
struct SharedStoreHealth {
  bool enabled = false;  // sendguard-sync has run against this state database
  bool up = false;       // its last round reached PostgreSQL
  int64_t backlog = 0;
  int64_t last_ok = 0;   // unix seconds of the last good round
};
SharedStoreHealth ReadSharedStoreHealth(common::SqlDb& local);
// The same as Prometheus text for sendguard-milter's /metrics ("" while sync is not in use):
// sendguard_shared_store_up (0 = degraded: answering from local state only),
// sendguard_shared_store_backlog (changes waiting to be pushed), and
// sendguard_shared_store_last_sync_age_seconds.
std::string SharedStoreMetrics(const std::string& state_db, std::time_t now);

}  // namespace sendguard::milter
