// SPDX-License-Identifier: Apache-2.0
// What `sendguard-milter --check-config` checks beyond the config's syntax: what start will
// need, as the account the milter runs as (milter.user when run as root, as the unit's
// ExecStartPre is not; otherwise whoever runs it): milter.user and milter.group exist, the
// secret readable (or creatable), the state and unix-socket directories writable (and the
// group the socket will get), the core's token readable, the core reachable.
#pragma once

#include <string>
#include <vector>

#include "sendguard/milter/config.h"

namespace sendguard::milter {

struct StartCheck {
  enum class Level { kOk, kWarning, kProblem };
  Level level = Level::kOk;  // kProblem: start would fail; kWarning: start works, something waits or is exposed
  std::string text;          // one line
};

// The label --check-config prints before a check's text: "ok:", "WARNING:" or "PROBLEM:".
const char* StartCheckLabel(StartCheck::Level level);

std::vector<StartCheck> CheckStartNeeds(const Config& config);

}  // namespace sendguard::milter
