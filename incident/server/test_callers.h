// SPDX-License-Identifier: Apache-2.0
// The server tests' callers: a person of a given role (and, for an investigating officer, the
// directorates they are limited to), as a session would present them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "api_identity.h"

namespace sendguard::incident::test_support {

inline Caller As(Role role, const std::string& id, std::vector<std::string> directorates = {}) {
  Caller c;
  c.actor = {id, id, role};
  c.directorates = std::move(directorates);
  return c;
}

}  // namespace sendguard::incident::test_support
