// SPDX-License-Identifier: Apache-2.0
// `sendguard-milter`: the daemon in the mail path. Loads the config, rules and policies,
// binds the milter socket, drops privileges, starts the scanning threads and the metrics
// endpoint, runs the milter protocol's event loop on its own thread and keeps signals on the
// main thread:
// SIGHUP reloads (a bad file keeps the old rules), SIGTERM/SIGINT stop cleanly.
#include <CLI/CLI.hpp>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <pwd.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "daemon_state.h"
#include "fault_points.h"
#include "run_as.h"
#include "start_checks.h"
#include "sendguard/common/log_line.h"
#include "metrics_server.h"
#include "sendguard/milter/outbox_sender.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/poison_journal.h"
#include "sendguard/milter/scan_records.h"
#include "sendguard/milter/shared_sync.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/milter/state_retention.h"
#include "sendguard/milter_protocol/server.h"
#include "sendguard/ocr/ocr.h"

namespace fs = std::filesystem;
using namespace sendguard;
using namespace sendguard::milter;

namespace {

std::vector<std::string> DefaultRuleDirs() {
  std::error_code ec;
  if (fs::is_directory(SENDGUARD_SOURCE_RULES_DIR, ec)) return {SENDGUARD_SOURCE_RULES_DIR};
  return {SENDGUARD_INSTALLED_RULES_DIR};
}

// The deployment secret; created (0600) on first start when missing.
Result<std::string> SecretFor(const Config& c, const std::shared_ptr<spdlog::logger>& log) {
  std::error_code ec;
  const std::string path = SecretPath(c);
  if (fs::exists(path, ec)) return common::ReadSecretFile(path);
  auto secret = common::RandomSecret();
  if (!secret.ok()) return secret;
  mode_t old = umask(077);
  std::ofstream(path, std::ios::binary) << *secret;
  umask(old);
  if (!fs::exists(path, ec)) return IoError("cannot create the secret file " + path);
  log->warn("created a new deployment secret in {} (keep it: hashes are comparable only under one secret)", path);
  return secret;
}

// The rule set's information type ids.
std::vector<std::string> TypeIds(const scanner::CompiledRules& rules) {
  std::vector<std::string> ids;
  for (const auto& t : rules.rule_set().types) ids.push_back(t.id);
  return ids;
}

std::shared_ptr<spdlog::logger> MakeLogger(const MilterSettings& m) {
  return common::MakeLineLogger("sendguard-milter", m.log_file, m.log_format == "json");
}

}  // namespace

int main(int argc, char** argv) {
  sendguard::ocr::LimitOpenMpThreads(argv);  // before anything else: it may start the program again
  // Signals are taken with sigwait on this thread: block them first thing, before any other
  // thread exists and before the socket opens (a SIGHUP that arrives while the rules are still
  // loading must wait, not terminate the process with the default action).
  const sigset_t set = BlockDaemonSignals();
  CLI::App app{"sendguard-milter: the sendguard mail filter for Postfix and Sendmail"};
  std::string config_file, socket;
  bool check = false, foreground = false;
  app.add_option("--config", config_file, "config file (default: built-in defaults)");
  app.add_option("--socket", socket, "milter socket, overriding the config: inet:PORT@ADDR or unix:PATH");
  app.add_flag("--check-config", check, "print the effective configuration and check rules and policies, then exit");
  app.add_flag("--foreground", foreground, "stay in the foreground (as under systemd)");
  CLI11_PARSE(app, argc, argv);

  SnapshotSource source;
  source.config_file = config_file;
  source.socket_override = socket;
  source.default_rules_dirs = DefaultRuleDirs();
  // The config must load; the rules may not, and then fail_modes.rules_unavailable answers
  // every message until a reload (SIGHUP) loads them.
  auto first = LoadSnapshot(source, 1);
  std::shared_ptr<const Config> loaded_config;
  std::string rules_error;
  if (first.ok()) {
    loaded_config = first->config;
  } else {
    auto config_only = LoadSnapshotConfig(source);
    if (!config_only.ok()) {
      std::fprintf(stderr, "sendguard-milter: cannot start: %s\n", common::OneLine(config_only.status().message()).c_str());
      return 1;
    }
    loaded_config = std::make_shared<const Config>(std::move(config_only).value());
    rules_error = common::OneLine(first.status().message());
  }
  const FailAction rules_unavailable = loaded_config->milter.fail_modes.rules_unavailable;
  if (check) {
    std::fputs(DescribeConfig(*loaded_config).c_str(), stdout);
    bool fatal = false;
    for (const auto& c : CheckStartNeeds(*loaded_config)) {
      std::printf("# %s %s\n", StartCheckLabel(c.level), c.text.c_str());
      fatal |= c.level == StartCheck::Level::kProblem;
    }
    if (!rules_error.empty()) {
      std::printf("# rules NOT loaded: %s\n", rules_error.c_str());
      // tempfail is what Postfix does anyway while no milter answers (milter_default_action),
      // so the unit is better stopped, loudly; accept and reject need the milter running.
      if (rules_unavailable == FailAction::kTempfail) return 1;
      std::printf("# WARNING: the milter will start and answer every message per fail_modes.rules_unavailable: %s, "
                  "until a reload loads the rules\n", FailActionName(rules_unavailable));
    } else {
      const auto& rs = first->rules->rule_set();
      std::printf("# rules ok: version %s, %zu types, %zu dictionaries; policies ok: %zu\n", rs.version.c_str(),
                  rs.types.size(), rs.dictionaries.size(), first->policy->policies().policies.size());
    }
    return fatal ? 1 : 0;
  }
  const Config& config = *loaded_config;
  // One descriptor per MTA connection (a busy gateway has hundreds of smtpd processes, each
  // with its own): the soft limit goes up to the hard one (1,024 and 524,288 under systemd).
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  DaemonState& d = Daemon();
  d.log = MakeLogger(config.milter);
  d.json_log = config.milter.log_format == "json";
  std::error_code ec;
  d.spool_dir = config.state_dir + "/spool";
  fs::create_directories(d.spool_dir, ec);
  if (ec) {
    d.log->error("cannot create {}: {}", d.spool_dir, ec.message());
    return 1;
  }
  auto secret = SecretFor(config, d.log);
  if (!secret.ok()) {
    d.log->error("{}", secret.status().message());
    return 1;
  }
  common::KeyedHasher hasher(*secret);
  const common::SealKey seal(*secret, "milter state");  // held messages and queued notices
  const std::string held_dir = config.state_dir + "/held";
  d.snapshots = std::make_unique<SnapshotStore>(source);
  if (first.ok()) {
    d.snapshots->Adopt(std::move(first).value());  // compiled once, above
  } else {
    d.log->error("rules unavailable: {}; every message is answered per fail_modes.rules_unavailable ({}) until a reload "
                 "(SIGHUP) loads them", rules_error, FailActionName(rules_unavailable));
    d.snapshots->SetConfigWithoutRules(loaded_config);
  }

  milter_protocol::ServerOptions server_options;
  server_options.idle_timeout = std::chrono::seconds(600);
  auto server = milter_protocol::Server::Listen(config.milter.socket, server_options, [] { return NewConnectionHandler(); });
  if (!server.ok()) {
    d.log->error("cannot open the milter socket {}: {}", config.milter.socket, server.status().message());
    return 1;
  }
  d.local_socket = !(*server)->unix_path().empty();
  std::vector<std::string> owned = {config.state_dir, d.spool_dir, held_dir};
  // The rules cache the first load (as root) made in the state directory, and its entries:
  // reloads run as the run-as user. A cache configured elsewhere keeps the owner it has.
  if (const std::string cache = RulesCacheDir(config);
      cache == config.state_dir + "/rules-cache" && fs::is_directory(cache, ec)) {
    owned.push_back(cache);
    for (const auto& entry : fs::directory_iterator(cache, ec)) owned.push_back(entry.path().string());
  }
  std::vector<std::string> owned_keep_group;
  if (d.local_socket) {
    // The MTA (another user) must be able to connect: the socket gets socket_mode and, when the
    // milter drops privileges, the run-as user and group (below). In a setgid directory (beside
    // Postfix: sendguard:postfix 2750) it was made with the directory's group and keeps it, so
    // Postfix connects through its own group and never joins sendguard's (which reads the secret).
    const std::string path = (*server)->unix_path();
    if (chmod(path.c_str(), static_cast<mode_t>(std::stoul(config.milter.socket_mode, nullptr, 8))) != 0) {
      d.log->error("cannot set mode {} on the milter socket {}", config.milter.socket_mode, path);
      return 1;
    }
    struct stat dir_st {};
    const std::string dir = fs::path(path).parent_path().string();
    if (stat(dir.empty() ? "." : dir.c_str(), &dir_st) == 0 && (dir_st.st_mode & S_ISGID)) {
      owned_keep_group.push_back(path);
    } else {
      owned.push_back(path);
    }
  }
  fs::create_directories(held_dir, ec);
  fs::permissions(held_dir, fs::perms::owner_all, ec);
  if (Status st = DropPrivileges(config.milter, owned, owned_keep_group); !st.ok()) {
    d.log->error("{}", st.message());
    return 1;
  }
  if (!foreground && daemon(0, 0) != 0) {
    d.log->error("cannot daemonise");
    return 1;
  }

  const std::string state_db = config.state_dir + "/state.db";
  {
    auto db = OpenStateDb(state_db);  // migrate once, before the workers open their connections
    if (!db.ok()) {
      d.log->error("{}", db.status().message());
      return 1;
    }
    auto pruned = ApplyStateRetention(**db, config.milter.scan_record_days, config.milter.recipient_history_days,
                                      std::time(nullptr), false);
    if (pruned.ok() && pruned->scan_records + pruned->history_senders + pruned->history_recipients > 0) {
      d.log->info("retention: removed {} scan records older than {} days, {} senders and {} recipients unused for {} days",
                  pruned->scan_records, config.milter.scan_record_days, pruned->history_senders, pruned->history_recipients,
                  config.milter.recipient_history_days);
    }
  }
  // The poison journal: a message still in flight from the previous run is one crash more on
  // it (scanned alone next time; answered unscanned from milter.poison_after_crashes crashes).
  d.hasher = &hasher;
  {
    std::vector<PoisonJournal::Suspect> crashed;
    auto journal = PoisonJournal::Open(config.state_dir + "/poison.journal", {}, std::time(nullptr), &crashed);
    if (journal.ok()) {
      d.journal = std::move(journal).value();
      std::string list;
      for (const auto& c : crashed) list += (list.empty() ? "" : ", ") + c.digest.substr(0, 12) + " crashes=" + std::to_string(c.crashes);
      if (!crashed.empty()) {
        d.log->warn("the previous run ended while scanning {} message(s) (digest {}): each is scanned alone when it comes "
                    "back, and answered per fail_modes.poison_message from {} crashes", crashed.size(), list,
                    config.milter.poison_after_crashes);
      }
    } else {
      d.log->error("{}: messages are scanned without crash protection", journal.status().message());
    }
  }
  // The incident hand-over: drafts are written to the outbox by the workers and delivered
  // to the core by this thread (core_url and the token are read at start).
  OutboxSenderOptions outbox_options;
  outbox_options.core_url = config.core_url;
  outbox_options.retry_max_seconds = config.milter.outbox_retry_max_seconds;
  outbox_options.log = [log = d.log](const std::string& line) { log->info("{}", line); };
  if (!config.core_token_file.empty()) {
    std::ifstream token_in(config.core_token_file);
    if (!token_in || !std::getline(token_in, outbox_options.token) || outbox_options.token.empty()) {
      outbox_options.token.clear();
      d.log->warn("cannot read core_token_file {}: drafts wait in the outbox (and sendguard-desk refuses the "
                  "core) until it is readable (sendguard-core token add sendguard-milter --role MAIL_FILTER --output {})",
                  config.core_token_file, config.core_token_file);
    }
  }
  outbox_options.held_dir = held_dir;
  outbox_options.seal = &seal;
  outbox_options.smtp_url = config.milter.smtp_url;
  auto sender = OutboxSender::Start(state_db, outbox_options, &d.metrics);
  if (!sender.ok()) {
    d.log->error("{}", sender.status().message());
    return 1;
  }
  OutboxSender* nudge = sender->get();
  d.pool = std::make_unique<WorkerPool>(config.milter.workers, config.milter.queue_depth,
                                        [&hasher, &seal, state_db, held_dir, nudge] {
    return Processor::Create(hasher, seal, state_db, held_dir, [nudge] { nudge->Nudge(); });
  });
  // The core's controls (holds, self-reports, quarantine, subject access) are sendguard-desk's,
  // a program of its own: this process serves the mail and its metrics, nothing else.
  std::unique_ptr<MetricsServer> metrics;
  if (!config.milter.metrics_listen.empty()) {
    auto started = MetricsServer::Start(config.milter.metrics_listen, d.metrics,
                                        [state_db] { return SharedStoreMetrics(state_db, std::time(nullptr)); });
    if (!started.ok()) {
      d.log->error("{}", started.status().message());
      return 1;
    }
    metrics = std::move(started).value();
  }
  const Snapshot at_start = d.snapshots->Current();
  const std::string rules_version = at_start.rules ? at_start.rules->rule_set().version : "unavailable";
  const std::string rules_origin = at_start.rules ? " (" + at_start.rules->database_origin() + ")" : "";
  if (at_start.rules) {
    d.metrics.SetRulesInfo(rules_version, at_start.generation);
    d.metrics.PrimeTypes(TypeIds(*at_start.rules));
  }
  d.log->info("started: socket {} workers {} rules {}{} metrics {}{}{}", config.milter.socket, d.pool->Workers(),
              rules_version, rules_origin,
              config.milter.metrics_listen.empty() ? "off" : config.milter.metrics_listen,
              *fault::BuildNote() ? "; " : "", fault::BuildNote());

  // The event loop runs on its own thread; signals stay on this one.
  milter_protocol::Server& loop = **server;
  d.metrics.SetConnectionSource([&loop] {
    const auto& k = loop.counters();
    return Metrics::Connections{k.open.load(), k.accepted.load(), k.closed_malformed.load(), k.closed_idle.load(),
                                k.refused.load()};
  });
  std::thread milter([&loop] { loop.Run(); });
  // Reloads run on their own thread so this thread is back in sigwait at once.
  std::mutex reload_mu;
  std::condition_variable reload_cv;
  bool reload_wanted = false, stopping = false;
  std::thread reloader([&] {
    std::unique_lock<std::mutex> lock(reload_mu);
    for (;;) {
      reload_cv.wait(lock, [&] { return reload_wanted || stopping; });
      if (stopping) return;
      reload_wanted = false;  // several SIGHUPs while loading make one more reload
      lock.unlock();
      Status st = d.snapshots->Reload();
      d.metrics.CountReload(st.ok());
      if (st.ok()) {
        Snapshot live = d.snapshots->Current();
        d.metrics.SetRulesInfo(live.rules->rule_set().version, live.generation);
        d.metrics.PrimeTypes(TypeIds(*live.rules));
        d.log->info("reloaded: rules {} generation {} ({})", live.rules->rule_set().version, live.generation,
                    live.rules->database_origin());
      } else {
        d.log->error("reload failed, the previous rules stay live: {}", st.message());
      }
      lock.lock();
    }
  });
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      {
        std::lock_guard<std::mutex> lock(reload_mu);
        reload_wanted = true;
      }
      reload_cv.notify_one();
      continue;
    }
    d.log->info("stopping on signal {}", sig);
    break;
  }
  // Stop accepting; messages in progress are finished (the longest a message may take).
  loop.Stop(std::chrono::milliseconds(config.milter.message_timeout_ms + 5000));
  {
    std::lock_guard<std::mutex> lock(reload_mu);
    stopping = true;
  }
  reload_cv.notify_one();
  reloader.join();
  milter.join();
  d.pool.reset();  // finishes queued work
  d.log->info("stopped");
  d.log->flush();
  return 0;
}
