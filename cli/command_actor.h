// SPDX-License-Identifier: Apache-2.0
// Who runs a `sendguard incidents` or `report-misdirected` command, for the audit trail: the
// operating-system account (and, run through sudo, the account that ran sudo). A role above
// REPORTER needs that role's credential, a token from `sendguard-core token add` given with
// --token-file and checked against the core's accounts.db; no flag can name a role.
#pragma once

#include <string>

#include "sendguard/common/status.h"
#include "sendguard/incident/lifecycle.h"

namespace sendguard::cli {

// "alice", or "root (sudo from alice)".
std::string OsAccount();

// The actor: a REPORTER known by the OS account without a token; the token's role with one.
// `changes`: the command would change the store (a READER token is refused then, as on the API).
Result<incident::Actor> CommandActor(const std::string& token_file, const std::string& accounts_db, bool changes);

}  // namespace sendguard::cli
