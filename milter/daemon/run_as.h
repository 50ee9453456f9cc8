// SPDX-License-Identifier: Apache-2.0
// Dropping root for the gateway's programs (sendguard-milter, sendguard-desk): the paths they
// write are given to milter.user first, then the process becomes that user and group.
#pragma once

#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/milter/config.h"

namespace sendguard::milter {

// Gives `owned_paths` to milter.user and its group, and `owned_keep_group` (a unix socket in
// a setgid directory) to milter.user only, then drops to them. Not root: nothing to drop.
Status DropPrivileges(const MilterSettings& m, const std::vector<std::string>& owned_paths,
                      const std::vector<std::string>& owned_keep_group = {});

}  // namespace sendguard::milter
