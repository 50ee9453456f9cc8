// SPDX-License-Identifier: Apache-2.0
// The scanning threads (see worker_pool.h).
#include "sendguard/milter/worker_pool.h"

#include <signal.h>

#include <cstdio>
#include <ctime>

namespace sendguard::milter {

WorkerPool::WorkerPool(int workers, int queue_depth, std::function<Result<std::unique_ptr<Processor>>()> make)
    : make_(std::move(make)), queue_depth_(static_cast<size_t>(queue_depth)) {
  if (workers <= 0) workers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

sigset_t BlockDaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

void WorkerPool::Loop() {
  BlockDaemonSignals();  // signals belong to the daemon's main thread, even if a pool is made elsewhere
  auto processor = make_();
  if (!processor.ok()) {
    std::fprintf(stderr, "sendguard-milter: a scanning thread cannot start: %s\n", processor.status().message().c_str());
  }
  for (;;) {
    std::shared_ptr<Task> task;
    {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, queue drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    MessageJob& job = task->job;
    if (job.cancelled && job.cancelled()) {
      // Nobody waits for it: no scan, no record of a send whose answer the MTA never had.
      try {
        task->done(std::nullopt);
      } catch (...) {
      }
      continue;
    }
    Admit(job);
    std::optional<JobResult> result;
    try {
      if (job.before_scan) job.before_scan(job);
      if (processor.ok()) result = (*processor)->Process(job, std::time(nullptr));
    } catch (...) {
      result.reset();  // answered by the internal_error fail mode
    }
    try {
      if (job.after_scan) job.after_scan(job);
    } catch (...) {
    }
    Done(job);
    try {
      task->done(std::move(result));
    } catch (...) {
      // the caller's own failure to take the result: its deadline answers
    }
  }
}

void WorkerPool::Admit(const MessageJob& job) {
  std::unique_lock<std::mutex> l(mu_);
  if (job.alone) {
    ++alone_waiting_;
    admit_cv_.wait(l, [&] { return running_ == 0 && !alone_running_; });
    --alone_waiting_;
    alone_running_ = true;
  } else {
    admit_cv_.wait(l, [&] { return alone_waiting_ == 0 && !alone_running_; });
  }
  ++running_;
}

void WorkerPool::Done(const MessageJob& job) {
  {
    std::lock_guard<std::mutex> l(mu_);
    --running_;
    if (job.alone) alone_running_ = false;
  }
  admit_cv_.notify_all();
}

bool WorkerPool::Submit(MessageJob job, OnResult done) {
  auto task = std::make_shared<Task>();
  task->job = std::move(job);
  task->done = std::move(done);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (queue_.size() >= queue_depth_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

std::optional<JobResult> WorkerPool::Run(MessageJob job, std::chrono::milliseconds deadline, std::string* failure) {
  auto promise = std::make_shared<std::promise<std::optional<JobResult>>>();
  auto future = promise->get_future();
  if (!Submit(std::move(job), [promise](std::optional<JobResult> r) { promise->set_value(std::move(r)); })) {
    *failure = "overloaded";
    return std::nullopt;
  }
  if (future.wait_for(deadline) != std::future_status::ready) {
    *failure = "scan_timeout";
    return std::nullopt;
  }
  auto result = future.get();
  if (!result) *failure = "internal_error";
  return result;
}

}  // namespace sendguard::milter
