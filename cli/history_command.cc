// SPDX-License-Identifier: Apache-2.0
// `sendguard history import`: bootstraps recipient history from the MTA's log, so
// first-time and unusual-recipient signals work from the first day of deployment.
// `sendguard retention [--dry-run]`: the mail filter's side of the retention schedule (scan
// records and recipient history), run daily by sendguard-retention.timer.
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/milter/state_retention.h"

namespace sendguard::cli {

int RunHistoryImport(const EngineFlags& flags, const std::vector<std::string>& logs, const std::string& db_path) {
  auto state = OpenState(flags, db_path);
  if (!state) return 2;
  const milter::Config* config = &state->config;
  common::KeyedHasher hasher(state->secret);
  milter::RecipientHistory history(*state->db, hasher);
  int rc = 0;
  for (const auto& log : logs) {
    std::ifstream file;
    std::istream* in = &std::cin;
    if (log != "-") {
      file.open(log);
      if (!file) {
        std::fprintf(stderr, "sendguard: cannot read %s\n", log.c_str());
        rc = 1;
        continue;
      }
      in = &file;
    }
    auto counts = history.ImportPostfixLog(*in, config->organisation, std::time(nullptr));
    if (!counts.ok()) {
      std::fprintf(stderr, "sendguard: %s: %s\n", log.c_str(), counts.status().message().c_str());
      return 1;
    }
    std::printf("%s: %llu lines, %llu messages recorded (%llu recipients), %llu skipped\n", log.c_str(),
                static_cast<unsigned long long>(counts->lines), static_cast<unsigned long long>(counts->messages),
                static_cast<unsigned long long>(counts->recipients), static_cast<unsigned long long>(counts->skipped));
  }
  if (config->organisation.directory.internal.empty()) {
    std::fprintf(stderr, "note: no internal domains configured: every sender in the log was recorded\n");
  }
  return rc;
}

int RunStateRetention(const EngineFlags& flags, const std::string& db_path, bool dry_run) {
  auto state = OpenState(flags, db_path);
  if (!state) return 2;
  const milter::Config& c = state->config;
  auto counts = milter::ApplyStateRetention(*state->db, c.milter.scan_record_days, c.milter.recipient_history_days,
                                            std::time(nullptr), dry_run);
  if (!counts.ok()) {
    std::fprintf(stderr, "sendguard: retention: %s\n", counts.status().message().c_str());
    return 1;
  }
  std::printf("%s: %lld scan records older than %d days; recipient history unused for %d days: %lld senders, %lld "
              "recipients, %lld recipient pairs, %lld domains\n",
              dry_run ? "would remove (dry run)" : "removed", static_cast<long long>(counts->scan_records), c.milter.scan_record_days,
              c.milter.recipient_history_days, static_cast<long long>(counts->history_senders),
              static_cast<long long>(counts->history_recipients), static_cast<long long>(counts->history_pairs),
              static_cast<long long>(counts->history_domains));
  return 0;
}

}  // namespace sendguard::cli
