// SPDX-License-Identifier: Apache-2.0
// Monotonic nanoseconds for the scan's stage timings.
#pragma once

#include <chrono>
#include <cstdint>

namespace sendguard::scanner {

inline uint64_t NowNs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

}  // namespace sendguard::scanner
