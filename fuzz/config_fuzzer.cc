// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the two configuration files, sendguard.yaml (the milter's, shared with the
// command line) and core.yaml (the core's), parsed and, when accepted, described as
// --check-config prints them. The first byte picks which.
#include "core_config.h"
#include "fuzz_support.h"
#include "sendguard/milter/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  const auto in = fuzz::Select(data, size, 2);
  const std::string text(in.rest);
  if (in.choice == 0) {
    auto config = milter::ParseConfig(text, "sendguard.yaml");
    if (config.ok()) {
      fuzz::Check(!milter::DescribeConfig(*config).empty(), "an accepted config with no description");
    } else {
      fuzz::Check(!config.status().message().empty(), "a refused config without a reason");
    }
  } else {
    auto core = incident::ParseCoreConfig(text, "core.yaml");
    if (core.ok()) {
      fuzz::Check(!incident::DescribeCoreConfig(*core).empty(), "an accepted config with no description");
    } else {
      fuzz::Check(!core.status().message().empty(), "a refused config without a reason");
    }
  }
  return 0;
}
