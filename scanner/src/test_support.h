// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the scanner's tests: the shipped rules compiled once, and lookups
// into a ScanResult.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/compiled_rules.h"
#include "sendguard/scanner/finding.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard::scanner::testing {

inline const char* kTestSecret = "sendguard-test-secret";

using ::sendguard::testing::ShippedRules;

// Distinct values of `type` found at `min` confidence or above.
inline uint64_t CountAtLeast(const ScanResult& r, const std::string& type, Confidence min) {
  uint64_t n = 0;
  for (const auto& f : r.findings) {
    if (f.type == type && f.confidence >= min) n += f.count;
  }
  return n;
}

// The highest confidence `type` was found at, or nullopt.
inline std::optional<Confidence> BestConfidence(const ScanResult& r, const std::string& type) {
  std::optional<Confidence> best;
  for (const auto& f : r.findings) {
    if (f.type == type && (!best || f.confidence > *best)) best = f.confidence;
  }
  return best;
}

// A fresh temporary directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("sendguard-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  void Write(const std::string& rel, const std::string& content) const {
    std::filesystem::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << content;
  }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

}  // namespace sendguard::scanner::testing
