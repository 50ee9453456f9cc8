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
#include "core_config.h"
#include "html_page.h"
#include "sendguard/common/keyed_hash.h"
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
  std::string user_name, user_role, password_file;
  CLI::App* user = app.add_subcommand("user", "manage the pages' local accounts");
  CLI::App* user_add = user->add_subcommand("add", "create a user, or set a user's role and password");
  user_add->add_option("name", user_name, "the name to log in with")->required();
  user_add->add_option("--role", user_role, "ig_officer, dpo or admin")->required();
  user_add->add_option("--password-file", password_file, "read the password from this file (default: standard input)");
  bool sso_only = false;
  user_add->add_flag("--sso", sso_only, "no password: the user signs in through the single sign-on proxy only");
  user->require_subcommand(1);
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
    settings->accounts_db = (std::filesystem::path(settings->db).parent_path() / "accounts.db").string();
  }
  if (check) {
    std::fputs(DescribeCoreConfig(*settings).c_str(), stdout);
    return 0;
  }
  if (user_add->parsed()) {
    Result<std::string> password = sso_only ? Result<std::string>(std::string())
                                             : ReadSecretText(password_file.empty() ? "/dev/stdin" : password_file);
    if (!password.ok()) {
      std::fprintf(stderr, "sendguard-core: %s\n", password.status().message().c_str());
      return 2;
    }
    auto accounts = Accounts::Open(settings->accounts_db);
    Status st = !accounts.ok() ? accounts.status()
                : sso_only     ? (*accounts)->AddSsoUser(user_name, user_role)
                               : (*accounts)->AddUser(user_name, user_role, *password);
    if (!st.ok()) {
      std::fprintf(stderr, "sendguard-core: user add: %s\n", st.message().c_str());
      return 2;
    }
    std::printf("user %s (%s%s) saved in %s\n", user_name.c_str(), user_role.c_str(), sso_only ? ", single sign-on only" : "",
                settings->accounts_db.c_str());
    return 0;
  }
  ApiSettings auth;
  auth.milter_url = settings->milter_url;
  if (!settings->api_token_file.empty()) {
    auto token = ReadSecretText(settings->api_token_file);
    if (!token.ok()) {
      std::fprintf(stderr, "sendguard-core: api_token_file: %s\n", token.status().message().c_str());
      return 2;
    }
    auth.token = *token;
  }
  auto store = OpenSqliteStore(settings->db);
  if (!store.ok()) {
    std::fprintf(stderr, "sendguard-core: %s: %s\n", settings->db.c_str(), store.status().message().c_str());
    return 2;
  }
  if (!backup.empty()) {
    Status st = (*store)->Backup(backup);
    if (!st.ok()) {
      std::fprintf(stderr, "sendguard-core: backup: %s\n", st.message().c_str());
      return 1;
    }
    std::printf("backed up %s to %s\n", settings->db.c_str(), backup.c_str());
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
  if (!secret.ok()) {
    std::fprintf(stderr, "sendguard-core: %s; page forms use a key for this run only\n", secret.status().message().c_str());
    secret = common::RandomSecret();
  }
  if (!secret.ok()) {
    std::fprintf(stderr, "sendguard-core: %s\n", secret.status().message().c_str());
    return 1;
  }
  const common::KeyedHasher page_key(*secret);
  const StaffPages staff{settings->milter_url, &page_key};
  auto accounts = Accounts::Open(settings->accounts_db);
  if (!accounts.ok()) {
    std::fprintf(stderr, "sendguard-core: accounts: %s\n", accounts.status().message().c_str());
    return 1;
  }
  const IgPages pages{&service, &auth, accounts->get(), settings->secure_cookies, &settings->sso, settings->trusted_proxies,
                      settings->milter_url};
  if (settings->sso.enabled()) {
    std::fprintf(stderr, "sendguard-core: pages: single sign-on from the %s header (trusted proxies: %zu)%s\n",
                 settings->sso.user_header.c_str(), settings->trusted_proxies.size(),
                 settings->sso.password_login ? ", password login kept" : "");
  }
  const SelfReportPages self_reports{settings->milter_url, &page_key, &service, settings->secure_cookies};

  common::HttpServerOptions options;
  options.max_body_bytes = settings->max_body_bytes;
  auto server = common::HttpServer::Start(
      settings->listen,
      [&](const common::HttpRequest& req) {
        // A page that trips over an unexpected document answers 500; it never stops the core.
        try {
          if (SelfReportPages::Owns(req.path)) return self_reports.Handle(req);
          if (req.path.rfind("/staff/", 0) == 0) return staff.Handle(req);
          if (req.path.rfind("/static/", 0) == 0) return StaticAsset(req.path);
          if (IgPages::Owns(req.path)) return pages.Handle(req);
          return HandleApi(service, auth, req);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "sendguard-core: %s %s failed: %s\n", req.method.c_str(), req.path.c_str(), e.what());
          return HtmlPage(500, "Something went wrong", "<h1>Something went wrong</h1><p class=\"refused\">The page could "
                                                       "not be shown. The error is in the core's log.</p>");
        }
      },
      options);
  if (!server.ok()) {
    std::fprintf(stderr, "sendguard-core: %s\n", server.status().message().c_str());
    return 1;
  }
  std::fprintf(stderr, "sendguard-core: serving the API on http://%s (store %s)\n", settings->listen.c_str(),
               settings->db.c_str());
  // Notifications: new drafts and clocks due soon or overdue, to the configured webhooks.
  std::mutex notify_mu;
  std::condition_variable notify_cv;
  bool stopping = false;
  std::thread notifier([&] {
    std::unique_lock lock(notify_mu);
    while (!stopping) {
      lock.unlock();
      auto sent = NotifyRound(**store, settings->assessment, settings->webhooks, NowUtc(),
                              [](const std::string& line) { std::fprintf(stderr, "sendguard-core: %s\n", line.c_str()); },
                              &settings->email);
      if (!sent.ok()) std::fprintf(stderr, "sendguard-core: notifications: %s\n", sent.status().message().c_str());
      lock.lock();
      notify_cv.wait_for(lock, std::chrono::seconds(settings->notify_poll_seconds), [&] { return stopping; });
    }
  });
  int sig = 0;
  sigwait(&set, &sig);
  std::fprintf(stderr, "sendguard-core: stopping on signal %d\n", sig);
  {
    std::lock_guard lock(notify_mu);
    stopping = true;
  }
  notify_cv.notify_all();
  notifier.join();
  return 0;
}
