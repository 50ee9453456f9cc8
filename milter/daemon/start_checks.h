// What `sendguard-milter --check-config` checks beyond the config's syntax: what start will
// need, as the account the milter runs as (milter.user when run as root, as the unit's
// ExecStartPre is not; otherwise whoever runs it): the secret readable (or creatable), the
// state and unix-socket directories writable, the core's token readable, the core reachable.
#pragma once

#include <string>
#include <vector>

#include "sendguard/milter/config.h"

namespace sendguard::milter {

struct StartCheck {
  bool fatal = false;  // start would fail
  std::string text;    // one line
};

std::vector<StartCheck> CheckStartNeeds(const Config& config);

}  // namespace sendguard::milter
