// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the policy loader on a policy file an admin wrote, checked against the shipped
// info types (unknown types, actions, signals and recipient classes are file:line errors).
#include "fuzz_support.h"
#include "sendguard/rules/policy.h"
#include "sendguard/rules/rule_loader.h"
#include "temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  static const rules::RuleSet shipped = [] {
    auto r = rules::LoadRuleSet({SENDGUARD_RULES_DIR});
    fuzz::Check(r.ok(), "the shipped rules do not load");
    return std::move(r).value();
  }();
  const auto file = fuzz::WriteTemp("policies/fuzz.yaml", fuzz::Bytes(data, size));
  auto policies = rules::LoadPolicyFiles({file}, &shipped);
  if (!policies.ok()) fuzz::Check(!policies.status().message().empty(), "a refused policy file without a reason");
  return 0;
}
