// SPDX-License-Identifier: Apache-2.0
// sendguard-desk's release worker, with a shared store (several gateways): carries out the
// answers senders give on any core's hold pages (recorded in the shared store's `holds`,
// sendguard/holds/shared_holds.h), whichever gateway made the hold. Each round it claims the
// oldest unclaimed answer (a lease, so a worker that dies mid-release is taken over), adopts a
// hold another gateway made (its sealed copy from the store, a row here), marks a release as
// this gateway's before the SMTP hand-over, and runs the same release or cancel as the desk's
// own endpoint: the copy re-injected through this gateway's MTA with the signed release header,
// which this gateway's milter honours once because only this gateway has the hold in state
// releasing; the outcome filed from this gateway's copy of the warning (shared by
// sendguard-sync, so it is filed once); the store told how it ended. A failed attempt (the MTA
// away) is given back and tried again, by this gateway only once it began sending; an answer
// not signed by a core, or still failing after max_attempts, ends as failed.
#pragma once

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/sql.h"

namespace sendguard::milter {

struct ReleaseWorkerOptions {
  std::string shared_store;  // libpq connection string (sendguard-sync's)
  std::string gateway;       // this gateway's id (sendguard-sync's --gateway-id)
  std::string holder;        // this worker's name in claims: gateway id, host and process
  std::string state_db;      // this gateway's state database
  std::string held_dir;      // <state_dir>/held
  std::string smtp_url;      // this gateway's MTA, where released copies go in
  const common::KeyedHasher* hasher = nullptr;
  const common::SealKey* seal = nullptr;
  int lease_seconds = 300;   // longer than a release can take (the SMTP hand-over waits up to 120 s)
  int retry_seconds = 30;    // after a failed attempt
  int max_attempts = 120;    // then the answer ends as failed (an hour of retries) and the hold expires as usual
  int warning_wait_attempts = 10;  // a hold made elsewhere waits this long for its warning to arrive by sync
  int poll_ms = 1000;
  std::function<void(const std::string&)> log;  // one line per event (ids and states only)
};

// One round: claims and carries out answers until none is left (or `stop`). Returns how many
// were ended. `clock` is read afresh for each claim and each step (a release may wait minutes
// on the MTA).
Result<int> CarryOutHoldAnswers(common::SqlDb& shared, common::SqlDb& local, const ReleaseWorkerOptions& options,
                                const std::function<std::time_t()>& clock, const std::atomic<bool>* stop = nullptr);

class ReleaseWorker {
 public:
  // Runs rounds on its own thread, with its own connections, every poll_ms.
  explicit ReleaseWorker(ReleaseWorkerOptions options);
  ~ReleaseWorker();  // stops and joins

 private:
  void Run();
  ReleaseWorkerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sendguard::milter
