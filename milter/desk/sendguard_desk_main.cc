// SPDX-License-Identifier: Apache-2.0
// `sendguard-desk`: one job, beside each gateway's sendguard-milter: answers sendguard-core on
// the gateway's behalf (desk_listen): the hold-and-confirm pages' show, confirm (the SMTP
// re-injection of a held message) and cancel, self-report links and the sends they list,
// scan-record lookups, the subject access search and the quarantine review. It reads and
// writes the gateway's state database; the milter never waits for it and it never touches a
// message in flight, so the core never calls into the mail path (docs/ARCHITECTURE.md). Every
// endpoint but /healthz needs the gateway's token (core_token_file). With several gateways
// (--shared-store) it also runs the release worker: answers given on any core's hold pages,
// carried out whichever gateway made the hold (release_worker.h). SIGHUP reads the config
// again (the organisation and warn settings the desk uses); SIGTERM and SIGINT stop it.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include "control_routes.h"
#include "release_worker.h"
#include "run_as.h"
#include "sendguard/common/http_server.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/log_line.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/text.h"
#include "sendguard/milter/config.h"
#include "sendguard/milter/snapshot.h"
#include "sendguard/milter/state_db.h"

namespace fs = std::filesystem;
using namespace sendguard;
using namespace sendguard::milter;

namespace {

// The deployment secret where the milter keeps it (SecretPath). The desk never makes one: the
// milter does at its first start (systemd restarts the desk until then).
Result<std::string> ExistingSecret(const Config& c) {
  std::error_code ec;
  const std::string path = SecretPath(c);
  if (fs::exists(path, ec)) return common::ReadSecretFile(path);
  return NotFound("no deployment secret at " + path + " yet: sendguard-milter makes one at its first start");
}

// The live config, replaced on SIGHUP (the self-report links read it per request).
class LiveConfig {
 public:
  explicit LiveConfig(std::shared_ptr<const Config> c) : config_(std::move(c)) {}
  std::shared_ptr<const Config> Get() const {
    std::lock_guard<std::mutex> l(mu_);
    return config_;
  }
  void Set(std::shared_ptr<const Config> c) {
    std::lock_guard<std::mutex> l(mu_);
    config_ = std::move(c);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Config> config_;
};

}  // namespace

int main(int argc, char** argv) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before the server's threads exist

  CLI::App app{"sendguard-desk: answers sendguard-core for this gateway (holds, self-reports, quarantine, subject access)"};
  SnapshotSource source;
  std::string log_file;
  app.add_option("--config", source.config_file, "the gateway's config file (default: built-in defaults)");
  app.add_option("--log-file", log_file, "append the log here (default: standard error, the journal under systemd)");
  std::string shared_store, gateway_id;
  app.add_option("--shared-store", shared_store,
                 "several gateways: the shared PostgreSQL store (sendguard-sync's); the release worker then carries out "
                 "answers given on any core's hold pages ('' = off)");
  app.add_option("--gateway-id", gateway_id, "this gateway's name in the shared store (sendguard-sync's --gateway-id)");
  CLI11_PARSE(app, argc, argv);
  auto loaded = LoadSnapshotConfig(source);
  if (!loaded.ok()) {
    std::fprintf(stderr, "sendguard-desk: cannot start: %s\n", common::OneLine(loaded.status().message()).c_str());
    return 1;
  }
  LiveConfig live(std::make_shared<const Config>(std::move(loaded).value()));
  const std::shared_ptr<const Config> first = live.Get();
  const Config& config = *first;  // what is read once: listen address, paths, secret, token
  const auto log = common::MakeLineLogger("sendguard-desk", log_file, config.milter.log_format == "json");
  if (config.desk_listen.empty() && shared_store.empty()) {
    log->info("desk_listen is empty: nothing to serve (the hold and self-report pages are off)");
    return 0;
  }
  auto secret = ExistingSecret(config);
  if (!secret.ok()) {
    log->error("{}", secret.status().message());
    return 1;
  }
  const common::KeyedHasher hasher(*secret);
  const common::SealKey seal(*secret, "milter state");  // held messages and queued notices, as the milter seals them
  // The secret is read before dropping root, the token after, as the milter does; the state
  // directory is the milter's.
  if (Status st = DropPrivileges(config.milter, {}); !st.ok()) {
    log->error("{}", st.message());
    return 1;
  }
  std::string token;
  if (!config.core_token_file.empty()) {
    std::ifstream in(config.core_token_file);
    if (!in || !std::getline(in, token) || token.empty()) {
      token.clear();
      log->warn("cannot read core_token_file {}: every caller is refused (503) until it is readable and the desk restarted",
                config.core_token_file);
    }
  }
  const std::string state_db = config.state_dir + "/state.db";
  {
    auto db = OpenStateDb(state_db);  // migrated by whichever of the milter and the desk starts first
    if (!db.ok()) {
      log->error("{}", db.status().message());
      return 1;
    }
  }
  const std::string held_dir = config.state_dir + "/held";
  const ControlRoutes routes{HoldEndpoint{state_db, held_dir, config.milter.smtp_url, &hasher, &seal, {}},
                             SelfReportEndpoint{state_db, &hasher, &seal, [&live] { return live.Get(); }, {}},
                             QuarantineEndpoint{state_db, &hasher}, token};
  common::HttpServerOptions options;
  options.threads = 4;  // a release waits on the MTA while the message passes the milter again
  options.connection_limit = 32;
  options.timeout_seconds = 10;
  // desk_listen empty: no endpoints for a core, only the release worker below.
  std::unique_ptr<common::HttpServer> server;
  if (!config.desk_listen.empty()) {
    auto started = common::HttpServer::Start(
        config.desk_listen,
        [&routes](const common::HttpRequest& req) {
          if (req.path == "/healthz") {
            common::HttpResponse r;
            r.content_type = "text/plain; charset=utf-8";
            r.body = "ok\n";
            return r;
          }
          return routes.Handle(req);
        },
        options);
    if (!started.ok()) {
      log->error("desk_listen: {}", started.status().message());
      return 1;
    }
    server = std::move(started).value();
  }
  // Several gateways: answers given on any core's hold pages, carried out whichever gateway
  // made the hold (release_worker.h).
  std::unique_ptr<ReleaseWorker> worker;
  if (!shared_store.empty()) {
    if (gateway_id.empty()) {
      log->error("--shared-store needs --gateway-id (the name sendguard-sync gives this gateway)");
      return 1;
    }
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    ReleaseWorkerOptions w;
    w.shared_store = shared_store;
    w.gateway = gateway_id;
    w.holder = gateway_id + "@" + host + ":" + std::to_string(::getpid());
    w.state_db = state_db;
    w.held_dir = held_dir;
    w.smtp_url = config.milter.smtp_url;
    w.hasher = &hasher;
    w.seal = &seal;
    w.log = [log](const std::string& line) { log->info("{}", line); };
    worker = std::make_unique<ReleaseWorker>(std::move(w));
  }
  log->info("started: {}; state {}{}", server ? "listening on " + config.desk_listen + " for the core" : "no desk_listen",
            state_db, worker ? "; release worker on " + common::RedactedSetting(shared_store) : std::string());
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig != SIGHUP) break;
    auto again = LoadSnapshotConfig(source);
    if (again.ok()) {
      live.Set(std::make_shared<const Config>(std::move(again).value()));
      log->info("reloaded the config (organisation and warn settings; the listen address, secret and token need a restart)");
    } else {
      log->error("reload failed, the previous config stays: {}", common::OneLine(again.status().message()));
    }
  }
  log->info("stopping");
  worker.reset();
  server.reset();
  log->info("stopped");
  log->flush();
  return 0;
}
