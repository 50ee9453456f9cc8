// SPDX-License-Identifier: Apache-2.0
// The end-to-end tests' privacy check: none of the planted NHS numbers, written plain or in
// their grouped 3-3-4 layout, appears in a log, a database or a delivered notice.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sendguard/synth/synth.h"

namespace sendguard::testing {

inline void ExpectNoNhsNumber(const std::string& text, const std::vector<std::string>& planted, const std::string& where) {
  for (const auto& n : planted) {
    EXPECT_EQ(text.find(n), std::string::npos) << where;
    EXPECT_EQ(text.find(synth::Grouped(n, {3, 3, 4}, ' ')), std::string::npos) << where;
  }
}

}  // namespace sendguard::testing
