// SPDX-License-Identifier: Apache-2.0
// What the connection handlers share: the live snapshot, the worker pool, metrics, the log,
// the key of message digests and the poison journal. One instance, set up by main before the
// event loop runs.
#pragma once

#include <spdlog/logger.h>

#include <atomic>
#include <memory>
#include <string>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/metrics.h"
#include "sendguard/milter/poison_journal.h"
#include "sendguard/milter/snapshot.h"
#include "sendguard/milter/worker_pool.h"
#include "sendguard/milter_protocol/handler.h"

namespace sendguard::milter {

struct DaemonState {
  std::unique_ptr<SnapshotStore> snapshots;
  std::unique_ptr<WorkerPool> pool;
  Metrics metrics;
  std::shared_ptr<spdlog::logger> log;
  std::string spool_dir;
  const common::KeyedHasher* hasher = nullptr;  // main's, for message digests
  std::unique_ptr<PoisonJournal> journal;        // null: no crash protection (it could not be opened)
  bool json_log = false;
  // The milter socket is a local (unix) socket: no Nagle or delayed ACK, so the MTA can be
  // told not to wait for an answer to any step before end of message (one round trip a message).
  bool local_socket = false;
  std::atomic<int> sessions{0};  // open MTA connections
};

// Set once by main; read by the handlers.
DaemonState& Daemon();

// sendguard's handler for one MTA connection (milter_handler.cc).
std::unique_ptr<milter_protocol::Handler> NewConnectionHandler();

}  // namespace sendguard::milter
