// SPDX-License-Identifier: Apache-2.0
// The shipped free-mail list (rules/recipients/freemail.yaml), loaded once per process, for
// tests and benchmarks. A list that does not load is a broken build: report it and abort.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sendguard/rules/recipients.h"

namespace sendguard::testing {

inline const std::vector<std::string>& ShippedFreemail() {
  static const std::vector<std::string> list = [] {
    auto loaded = rules::LoadDomainList(std::string(SENDGUARD_RULES_DIR) + "/recipients/freemail.yaml");
    if (!loaded.ok()) {
      std::fprintf(stderr, "shipped free-mail list does not load:\n%s\n", loaded.status().message().c_str());
      std::abort();
    }
    return *loaded;
  }();
  return list;
}

}  // namespace sendguard::testing
