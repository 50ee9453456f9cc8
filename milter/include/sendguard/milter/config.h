// The one config file (`/etc/sendguard/sendguard.yaml`) that the milter and the admin
// command line share. Every key has a default; unknown keys are errors with file:line.
// This header holds the policy-side sections; the daemon's sections join them with the
// milter daemon.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/rules/organisation.h"

namespace sendguard::milter {

enum class WarnMode { kRejectAndConfirm, kHoldAndConfirm };
const char* WarnModeName(WarnMode m);

struct Config {
  std::vector<std::string> rules_dirs;   // default: the shipped rules, then /etc/sendguard/rules.d if present
  std::string secret_file = "/etc/sendguard/secret";
  std::string state_dir = "/var/lib/sendguard";
  std::vector<std::string> policy_files; // extra policy files or directories, after rules_dirs/*/policies
  rules::Organisation organisation;
  WarnMode warn_mode = WarnMode::kRejectAndConfirm;
  int confirm_ttl_minutes = 60;
  std::string source;                    // the file it came from ("" for the built-in defaults)
};

// Parses YAML text (`name` is used in diagnostics). The shipped free-mail list is added
// to organisation.directory when the policy engine is loaded (it lives in the rule directories).
Result<Config> ParseConfig(const std::string& text, const std::string& name);
// Reads and parses a config file.
Result<Config> LoadConfig(const std::filesystem::path& file);

}  // namespace sendguard::milter
