// SPDX-License-Identifier: Apache-2.0
// A rule set compiled for scanning: one Hyperscan database holding every pattern,
// context keyword and dictionary term, plus the RE2 confirmers and validators.
// Build once per rule load (expensive), then share read-only between threads.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "sendguard/common/status.h"
#include "sendguard/rules/rule_set.h"
#include "sendguard/scanner/exact_data.h"

namespace sendguard::scanner {

class CompiledRulesImpl;

// Immutable after CompileRules returns; thread-safe for any number of readers.
class CompiledRules {
 public:
  ~CompiledRules();
  const rules::RuleSet& rule_set() const;
  const ExactDataSet& exact_data() const;
  const CompiledRulesImpl& impl() const { return *impl_; }
  // How the database came to be, for the start and reload log lines: "compiled",
  // "compiled; kept in the cache", "from the cache", or "compiled (cache: why not)".
  const std::string& database_origin() const;
  explicit CompiledRules(std::unique_ptr<CompiledRulesImpl> impl);

 private:
  std::unique_ptr<CompiledRulesImpl> impl_;
};

struct CompileOptions {
  // Where compiled databases are kept between starts and reloads (database_cache.h); made
  // when its parent exists. Empty: compile every time.
  std::filesystem::path cache_dir;
};

// Compiles `rules` (enabled types only). Fails with `file:line: reason` when a pattern is
// refused by Hyperscan or RE2, has unbounded width, or names an unknown validator. Every
// check runs whether or not the database then comes from the cache.
Result<std::shared_ptr<const CompiledRules>> CompileRules(rules::RuleSet rules, ExactDataSet exact_data = {},
                                                          const CompileOptions& options = {});

}  // namespace sendguard::scanner
