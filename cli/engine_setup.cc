// Rule, secret and exact-data discovery for the CLI (see engine_setup.h).
#include "engine_setup.h"

#include <cstdio>
#include <cstdlib>

#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/exact_data.h"

namespace sendguard::cli {

namespace fs = std::filesystem;

std::vector<fs::path> RuleDirs(const EngineFlags& flags) {
  std::vector<fs::path> dirs(flags.rules_dirs.begin(), flags.rules_dirs.end());
  if (!dirs.empty()) return dirs;
  if (const char* env = std::getenv("SENDGUARD_RULES"); env && *env) return {fs::path(env)};
  std::error_code ec;
  if (fs::is_directory(SENDGUARD_SOURCE_RULES_DIR, ec)) return {fs::path(SENDGUARD_SOURCE_RULES_DIR)};
  return {fs::path(SENDGUARD_INSTALLED_RULES_DIR)};
}

Result<std::shared_ptr<const scanner::CompiledRules>> LoadEngine(const EngineFlags& flags) {
  auto rules = rules::LoadRuleSet(RuleDirs(flags));
  if (!rules.ok()) return rules.status();
  std::string edm_dir = flags.edm_dir.empty() ? "/var/lib/sendguard/edm" : flags.edm_dir;
  auto edm = scanner::ExactDataSet::Load(edm_dir);
  if (!edm.ok()) return edm.status();
  return scanner::CompileRules(std::move(rules).value(), std::move(edm).value());
}

Result<std::string> LoadSecret(const EngineFlags& flags) {
  if (!flags.secret_file.empty()) return common::ReadSecretFile(flags.secret_file);
  std::error_code ec;
  if (fs::exists("/etc/sendguard/secret", ec)) {
    auto s = common::ReadSecretFile("/etc/sendguard/secret");
    if (s.ok()) return s;
  }
  std::fprintf(stderr, "note: no --secret and no /etc/sendguard/secret: hashes use a random key for this run only\n");
  return common::RandomSecret();
}

}  // namespace sendguard::cli
