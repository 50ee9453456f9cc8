// SPDX-License-Identifier: Apache-2.0
// sendguard-core's admin commands, run on the host by the gateway admin: `user add|list|
// disable|remove`, `token add|list|revoke`, `audit verify` and `retention apply [--dry-run]|runs`. The accounts file they touch is
// made private to the service account first (0600, owned by service_user when run as root), so
// a command run as root never leaves it root's or readable by others.
#pragma once

#include <string>
#include <vector>

#include "core_config.h"

namespace sendguard::incident {

struct CoreCommand {
  std::string group, action;  // "user" "add", "token" "revoke", "audit" "verify", ...
  std::string name, role, password_file, output;
  std::vector<std::string> directorates;  // user add: an IG officer's need-to-know scope
  bool sso_only = false, force = false;  // force: token add replaces its file; retention apply: --dry-run
};

// Runs one command; returns the process exit status (0 ok, 1 refused or found tampering, 2 bad input).
int RunCoreCommand(const CoreSettings& settings, const CoreCommand& command);

}  // namespace sendguard::incident
