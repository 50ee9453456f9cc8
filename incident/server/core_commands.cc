// SPDX-License-Identifier: Apache-2.0
// sendguard-core's admin commands (see core_commands.h).
#include "core_commands.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include "accounts.h"
#include "sendguard/common/sql.h"
#include "sendguard/common/service_file.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/incident/incident_service.h"
#include "sendguard/incident/store.h"

namespace sendguard::incident {
namespace {

int Refused(const std::string& what, const Status& st) {
  std::fprintf(stderr, "sendguard-core: %s: %s\n", what.c_str(), st.message().c_str());
  return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

std::string FormatTime(std::time_t t) {
  if (t == 0) return "never";
  char buf[32];
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%MZ", &tm);
  return buf;
}

// A password kept in a file (or read from standard input): its text without the line end.
Result<std::string> ReadPassword(const std::string& path) {
  std::ifstream in(path.empty() ? "/dev/stdin" : path, std::ios::binary);
  if (!in) return IoError("cannot read " + (path.empty() ? std::string("standard input") : path));
  std::stringstream s;
  s << in.rdbuf();
  std::string out = s.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Opens accounts.db after making it (and its WAL files, when present) the service's, 0600.
Result<std::unique_ptr<Accounts>> OpenPrivateAccounts(const CoreSettings& settings) {
  if (common::IsPostgresSetting(settings.accounts_db)) return Accounts::Open(settings.accounts_db);  // no file to own
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    const std::string path = settings.accounts_db + suffix;
    if (!suffix.empty() && !std::filesystem::exists(path)) continue;
    auto made = common::MakeServiceFile(path, settings.service_user, 0600, common::FileOwner::kService,
                                        /*allow_root_fallback=*/true);
    if (!made.ok()) return made.status();
    if (suffix.empty()) std::fprintf(stderr, "sendguard-core: %s\n", made->c_str());
  }
  return Accounts::Open(settings.accounts_db);
}

int UserCommand(const CoreSettings& settings, const CoreCommand& c) {
  auto accounts = OpenPrivateAccounts(settings);
  if (!accounts.ok()) return Refused("accounts", accounts.status());
  Accounts& a = **accounts;
  if (c.action == "add") {
    Status st;
    if (c.sso_only) {
      st = a.AddSsoUser(c.name, c.role, c.directorates);
    } else {
      auto password = ReadPassword(c.password_file);
      st = password.ok() ? a.AddUser(c.name, c.role, *password, c.directorates) : password.status();
    }
    if (!st.ok()) return Refused("user add", st);
    std::printf("user %s (%s%s) saved in %s; any sessions it had are ended\n", c.name.c_str(), c.role.c_str(),
                c.sso_only ? ", single sign-on only" : "", common::RedactedSetting(settings.accounts_db).c_str());
    return 0;
  }
  if (c.action == "list") {
    auto users = a.Users();
    if (!users.ok()) return Refused("user list", users.status());
    std::printf("%-32s %-21s %-8s %-9s %-8s %s\n", "name", "role", "login", "state", "sessions", "directorates");
    for (const auto& u : *users) {
      std::string scope;
      for (const auto& d : u.directorates) scope += (scope.empty() ? "" : "; ") + d;
      std::printf("%-32s %-21s %-8s %-9s %-8d %s\n", u.name.c_str(), u.role.c_str(),
                  u.sso_only ? "sso" : u.link_only ? "link" : "password", u.disabled ? "disabled" : "enabled", u.sessions,
                  scope.empty() ? "all" : scope.c_str());
    }
    return 0;
  }
  if (c.action == "disable" || c.action == "remove") {
    Status st = c.action == "disable" ? a.DisableUser(c.name) : a.RemoveUser(c.name);
    if (!st.ok()) return Refused("user " + c.action, st);
    std::printf("user %s %s; their sessions are ended\n", c.name.c_str(), c.action == "disable" ? "disabled" : "removed");
    return 0;
  }
  return 2;
}

// Writes a new token to `path` (0640, root:service group, so the milter running as the service
// user can read it but not change it), refusing to replace one unless `force`.
Status WriteTokenFile(const CoreSettings& settings, const std::string& path, const std::string& token, bool force) {
  if (std::filesystem::exists(path) && !force) {
    return InvalidArgument(path + " exists: pass --force to replace it (revoke the old token's name first)");
  }
  const std::string text = token + "\n";
  auto made = common::MakeServiceFile(path, settings.service_user, 0640, common::FileOwner::kRootServiceGroup,
                                      /*allow_root_fallback=*/true, &text);
  if (!made.ok()) return made.status();
  std::fprintf(stderr, "sendguard-core: %s\n", made->c_str());
  return Status::Ok();
}

int TokenCommand(const CoreSettings& settings, const CoreCommand& c) {
  auto accounts = OpenPrivateAccounts(settings);
  if (!accounts.ok()) return Refused("accounts", accounts.status());
  Accounts& a = **accounts;
  if (c.action == "add") {
    std::string token;
    if (Status st = a.AddToken(c.name, c.role, std::time(nullptr), &token); !st.ok()) return Refused("token add", st);
    if (c.output.empty()) {
      std::printf("%s\n", token.c_str());
      std::fprintf(stderr, "sendguard-core: token %s (%s) created; it is shown once, above, and kept only as a hash\n",
                   c.name.c_str(), c.role.c_str());
      return 0;
    }
    if (Status st = WriteTokenFile(settings, c.output, token, c.force); !st.ok()) {
      (void)a.RevokeToken(c.name);  // not written anywhere: nobody could use it
      return Refused("token add", st);
    }
    std::printf("token %s (%s) created and written to %s\n", c.name.c_str(), c.role.c_str(), c.output.c_str());
    return 0;
  }
  if (c.action == "list") {
    auto tokens = a.Tokens();
    if (!tokens.ok()) return Refused("token list", tokens.status());
    std::printf("%-32s %-22s %-18s %s\n", "name", "role", "created", "last used");
    for (const auto& t : *tokens) {
      std::printf("%-32s %-22s %-18s %s\n", t.name.c_str(), t.role.c_str(), FormatTime(t.created).c_str(),
                  FormatTime(t.last_used).c_str());
    }
    return 0;
  }
  if (c.action == "revoke") {
    if (Status st = a.RevokeToken(c.name); !st.ok()) return Refused("token revoke", st);
    std::printf("token %s revoked: it is refused from now on\n", c.name.c_str());
    return 0;
  }
  return 2;
}

int AuditCommand(const CoreSettings& settings) {
  auto store = OpenStore(settings.db);
  if (!store.ok()) return Refused(common::RedactedSetting(settings.db), store.status());
  auto check = (*store)->VerifyAudit();
  if (!check.ok()) return Refused("audit verify", check.status());
  if (!check->ok) {
    std::printf("TAMPERED: %s%s: incident %s: %s\n", common::RedactedSetting(settings.db).c_str(),
                check->first_bad_seq ? (" audit entry " + std::to_string(check->first_bad_seq)).c_str() : "",
                check->incident_id.c_str(), check->problem.c_str());
    return 1;
  }
  std::printf("ok: %lld audit entries over %lld incidents chain correctly%s; head %s\n",
              static_cast<long long>(check->entries), static_cast<long long>(check->incidents),
              check->legacy ? (" (" + std::to_string(check->legacy) + " older entries predate the chain)").c_str() : "",
              check->head.empty() ? "(none)" : check->head.c_str());
  return 0;
}

// `retention apply [--dry-run]`: the schedule in core.yaml over the closed incidents, recorded
// either way; `retention runs`: the runs recorded, newest first.
int RetentionCommand(const CoreSettings& settings, const CoreCommand& c) {
  auto store = OpenStore(settings.db);
  if (!store.ok()) return Refused(common::RedactedSetting(settings.db), store.status());
  if (c.action == "runs") {
    auto runs = (*store)->RetentionRuns(50);
    if (!runs.ok()) return Refused("retention runs", runs.status());
    for (const auto& r : *runs) {
      std::printf("%s %s %s: %d due, %d done\n", r.value("at", "").c_str(), r.value("run", "").c_str(),
                  r.value("dry_run", false) ? "dry run" : "applied", r["summary"].value("due", 0), r["summary"].value("done", 0));
    }
    return 0;
  }
  IncidentService service(**store, settings.assessment, NowUtc);
  const std::string run = "retention-" + FormatInstant(NowUtc()) + "-" + common::RandomHex(4);
  auto result = service.ApplyRetention(settings.retention, c.force, run);
  if (!result.ok()) return Refused("retention", result.refusal ? InvalidArgument(result.refusal->errors.empty() ? "" : result.refusal->errors[0].reason) : result.internal);
  std::printf("%s\n", result.value->dump(2).c_str());
  return 0;
}

}  // namespace

int RunCoreCommand(const CoreSettings& settings, const CoreCommand& command) {
  if (command.group == "user") return UserCommand(settings, command);
  if (command.group == "token") return TokenCommand(settings, command);
  if (command.group == "audit") return AuditCommand(settings);
  if (command.group == "retention") return RetentionCommand(settings, command);
  return 2;
}

}  // namespace sendguard::incident
