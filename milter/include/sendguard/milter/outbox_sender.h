// SPDX-License-Identifier: Apache-2.0
// Delivers the incident outbox to the assessment core on its own thread: expires held messages
// and unconfirmed warnings (into the outbox), sends the milter's own queued mail (hold notices)
// by SMTP, POSTs due drafts to <core_url>/api/incidents with the draft id as
// Idempotency-Key (libcurl), and backs off (1 s doubling to outbox_retry_max_seconds) while
// the core is away. Only draft ids and HTTP statuses are logged.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sendguard/common/sealed.h"
#include "sendguard/common/sql.h"
#include "sendguard/milter/metrics.h"

namespace sendguard::milter {

struct OutboxSenderOptions {
  std::string core_url;
  std::string token;               // bearer token ("" = none)
  int retry_max_seconds = 300;
  int poll_ms = 1000;
  std::function<void(const std::string&)> log;  // one line per event
  // Hold-and-confirm: where held copies live, the key queued mail is sealed with, and the MTA
  // it is sent through. Without a key no mail is sent.
  std::string held_dir;
  const common::SealKey* seal = nullptr;
  std::string smtp_url;
};

class OutboxSender {
 public:
  // Opens its own connection to `state_db`.
  static Result<std::unique_ptr<OutboxSender>> Start(const std::string& state_db, OutboxSenderOptions options,
                                                     Metrics* metrics);
  ~OutboxSender();
  // Wakes the thread now (a draft was queued).
  void Nudge();

 private:
  OutboxSender() = default;
  void Run();
  // Sends what is due; housekeeping (expiries, pruning) only once per poll interval, in one
  // transaction, so a nudge after every queued draft costs a query, not a round of writes.
  void DeliverDue(bool housekeeping);
  void Housekeeping(std::time_t now);
  void ExpireHolds(std::time_t now);
  void SendMail(std::time_t now);
  // The wait before attempt `attempts` + 1: 1 s doubling, capped at retry_max_seconds.
  int BackoffSeconds(int attempts) const;

  std::unique_ptr<common::SqlDb> db_;
  OutboxSenderOptions options_;
  Metrics* metrics_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  bool nudged_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace sendguard::milter
