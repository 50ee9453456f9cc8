// SPDX-License-Identifier: Apache-2.0
// Shared set-up for CLI commands: the config file, where the rules are, the secret, exact
// data, and loading + compiling rules and policies with `file:line` errors.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sql.h"
#include "sendguard/common/status.h"
#include "sendguard/milter/config.h"
#include "sendguard/rules/policy_engine.h"
#include "sendguard/scanner/compiled_rules.h"

namespace sendguard::cli {

struct EngineFlags {
  std::string config_file;              // --config: the milter's config file (organisation, policies, warn)
  std::vector<std::string> rules_dirs;  // --rules (repeatable); default: the config's, SENDGUARD_RULES, built-in path
  std::string secret_file;              // --secret; default: the config's if readable, else ephemeral
  std::string edm_dir;                  // --edm; default /var/lib/sendguard/edm
  std::vector<std::string> internal_domains;  // --internal-domain: replace the config's internal domains
  std::vector<std::string> partner_domains;   // --partner-domain: replace the config's partner domains
  std::vector<std::string> policy_files;      // --policy: use these policy files instead of the shipped ones
};

// The config file named by --config (or SENDGUARD_CONFIG), else built-in defaults;
// --internal-domain / --partner-domain applied.
Result<milter::Config> LoadCliConfig(const EngineFlags& flags);

// The rule directories to load, in order.
std::vector<std::filesystem::path> RuleDirs(const EngineFlags& flags, const milter::Config& config = {});

// Loads and compiles the rules (and exact data); errors carry file:line.
Result<std::shared_ptr<const scanner::CompiledRules>> LoadEngine(const EngineFlags& flags,
                                                                 const milter::Config& config = {});

// The policy engine for `config`, checked against the compiled rules' types. With
// --policy, those files replace the rule directories' policies.
Result<std::shared_ptr<const rules::PolicyEngine>> LoadPolicies(const EngineFlags& flags, const milter::Config& config,
                                                                const scanner::CompiledRules& rules);

// The deployment secret; when none is configured, a random one for this run (a note goes to stderr).
Result<std::string> LoadSecret(const EngineFlags& flags, const milter::Config& config = {});

// The config, the secret and the milter's state database, for commands that read or write
// recipient history or scan records. `db_path` overrides <state_dir>/state.db.
struct StateAccess {
  milter::Config config;
  std::string secret;
  std::unique_ptr<common::SqlDb> db;
};
// On failure prints the reason to stderr and returns nullopt (exit code 2 is the caller's).
std::optional<StateAccess> OpenState(const EngineFlags& flags, const std::string& db_path);

// Everything a scan with a verdict needs.
struct Setup {
  milter::Config config;
  std::shared_ptr<const scanner::CompiledRules> rules;
  std::shared_ptr<const rules::PolicyEngine> policy;
  std::string secret;
};
// Loads it all; on failure prints the reason (file:line) to stderr and returns nullopt-like error.
Result<Setup> LoadSetup(const EngineFlags& flags);

}  // namespace sendguard::cli
