// SPDX-License-Identifier: Apache-2.0
// The shipped rule set, loaded and compiled once per process (or read from the run's cache),
// for tests and benchmarks.
// A rule set that does not load is a broken build: report it and abort.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/compiled_rules.h"

namespace sendguard::testing {

inline std::shared_ptr<const scanner::CompiledRules> ShippedRules() {
  static const std::shared_ptr<const scanner::CompiledRules> compiled = [] {
    auto rs = rules::LoadRuleSet({SENDGUARD_RULES_DIR});
    if (!rs.ok()) {
      std::fprintf(stderr, "shipped rules do not load:\n%s\n", rs.status().message().c_str());
      std::abort();
    }
    // The test run's cache (SENDGUARD_RULES_CACHE, set by ctest), as every daemon it starts uses.
    const char* cache = std::getenv("SENDGUARD_RULES_CACHE");
    auto c = scanner::CompileRules(std::move(rs).value(), {}, {.cache_dir = cache ? cache : ""});
    if (!c.ok()) {
      std::fprintf(stderr, "shipped rules do not compile:\n%s\n", c.status().message().c_str());
      std::abort();
    }
    return *c;
  }();
  return compiled;
}

}  // namespace sendguard::testing
