// SPDX-License-Identifier: Apache-2.0
// A fixed set of scanning threads, each with its own Processor. The milter's event loop hands
// a message over at end of message (Submit) and is called back with the result on the
// scanning thread; Run waits for it up to a deadline (tests, tools). A full queue or a missed
// deadline is reported so the fail mode can answer instead.
#pragma once

#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "sendguard/milter/processor.h"

namespace sendguard::milter {

// Blocks the signals the daemon's main thread takes with sigwait (SIGHUP, SIGTERM, SIGINT) in
// the calling thread, and returns that set. Threads started afterwards inherit the mask.
sigset_t BlockDaemonSignals();

class WorkerPool {
 public:
  // `make` builds one Processor per worker (called on that worker's thread). `workers` 0 or
  // less: one per CPU.
  WorkerPool(int workers, int queue_depth, std::function<Result<std::unique_ptr<Processor>>()> make);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; `done` is called on the scanning thread with the result (nullopt: the
  // processor failed: internal_error). False when the queue is full ("overloaded"): `done` is
  // then never called.
  using OnResult = std::function<void(std::optional<JobResult>)>;
  bool Submit(MessageJob job, OnResult done);
  // The result, or nullopt with *failure = "overloaded" (queue full), "scan_timeout"
  // (deadline passed; the scan's result is dropped) or "internal_error".
  std::optional<JobResult> Run(MessageJob job, std::chrono::milliseconds deadline, std::string* failure);
  // How many scanning threads run (the configured count, resolved).
  size_t Workers() const { return threads_.size(); }

 private:
  struct Task {
    MessageJob job;
    OnResult done;
  };
  void Loop();
  // Waits until `job` may be processed (a job marked alone: when nothing else is; any other:
  // when no job marked alone is waiting or running), and marks it running. Then Done.
  void Admit(const MessageJob& job);
  void Done(const MessageJob& job);

  std::function<Result<std::unique_ptr<Processor>>()> make_;
  size_t queue_depth_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Task>> queue_;
  bool stopping_ = false;
  int running_ = 0;          // jobs being processed
  int alone_waiting_ = 0;    // jobs marked alone waiting for the others to finish
  bool alone_running_ = false;
  std::condition_variable admit_cv_;
  std::vector<std::thread> threads_;
};

}  // namespace sendguard::milter
