// SPDX-License-Identifier: Apache-2.0
// The worker pool's own answers, without a scan: how many threads it runs, a thread whose
// Processor cannot be built, and a full queue.
#include "sendguard/milter/worker_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
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

}  // namespace
}  // namespace sendguard::milter
