// SPDX-License-Identifier: Apache-2.0
// The worker pool's own answers, without a scan: how many threads it runs, a thread whose
// Processor cannot be built, a full queue, the journal's hooks around every message, a
// suspect processed alone, and a job nobody waits for skipped.
#include "sendguard/milter/worker_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>

namespace sendguard::milter {
namespace {

Result<std::unique_ptr<Processor>> CannotStart() { return Internal("no state database"); }

TEST(WorkerPoolTest, ZeroWorkersMeansOnePerCpu) {
  EXPECT_EQ(WorkerPool(0, 4, CannotStart).Workers(), std::max(1u, std::thread::hardware_concurrency()));
  EXPECT_EQ(WorkerPool(3, 4, CannotStart).Workers(), 3u);
}

TEST(WorkerPoolTest, AThreadWithoutAProcessorAnswersInternalError) {
  WorkerPool pool(1, 4, CannotStart);
  std::string failure;
  EXPECT_FALSE(pool.Run(MessageJob{}, std::chrono::seconds(30), &failure).has_value());
  EXPECT_EQ(failure, "internal_error");
}

TEST(WorkerPoolTest, AFullQueueIsOverloadedAtOnce) {
  WorkerPool pool(1, 0, CannotStart);
  std::string failure;
  EXPECT_FALSE(pool.Run(MessageJob{}, std::chrono::seconds(30), &failure).has_value());
  EXPECT_EQ(failure, "overloaded");
}

TEST(WorkerPoolTest, HooksRunAroundEveryMessageAndASuspectIsProcessedAlone) {
  WorkerPool pool(3, 64, CannotStart);
  std::atomic<int> now{0}, most{0}, after{0};
  std::atomic<bool> alone_shared{false};
  auto job = [&](bool alone) {
    MessageJob j;
    j.alone = alone;
    j.before_scan = [&, alone](const MessageJob&) {
      const int n = ++now;
      most = std::max(most.load(), n);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (alone && now != 1) alone_shared = true;
      --now;
    };
    j.after_scan = [&](const MessageJob&) { ++after; };
    return j;
  };
  std::vector<std::future<void>> sends;
  for (int i = 0; i < 24; ++i) {
    sends.push_back(std::async(std::launch::async, [&, i] {
      std::string failure;
      pool.Run(job(i % 6 == 0), std::chrono::seconds(30), &failure);
    }));
  }
  for (auto& f : sends) f.get();
  EXPECT_EQ(after, 24) << "after_scan runs for every message, even one that failed";
  EXPECT_GT(most, 1) << "ordinary messages run side by side";
  EXPECT_FALSE(alone_shared) << "a suspect never shares the pool";
}

TEST(WorkerPoolTest, AJobNobodyWaitsForIsSkippedBeforeItStarts) {
  WorkerPool pool(1, 8, CannotStart);
  std::promise<void> release;
  auto gate = release.get_future().share();
  MessageJob busy;
  busy.before_scan = [gate](const MessageJob&) { gate.wait(); };  // holds the one worker
  std::promise<std::optional<JobResult>> busy_done;
  ASSERT_TRUE(pool.Submit(std::move(busy), [&](std::optional<JobResult> r) { busy_done.set_value(std::move(r)); }));
  std::atomic<bool> cancelled{false}, hooks_ran{false};
  MessageJob queued;
  queued.cancelled = [&] { return cancelled.load(); };
  queued.before_scan = [&](const MessageJob&) { hooks_ran = true; };
  std::promise<std::optional<JobResult>> queued_done;
  ASSERT_TRUE(pool.Submit(std::move(queued), [&](std::optional<JobResult> r) { queued_done.set_value(std::move(r)); }));
  cancelled = true;  // the MTA connection closed while it waited
  release.set_value();
  busy_done.get_future().get();
  EXPECT_FALSE(queued_done.get_future().get().has_value());
  EXPECT_FALSE(hooks_ran) << "never begun: no journal record, no scan, no state written";
}

}  // namespace
}  // namespace sendguard::milter
