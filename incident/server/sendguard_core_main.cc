// SPDX-License-Identifier: Apache-2.0
// `sendguard-core`: the assessment core server. Loads core.yaml (flags override it), opens
// the incident store and serves the JSON API and the pages on loopback until SIGTERM/SIGINT. Runs in the
// foreground (systemd's Type=simple). `--backup DEST` copies the store online and exits.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "accounts.h"
#include "api.h"
#include "ig_pages.h"
#include "core_commands.h"
#include "core_config.h"
#include "core_router.h"
#include "sendguard/common/sql.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/log_line.h"
#include "sendguard/common/service_file.h"
#include "self_report_pages.h"
#include "staff_pages.h"

using namespace sendguard;
using namespace sendguard::incident;

namespace {

Result<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A token or password kept in a file: its text without the trailing line end.
Result<std::string> ReadSecretText(const std::string& path) {
  auto text = ReadFileText(path);
  if (!text.ok()) return text;
  std::string out = *text;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sendguard-core: the incident assessment core (JSON API on loopback)"};
  std::string config_file, listen, db, backup;
  bool check = false;
  app.add_option("--config", config_file, "config file (default: built-in defaults)");
  app.add_option("--listen", listen, "ADDR:PORT to serve on, overriding the config (default 127.0.0.1:8025)");
  app.add_option("--db", db, "incident store (SQLite file), overriding the config");
  app.add_flag("--check-config", check, "print the effective configuration, then exit");
  app.add_option("--backup", backup, "copy the store to this file while it is in use, then exit");
  CoreCommand command;
  CLI::App* user = app.add_subcommand("user", "manage the pages' local accounts");
  CLI::App* user_add = user->add_subcommand("add", "create a user, or set a user's role and password (ends their sessions)");
  user_add->add_option("name", command.name, "the name to log in with")->required();
  user_add->add_option("--role", command.role, WebRoleNames())->required();
  user_add->add_option("--directorate", command.directorates,
                       "an IG officer sees only the cases of these directorates (and those without one); repeat for several");
  user_add->add_option("--password-file", command.password_file, "read the password from this file (default: standard input)");
  user_add->add_flag("--sso", command.sso_only, "no password: the user signs in through the single sign-on proxy only");
  user->add_subcommand("list", "the accounts, their roles and live sessions");
  user->add_subcommand("disable", "refuse a user's logins and end their sessions")->add_option("name", command.name)->required();
  user->add_subcommand("remove", "delete a user and their sessions")->add_option("name", command.name)->required();
  user->require_subcommand(1);
  CLI::App* token = app.add_subcommand("token", "manage the API tokens machines present (the milter, a SIEM, scripts)");
  CLI::App* token_add = token->add_subcommand("add", "create a token with a fixed role; it is shown once");
  token_add->add_option("name", command.name, "what uses it, e.g. sendguard-milter")->required();
  token_add->add_option("--role", command.role, "one of " + TokenRoleNames())->required();
  token_add->add_option("--output", command.output, "write it to this file (0640 root:service group) instead of printing it");
  token_add->add_flag("--force", command.force, "replace an existing --output file");
  token->add_subcommand("list", "the tokens (names, roles, last use; never the tokens)");
  token->add_subcommand("revoke", "refuse a token from now on")->add_option("name", command.name)->required();
  token->require_subcommand(1);
  CLI::App* audit = app.add_subcommand("audit", "the audit trail");
  audit->add_subcommand("verify", "check the audit hash chain; names the first entry that does not match");
  audit->require_subcommand(1);
  CLI::App* retention = app.add_subcommand("retention", "the retention schedule (core.yaml retention)");
  retention->add_subcommand("apply", "anonymise or delete the closed incidents the schedule says are due; every run is recorded")
      ->add_flag("--dry-run", command.force, "list what would be done, change nothing (the run is still recorded)");
  retention->add_subcommand("runs", "the retention runs recorded, newest first");
  retention->require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  std::string text;
  if (!config_file.empty()) {
    auto t = ReadFileText(config_file);
    if (!t.ok()) {
      std::fprintf(stderr, "sendguard-core: %s\n", t.status().message().c_str());
      return 2;
    }
    text = *t;
  }
  auto settings = ParseCoreConfig(text, config_file.empty() ? "(defaults)" : config_file);
  if (!settings.ok()) {
    std::fprintf(stderr, "sendguard-core: %s\n", settings.status().message().c_str());
    return 2;
  }
  if (!listen.empty()) settings->listen = listen;
  if (!db.empty()) settings->db = db;
  if (settings->accounts_db.empty()) {
    // Beside the store: the same PostgreSQL database (its own tables), or accounts.db beside
    // the SQLite file.
    settings->accounts_db = common::IsPostgresSetting(settings->db)
                                ? settings->db
                                : (std::filesystem::path(settings->db).parent_path() / "accounts.db").string();
  }
  if (check) {
    std::fputs(DescribeCoreConfig(*settings).c_str(), stdout);
    return 0;
  }
  for (CLI::App* group : {user, token, audit, retention}) {
    if (!group->parsed()) continue;
    command.group = group->get_name();
    command.action = group->get_subcommands().front()->get_name();
    return RunCoreCommand(*settings, command);
  }
  // The service from here on: every event one line with time and program (the commands above
  // print to their terminal instead).
  const auto log = common::MakeLineLogger("sendguard-core", "", false);
  ApiSettings auth;
  auth.desk.url = settings->desk_url;
  auth.milter.url = settings->milter_url;  // metrics only: no token, nothing personal
  // An upgrade from before sendguard-desk with the gateway on another host: the core's calls
  // would go to a desk on this host that does not exist.
  const auto loopback = [](const std::string& url) {
    return url.rfind("http://127.", 0) == 0 || url.rfind("http://localhost", 0) == 0 || url.rfind("http://[::1]", 0) == 0;
  };
  if (!settings->milter_url.empty() && !loopback(settings->milter_url) && loopback(settings->desk_url)) {
    log->warn("milter_url names another host ({}) but desk_url is on this one ({}): the hold and self-report pages, "
              "the quarantine review and the subject access search call the gateway's sendguard-desk at desk_url "
              "(docs/OPERATIONS.md, Upgrade)", settings->milter_url, settings->desk_url);
  }
  if (!settings->desk_url.empty()) {
    auto gateway_token = ReadSecretText(settings->milter_token_file);
    if (gateway_token.ok()) {
      auth.desk.token = *gateway_token;
    } else {
      log->warn("milter_token_file: {}; sendguard-desk will refuse the hold, self-report and admin pages' calls until it is "
                "readable (sendguard-core token add sendguard-milter --role MAIL_FILTER --output {})",
                gateway_token.status().message(), settings->milter_token_file);
    }
  }
  if (settings->sso.enabled()) {
    auto secret = ReadSecretText(settings->sso.proxy_secret_file);
    if (!secret.ok() || secret->size() < 16) {
      log->error("single_sign_on.proxy_secret_file: {}",
                 secret.ok() ? std::string("the secret must be at least 16 characters") : secret.status().message());
      return 2;
    }
    settings->sso.proxy_secret = *secret;
  }
  auto store = OpenStore(settings->db);
  if (!store.ok()) {
    log->error("{}: {}", common::RedactedSetting(settings->db), store.status().message());
    return 2;
  }
  if (!backup.empty()) {
    Status st = (*store)->Backup(backup);
    if (!st.ok()) {
      std::fprintf(stderr, "sendguard-core: backup: %s\n", st.message().c_str());
      return 1;
    }
    std::printf("backed up %s to %s\n", common::RedactedSetting(settings->db).c_str(), backup.c_str());
    return 0;
  }
  IncidentService service(**store, settings->assessment, NowUtc);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the server's threads exist

  // The pages' CSRF key: the deployment secret when readable, else one for this run only.
  auto secret = common::ReadSecretFile(settings->secret_file);
  if (!secret.ok() && common::SecretFileIsDamagedRing(settings->secret_file)) {
    log->error("{}", secret.status().message());  // FILE:LINE: reason; never run half-keyed
    return 1;
  }
  const bool deployment_secret = secret.ok();
  if (!secret.ok()) {
    log->warn("{}; page forms use a key for this run only", secret.status().message());
    secret = common::RandomSecret();
  }
  if (!secret.ok()) {
    log->error("{}", secret.status().message());
    return 1;
  }
  const common::KeyedHasher page_key(*secret);
  auth.organisation = settings->organisation;
  auth.letter_language = settings->letter_language;
  auth.email = &settings->email;
  auth.hasher = &page_key;
  // Several gateways on this PostgreSQL store: hold pages read holds there, with the key the
  // gateways seal them with, and record answers for their release workers (staff_pages.h).
  const common::SealKey hold_seal(*secret, "milter state");
  const holds::SharedHolds shared_holds(page_key, hold_seal);
  StaffPages staff{auth.desk, &page_key, nullptr, ""};
  if (common::IsPostgresSetting(settings->db)) {
    if (deployment_secret) {
      staff.shared = &shared_holds;
      staff.shared_store = settings->db;
      log->info("hold pages: holds in the shared store first{}", auth.desk.enabled() ? ", then desk_url" : "");
    } else {
      log->warn("hold pages: no deployment secret, so holds in the shared store cannot be opened{}",
                auth.desk.enabled() ? ": desk_url only" : "");
    }
  }
  // Created by the service itself (or by a root command that gave it to the service): 0600.
  if (auto made = common::IsPostgresSetting(settings->accounts_db)
                     ? Result<std::string>(std::string("PostgreSQL"))
                     : common::MakeServiceFile(settings->accounts_db, settings->service_user, 0600, common::FileOwner::kService, true);
      !made.ok()) {
    log->error("accounts: {}", made.status().message());
    return 1;
  }
  auto accounts = Accounts::Open(settings->accounts_db);
  if (!accounts.ok()) {
    log->error("accounts: {}", accounts.status().message());
    return 1;
  }
  std::optional<Directory> directory;
  if (!settings->directory_file.empty()) {
    auto loaded = Directory::Load(settings->directory_file);
    if (!loaded.ok()) {
      log->error("directory_file: {}", loaded.status().message());
      return 1;
    }
    log->info("staff directory: {} entries from {}", loaded->size(), settings->directory_file);
    directory = std::move(*loaded);
  }
  const IgPages pages{&service, &auth, accounts->get(), settings->secure_cookies, &settings->sso, settings->trusted_proxies,
                      &settings->email, settings->pages_url.empty() ? "http://" + settings->listen : settings->pages_url,
                      directory ? &*directory : nullptr};
  if (settings->sso.enabled()) {
    log->info("pages: single sign-on from the {} header on requests carrying {}{}", settings->sso.user_header,
              settings->sso.proxy_secret_header, settings->sso.password_login ? ", password login kept" : "");
  }
  const SelfReportPages self_reports{auth.desk, &page_key, &service, settings->secure_cookies};

  common::HttpServerOptions options;
  options.max_body_bytes = settings->max_body_bytes;
  const CoreRouter router{&self_reports, &staff, &pages, &service, &auth, accounts->get(),
                          [&log](const common::HttpRequest& req, const std::string& what) {
                            log->error("{} {} failed: {}", req.method, req.path, what);
                          }};
  auto server = common::HttpServer::Start(
      settings->listen, [&router](const common::HttpRequest& req) { return router.Handle(req); },
      options);
  if (!server.ok()) {
    log->error("{}", server.status().message());
    return 1;
  }
  log->info("serving the API on http://{} (store {})", settings->listen, common::RedactedSetting(settings->db));
  // Notifications: new drafts and clocks due soon or overdue, to the configured webhooks.
  const Outbound outbound{settings->escalations, settings->siro_weekly, settings->committee_monthly,
                          settings->pages_url.empty() ? "http://" + settings->listen : settings->pages_url, &settings->email};
  std::mutex notify_mu;
  std::condition_variable notify_cv;
  bool stopping = false;
  std::thread notifier([&] {
    std::unique_lock lock(notify_mu);
    while (!stopping) {
      lock.unlock();
      auto sent = NotifyRound(**store, settings->assessment, settings->webhooks, NowUtc(),
                              [&log](const std::string& line) { log->info("{}", line); },
                              &settings->email);
      if (!sent.ok()) log->warn("notifications: {}", sent.status().message());
      auto escalated = EscalationRound(**store, settings->assessment, outbound, NowUtc(), [&log](const std::string& line) { log->info("{}", line); });
      if (!escalated.ok()) log->warn("escalation notices: {}", escalated.status().message());
      auto digests = DigestRound(service, **store, outbound, NowUtc(), [&log](const std::string& line) { log->info("{}", line); });
      if (!digests.ok()) log->warn("digests: {}", digests.status().message());
      lock.lock();
      notify_cv.wait_for(lock, std::chrono::seconds(settings->notify_poll_seconds), [&] { return stopping; });
    }
  });
  int sig = 0;
  sigwait(&set, &sig);
  log->info("stopping on signal {}", sig);
  {
    std::lock_guard lock(notify_mu);
    stopping = true;
  }
  notify_cv.notify_all();
  notifier.join();
  return 0;
}
