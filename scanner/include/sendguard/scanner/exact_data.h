// SPDX-License-Identifier: Apache-2.0
// Exact data match: the identifiers an organisation holds, as keyed hashes only.
// Stored one file per type (`<dir>/<type id>.hashes`, one lower-case hex hash a line).
#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "sendguard/common/status.h"

namespace sendguard::scanner {

// A set of keyed hashes per type id. Immutable once loaded; thread-safe to read.
class ExactDataSet {
 public:
  // Reads every `*.hashes` file in `dir` (a missing dir is an empty set).
  static Result<ExactDataSet> Load(const std::filesystem::path& dir);
  // True when `hash` of a value of `type` is in the set.
  bool Contains(const std::string& type, const std::string& hash) const;
  // Adds a hash (used by import and tests).
  void Add(const std::string& type, std::string hash);
  // Number of hashes held for `type`.
  size_t Size(const std::string& type) const;
  // Writes `<dir>/<type>.hashes` for `type` (sorted, de-duplicated), replacing it atomically.
  Status Save(const std::filesystem::path& dir, const std::string& type) const;

 private:
  std::unordered_map<std::string, std::unordered_set<std::string>> hashes_;
};

}  // namespace sendguard::scanner
