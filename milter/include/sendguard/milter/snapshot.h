// SPDX-License-Identifier: Apache-2.0
// One consistent set of what decides mail: config, compiled rules and policy engine, with
// a generation number. Loaded off the hot path and swapped atomically on SIGHUP; a message
// keeps the snapshot it started with. A failed load keeps the old snapshot live.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "sendguard/common/status.h"
#include "sendguard/milter/config.h"
#include "sendguard/rules/policy_engine.h"
#include "sendguard/scanner/compiled_rules.h"

namespace sendguard::milter {

struct Snapshot {
  uint64_t generation = 0;
  std::shared_ptr<const Config> config;
  std::shared_ptr<const scanner::CompiledRules> rules;
  std::shared_ptr<const rules::PolicyEngine> policy;
};

// Where a snapshot is loaded from.
struct SnapshotSource {
  std::string config_file;                // "" = built-in defaults
  std::string socket_override;            // --socket
  std::vector<std::string> default_rules_dirs;  // when the config names none
  std::string edm_dir = "/var/lib/sendguard/edm";
};

// Loads config, rules (with exact data) and policies; every error as file:line.
Result<Snapshot> LoadSnapshot(const SnapshotSource& source, uint64_t generation);

// The config alone (with --socket and the default rule directories applied), for starting
// while the rules cannot be loaded (fail_modes.rules_unavailable answers the mail then).
Result<Config> LoadSnapshotConfig(const SnapshotSource& source);

class SnapshotStore {
 public:
  explicit SnapshotStore(SnapshotSource source) : source_(std::move(source)) {}
  // Loads a new snapshot and swaps it in; on failure the current one stays and the error is returned.
  Status Reload();
  // The live snapshot (empty `rules` when nothing ever loaded).
  Snapshot Current() const;
  // The snapshot already loaded at start, made live as it is (the rules are not compiled twice).
  void Adopt(Snapshot snapshot);
  // Before any rules have loaded: the config to answer mail by (its fail modes) meanwhile.
  void SetConfigWithoutRules(std::shared_ptr<const Config> config);
  uint64_t reloads() const;

 private:
  SnapshotSource source_;
  mutable std::mutex mu_;
  Snapshot current_;
  uint64_t reloads_ = 0;
};

}  // namespace sendguard::milter
