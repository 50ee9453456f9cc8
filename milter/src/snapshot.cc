// SPDX-License-Identifier: Apache-2.0
// Snapshot loading and the atomic swap (see snapshot.h).
#include "sendguard/milter/snapshot.h"

#include "sendguard/milter/policy_setup.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/exact_data.h"

namespace sendguard::milter {

namespace fs = std::filesystem;

Result<Config> LoadSnapshotConfig(const SnapshotSource& source) {
  auto config = source.config_file.empty() ? ParseConfig("", "") : LoadConfig(source.config_file);
  if (!config.ok()) return config.status();
  if (!source.socket_override.empty()) config->milter.socket = source.socket_override;
  if (config->rules_dirs.empty()) config->rules_dirs = source.default_rules_dirs;
  return config;
}

Result<Snapshot> LoadSnapshot(const SnapshotSource& source, uint64_t generation) {
  auto config = LoadSnapshotConfig(source);
  if (!config.ok()) return config.status();
  std::vector<fs::path> dirs(config->rules_dirs.begin(), config->rules_dirs.end());
  auto rule_set = rules::LoadRuleSet(dirs);
  if (!rule_set.ok()) return rule_set.status();
  auto edm = scanner::ExactDataSet::Load(source.edm_dir);
  if (!edm.ok()) return edm.status();
  auto compiled = scanner::CompileRules(std::move(rule_set).value(), std::move(edm).value(),
                                       {.cache_dir = RulesCacheDir(*config)});
  if (!compiled.ok()) return compiled.status();
  auto policy = LoadPolicyEngine(*config, dirs, &(*compiled)->rule_set());
  if (!policy.ok()) return policy.status();
  Snapshot s;
  s.generation = generation;
  s.config = std::make_shared<const Config>(std::move(config).value());
  s.rules = *compiled;
  s.policy = *policy;
  return s;
}

Status SnapshotStore::Reload() {
  uint64_t next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = current_.generation + 1;
  }
  auto loaded = LoadSnapshot(source_, next);  // compiled outside the lock: messages keep flowing
  if (!loaded.ok()) return loaded.status();
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(loaded).value();
  ++reloads_;
  return Status();
}

void SnapshotStore::Adopt(Snapshot snapshot) {
  std::lock_guard<std::mutex> lock(mu_);
  current_ = std::move(snapshot);
}

void SnapshotStore::SetConfigWithoutRules(std::shared_ptr<const Config> config) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!current_.rules) current_.config = std::move(config);
}

Snapshot SnapshotStore::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

uint64_t SnapshotStore::reloads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reloads_;
}

}  // namespace sendguard::milter
