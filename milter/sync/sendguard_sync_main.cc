// SPDX-License-Identifier: Apache-2.0
// sendguard-sync: one job, beside each gateway's sendguard-milter: keeps the gateway's
// recipient history and used confirmation codes in step with the shared PostgreSQL store
// (milter/shared_sync.h). The milter never waits for it or for PostgreSQL: it reads and
// writes its own state database; this program carries changes both ways every interval and,
// while PostgreSQL is unreachable, keeps them journalled and says so (the milter's metrics
// read what it records: sendguard_shared_store_up and _backlog).
#include <CLI/CLI.hpp>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include "sendguard/common/log_line.h"
#include "sendguard/common/postgres.h"
#include "sendguard/common/sql.h"
#include "sendguard/milter/config.h"
#include "sendguard/milter/shared_sync.h"
#include "sendguard/milter/state_db.h"

namespace {

std::atomic<bool> stopping{false};
void OnSignal(int) { stopping = true; }

}  // namespace

int main(int argc, char** argv) {
  using namespace sendguard;
  CLI::App app{"sendguard-sync: copies this gateway's recipient history and used confirmation codes to and from the shared "
               "PostgreSQL store"};
  std::string config_file = "/etc/sendguard/sendguard.yaml";  // the packaged milter config
  std::string shared, gateway, state_db;
  int interval_ms = 1000;
  int retention_interval_s = 3600;
  bool once = false;
  app.add_option("--config", config_file, "the milter's configuration (for state_dir)");
  app.add_option("--state-db", state_db, "the gateway's state database (default <state_dir>/state.db)");
  app.add_option("--shared-store", shared,
                 "PostgreSQL: a postgresql:// URL or \"host=... dbname=...\" (keep the password in ~/.pgpass or PGPASSFILE)")
      ->required();
  app.add_option("--gateway-id", gateway, "this gateway's name in the shared store (unique per gateway)")->required();
  app.add_option("--interval-ms", interval_ms, "how often to push and pull")->check(CLI::Range(100, 600000));
  app.add_option("--retention-interval-s", retention_interval_s,
                 "how often to apply retention to the shared store (scan_record_days, recipient_history_days)")
      ->check(CLI::Range(60, 86400));
  app.add_flag("--once", once, "one round, then exit (0 when it reached PostgreSQL, 1 when not)");
  CLI11_PARSE(app, argc, argv);
  // One line an event, as the other programs log (common/log_line.h).
  const auto log = common::MakeLineLogger("sendguard-sync", "", false);
  // The id marks what this gateway pushes; pulled rows carry it as their origin, so it must be
  // non-empty (a gateway's own records have none) and unique per gateway.
  if (gateway.empty() || gateway.size() > 64 ||
      gateway.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != std::string::npos) {
    log->error("{}", "--gateway-id must be 1 to 64 letters, digits, '.', '_' or '-', and unique per gateway");
    return 2;
  }
  if (!common::IsPostgresSetting(shared)) {
    log->error("{}", "--shared-store must name PostgreSQL (a postgresql:// URL or a connection string)");
    return 2;
  }
  // The config gives the state file and the retention periods. Without one (tests, a gateway
  // configured elsewhere), --state-db is needed and the default periods apply.
  milter::Config config;
  if (std::filesystem::exists(config_file) || state_db.empty()) {
    auto loaded = milter::LoadConfig(config_file);
    if (!loaded.ok()) {
      log->error("{}", loaded.status().message());
      return 2;
    }
    config = *loaded;
  }
  if (state_db.empty()) state_db = config.state_dir + "/state.db";
  auto local = milter::OpenStateDb(state_db);
  if (!local.ok()) {
    log->error("{}", local.status().message());
    return 2;
  }
  // Held copies live beside the state database (<state_dir>/held, as the milter keeps them).
  milter::SharedSync sync(**local, gateway, std::filesystem::path(state_db).parent_path() / "held");
  if (Status st = sync.Enable(); !st.ok()) {
    log->error("{}", "cannot start the journal: " + st.message());
    return 2;
  }
  signal(SIGTERM, OnSignal);
  signal(SIGINT, OnSignal);
  log->info("{}", "gateway " + gateway + ": " + common::RedactedSetting(shared) + " every " + std::to_string(interval_ms) + " ms");
  std::unique_ptr<common::PostgresDb> pg;
  bool was_up = true;
  std::chrono::steady_clock::time_point next_prune{};
  while (!stopping) {
    const auto started = std::chrono::steady_clock::now();
    Status failed;
    milter::SyncCounts counts;
    if (!pg) {
      // Off the mail path: a statement (or the push lock, while another gateway replays a
      // backlog) may take up to 30 s.
      auto opened = common::PostgresDb::Open(shared, {std::chrono::seconds(3), std::chrono::milliseconds(30000)});
      if (opened.ok()) {
        pg = std::move(*opened);
      } else {
        failed = opened.status();
      }
      // The shared store's schema (the gateway tables) is made by the first gateway to connect.
      if (pg && failed.ok()) {
        auto migrated = milter::OpenStateDb(shared);
        if (!migrated.ok()) failed = migrated.status();
      }
    }
    if (pg && failed.ok()) {
      auto round = sync.Round(*pg);
      if (round.ok()) {
        counts = *round;
      } else {
        failed = round.status();
        pg.reset();  // reconnect next round
      }
    }
    if (pg && failed.ok() && std::chrono::steady_clock::now() >= next_prune) {
      auto pruned = sync.PruneShared(*pg, config.milter.scan_record_days, config.milter.recipient_history_days, std::time(nullptr));
      if (pruned.ok()) {
        if (*pruned > 0) log->info("{}", "retention removed " + std::to_string(*pruned) + " rows from the shared store");
        next_prune = std::chrono::steady_clock::now() + std::chrono::seconds(retention_interval_s);
      } else {
        log->warn("{}", "retention on the shared store: " + pruned.status().message());
      }
    }
    sync.RecordOutcome(failed.ok(), counts, std::time(nullptr), failed.message());
    if (!failed.ok() && was_up) log->warn("{}", "the shared store is unreachable; changes are kept and replayed: " + failed.message());
    if (failed.ok() && !was_up) log->info("{}", "the shared store is back; journal replayed");
    if (failed.ok() && (counts.pushed || counts.pulled)) {
      log->info("{}", "pushed " + std::to_string(counts.pushed) + ", pulled " + std::to_string(counts.pulled) + ", backlog " +
                      std::to_string(counts.backlog));
    }
    was_up = failed.ok();
    if (once) return failed.ok() ? 0 : 1;
    const auto next = started + std::chrono::milliseconds(interval_ms);
    while (!stopping && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  log->info("{}", "stopping");
  return 0;
}
