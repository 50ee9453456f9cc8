// SPDX-License-Identifier: Apache-2.0
// The gateway's state database: recipient history, used confirmation codes, scan records,
// holds, the outboxes. The milter's own SQLite file (`<state_dir>/state.db`), or the same
// tables in PostgreSQL (a postgresql:// URL or "host=... dbname=..."). Opening applies the
// schema migrations.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "sendguard/common/sql.h"
#include "sendguard/common/status.h"

namespace sendguard::milter {

Result<std::unique_ptr<common::SqlDb>> OpenStateDb(const std::string& where);

}  // namespace sendguard::milter
