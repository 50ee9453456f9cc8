// SPDX-License-Identifier: Apache-2.0
// `sendguard rules check` (load and compile, report file:line) and `sendguard rules test`
// (scan every type's inline must_match / must_not_match examples).
#include <cstdio>

#include "commands.h"
#include "sendguard/scanner/scanner.h"

namespace sendguard::cli {

int RunRulesCheck(const EngineFlags& flags) {
  auto config = LoadCliConfig(flags);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().message().c_str());
    return 1;
  }
  auto engine = LoadEngine(flags, *config);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().message().c_str());
    return 1;
  }
  auto policy = LoadPolicies(flags, *config, **engine);
  if (!policy.ok()) {
    std::fprintf(stderr, "%s\n", policy.status().message().c_str());
    return 1;
  }
  const auto& rs = (*engine)->rule_set();
  size_t enabled = 0, terms = 0;
  for (const auto& t : rs.types) enabled += t.enabled ? 1 : 0;
  for (const auto& d : rs.dictionaries) terms += d.terms.size();
  std::printf("rules ok: version %s, %zu types (%zu enabled), %zu dictionaries (%zu terms), %zu files\n",
              rs.version.c_str(), rs.types.size(), enabled, rs.dictionaries.size(), terms, rs.files.size());
  size_t monitor = 0;
  for (const auto& p : (*policy)->policies().policies) monitor += p.monitor ? 1 : 0;
  std::printf("policies ok: %zu policies (%zu in monitor mode) from %zu files; explanations in %zu languages\n",
              (*policy)->policies().policies.size(), monitor, (*policy)->policies().files.size(),
              (*policy)->templates().languages.size());
  return 0;
}

int RunRulesTest(const EngineFlags& flags) {
  auto engine = LoadEngine(flags);
  if (!engine.ok()) {
    std::fprintf(stderr, "%s\n", engine.status().message().c_str());
    return 1;
  }
  common::KeyedHasher hasher("rules-test");
  scanner::Scanner scanner(*engine, hasher);
  int passed = 0, failed = 0;
  auto found = [&](const std::string& type, const std::string& text) {
    for (const auto& f : scanner.ScanText(text).findings) {
      if (f.type == type) return true;
    }
    return false;
  };
  for (const auto& t : (*engine)->rule_set().types) {
    if (!t.enabled) continue;
    for (const auto& ex : t.must_match) {
      if (found(t.id, ex.text)) {
        ++passed;
      } else {
        ++failed;
        std::printf("%s: %s: must_match example not found\n", ex.where.ToString().c_str(), t.id.c_str());
      }
    }
    for (const auto& ex : t.must_not_match) {
      if (!found(t.id, ex.text)) {
        ++passed;
      } else {
        ++failed;
        std::printf("%s: %s: must_not_match example was found\n", ex.where.ToString().c_str(), t.id.c_str());
      }
    }
  }
  std::printf("rule examples: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace sendguard::cli
