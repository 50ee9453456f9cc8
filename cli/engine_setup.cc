// SPDX-License-Identifier: Apache-2.0
// Config, rule, policy, secret and exact-data discovery for the CLI (see engine_setup.h).
#include "engine_setup.h"

#include "sendguard/milter/state_db.h"

#include <cstdio>
#include <cstdlib>

#include "sendguard/milter/policy_setup.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/exact_data.h"

namespace sendguard::cli {

namespace fs = std::filesystem;

Result<milter::Config> LoadCliConfig(const EngineFlags& flags) {
  std::string file = flags.config_file;
  if (file.empty()) {
    if (const char* env = std::getenv("SENDGUARD_CONFIG"); env && *env) file = env;
  }
  Result<milter::Config> config = file.empty() ? milter::ParseConfig("", "") : milter::LoadConfig(file);
  if (!config.ok()) return config;
  if (!flags.internal_domains.empty()) config->organisation.directory.internal = flags.internal_domains;
  if (!flags.partner_domains.empty()) {
    config->organisation.directory.partner = flags.partner_domains;
    config->organisation.agreements.clear();
  }
  return config;
}

std::vector<fs::path> RuleDirs(const EngineFlags& flags, const milter::Config& config) {
  std::vector<fs::path> dirs(flags.rules_dirs.begin(), flags.rules_dirs.end());
  if (!dirs.empty()) return dirs;
  if (!config.rules_dirs.empty()) return {config.rules_dirs.begin(), config.rules_dirs.end()};
  if (const char* env = std::getenv("SENDGUARD_RULES"); env && *env) return {fs::path(env)};
  std::error_code ec;
  if (fs::is_directory(SENDGUARD_SOURCE_RULES_DIR, ec)) return {fs::path(SENDGUARD_SOURCE_RULES_DIR)};
  return {fs::path(SENDGUARD_INSTALLED_RULES_DIR)};
}

Result<std::shared_ptr<const scanner::CompiledRules>> LoadEngine(const EngineFlags& flags, const milter::Config& config) {
  auto rules = rules::LoadRuleSet(RuleDirs(flags, config));
  if (!rules.ok()) return rules.status();
  std::string edm_dir = flags.edm_dir.empty() ? "/var/lib/sendguard/edm" : flags.edm_dir;
  auto edm = scanner::ExactDataSet::Load(edm_dir);
  if (!edm.ok()) return edm.status();
  // The milter's cache (made only where the state directory exists), so a command run on the
  // gateway after the milter has started loads the same rules without compiling them.
  return scanner::CompileRules(std::move(rules).value(), std::move(edm).value(),
                               {.cache_dir = milter::RulesCacheDir(config)});
}

Result<std::shared_ptr<const rules::PolicyEngine>> LoadPolicies(const EngineFlags& flags, const milter::Config& config,
                                                                const scanner::CompiledRules& rules) {
  std::vector<fs::path> only(flags.policy_files.begin(), flags.policy_files.end());
  return milter::LoadPolicyEngine(config, RuleDirs(flags, config), &rules.rule_set(), only.empty() ? nullptr : &only);
}

Result<std::string> LoadSecret(const EngineFlags& flags, const milter::Config& config) {
  if (!flags.secret_file.empty()) return common::ReadSecretFile(flags.secret_file);
  const std::string configured = config.secret_file.empty() ? "/etc/sendguard/secret" : config.secret_file;
  std::error_code ec;
  if (fs::exists(configured, ec)) {
    auto s = common::ReadSecretFile(configured);
    if (s.ok()) return s;
  }
  std::fprintf(stderr, "note: no --secret and no readable %s: hashes use a random key for this run only\n",
               configured.c_str());
  return common::RandomSecret();
}

Result<Setup> LoadSetup(const EngineFlags& flags) {
  Setup s;
  auto config = LoadCliConfig(flags);
  if (!config.ok()) return config.status();
  s.config = std::move(config).value();
  auto engine = LoadEngine(flags, s.config);
  if (!engine.ok()) return engine.status();
  s.rules = *engine;
  auto policy = LoadPolicies(flags, s.config, *s.rules);
  if (!policy.ok()) return policy.status();
  s.policy = *policy;
  auto secret = LoadSecret(flags, s.config);
  if (!secret.ok()) return secret.status();
  s.secret = std::move(secret).value();
  return s;
}

std::optional<StateAccess> OpenState(const EngineFlags& flags, const std::string& db_path) {
  auto config = LoadCliConfig(flags);
  if (!config.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", config.status().message().c_str());
    return std::nullopt;
  }
  auto secret = LoadSecret(flags, *config);
  if (!secret.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", secret.status().ToString().c_str());
    return std::nullopt;
  }
  auto db = milter::OpenStateDb(db_path.empty() ? config->state_dir + "/state.db" : db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", db.status().message().c_str());
    return std::nullopt;
  }
  return StateAccess{std::move(*config), std::move(*secret), std::move(*db)};
}

}  // namespace sendguard::cli
