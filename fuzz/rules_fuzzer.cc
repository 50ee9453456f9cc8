// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the rule loader and the Hyperscan compile behind a reload, on a rule file an
// admin wrote. The first byte picks which file of a rule directory the input is (an info
// type, a dictionary, the context words), alone in its directory: with the shipped rules
// beside it every input recompiled all of them (about 13 inputs a second; alone, hundreds).
// A bad file must come back as file:line diagnostics, never a crash or a hang.
#include <array>

#include "fuzz_support.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/compiled_rules.h"
#include "temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  static constexpr std::array<const char*, 3> kFiles{"types/fuzz.yaml", "dictionaries/fuzz.yaml", "context.yaml"};
  const auto in = fuzz::Select(data, size, kFiles.size());
  // A directory of its own per file kind, holding only the fuzzed file.
  const std::string dir = std::string("rules-") + std::to_string(in.choice);
  fuzz::WriteTemp(dir + "/" + kFiles[in.choice], in.rest);
  auto rules = rules::LoadRuleSet({fuzz::TempDir() / dir});
  if (!rules.ok()) {
    fuzz::Check(!rules.status().message().empty(), "a refused rule file without a reason");
    return 0;
  }
  auto compiled = scanner::CompileRules(std::move(rules).value());
  if (!compiled.ok()) fuzz::Check(!compiled.status().message().empty(), "a refused compile without a reason");
  return 0;
}
