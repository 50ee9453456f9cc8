// SPDX-License-Identifier: Apache-2.0
// The command line's actor (see command_actor.h).
#include "command_actor.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "accounts.h"

namespace sendguard::cli {

std::string OsAccount() {
  const passwd* pw = getpwuid(geteuid());
  std::string name = pw ? pw->pw_name : "uid " + std::to_string(geteuid());
  // Under sudo, who ran it; SUDO_USER is set by sudo, and only root could have set it otherwise.
  const char* sudo_user = std::getenv("SUDO_USER");
  if (geteuid() == 0 && sudo_user && *sudo_user) name += std::string(" (sudo from ") + sudo_user + ")";
  return name;
}

Result<incident::Actor> CommandActor(const std::string& token_file, const std::string& accounts_db, bool changes) {
  const std::string os = OsAccount();
  if (token_file.empty()) return incident::Actor{"os:" + os, os + " (command line)", incident::Role::kReporter};
  std::ifstream in(token_file);
  std::string token;
  if (!in || !std::getline(in, token)) return IoError("cannot read the token file " + token_file);
  // Never make an accounts database here: one made by this command (as root, say) would not be
  // the service's, and no token could be in it anyway.
  if (!std::filesystem::exists(accounts_db)) {
    return NotFound("no accounts database at " + accounts_db + " to check the token against (tokens are made with "
                    "sendguard-core token add; give --accounts-db if it is elsewhere)");
  }
  auto accounts = incident::Accounts::Open(accounts_db);
  if (!accounts.ok()) return Status(accounts.status().code(), accounts_db + ": " + accounts.status().message());
  auto looked = (*accounts)->FindToken(token, std::time(nullptr));
  if (!looked.ok()) return Status(looked.status().code(), accounts_db + ": " + looked.status().message());
  const std::optional<incident::TokenInfo>& found = *looked;
  if (!found) return PermissionDenied("the token in " + token_file + " is not known or was revoked");
  if (found->role == "MAIL_FILTER") return PermissionDenied("that is the mail filter's token: use a token made for a person's role");
  if (found->role == "READER" && changes) return PermissionDenied("a READER token reads only: use a token made for a role that may change this");
  auto role = found->role == "READER" ? std::optional(incident::Role::kReporter) : incident::Parse<incident::Role>(found->role);
  if (!role) return PermissionDenied("the token's role " + found->role + " is not one the command line can act as");
  return incident::Actor{"token:" + found->name, found->name + " (token, run by " + os + ")", *role};
}

}  // namespace sendguard::cli
