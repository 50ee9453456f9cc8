// SPDX-License-Identifier: Apache-2.0
// The milter's own SQLite file (`<state_dir>/state.db`): recipient history, used
// confirmation codes and, later, scan records. Opening applies the schema migrations.
#pragma once

#include <filesystem>
#include <memory>

#include "sendguard/common/sqlite.h"
#include "sendguard/common/status.h"

namespace sendguard::milter {

Result<std::unique_ptr<common::SqliteDb>> OpenStateDb(const std::filesystem::path& path);

}  // namespace sendguard::milter
