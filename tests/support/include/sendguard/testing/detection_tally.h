// SPDX-License-Identifier: Apache-2.0
// Counts of true positives, false positives and false negatives, and the recall and precision
// they give (the corpus tests).
#pragma once

namespace sendguard::testing {

struct Tally {
  int tp = 0, fp = 0, fn = 0;
  double Recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / (tp + fn); }
  double Precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / (tp + fp); }
};

}  // namespace sendguard::testing
