// Shared set-up for CLI commands: where the rules are, the secret, exact data, and
// loading + compiling them with `file:line` errors.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/status.h"
#include "sendguard/scanner/compiled_rules.h"

namespace sendguard::cli {

struct EngineFlags {
  std::vector<std::string> rules_dirs;  // --rules (repeatable); default: SENDGUARD_RULES or the built-in path
  std::string secret_file;              // --secret; default /etc/sendguard/secret if readable, else ephemeral
  std::string edm_dir;                  // --edm; default /var/lib/sendguard/edm
};

// The rule directories to load, in order.
std::vector<std::filesystem::path> RuleDirs(const EngineFlags& flags);

// Loads and compiles the rules (and exact data); errors carry file:line.
Result<std::shared_ptr<const scanner::CompiledRules>> LoadEngine(const EngineFlags& flags);

// The deployment secret; when none is configured, a random one for this run (a note goes to stderr).
Result<std::string> LoadSecret(const EngineFlags& flags);

}  // namespace sendguard::cli
