// The `sendguard` subcommands. Each returns the process exit code:
// 0 done, 1 the work found a problem (unreadable file, failed examples, rejected rules), 2 bad set-up.
#pragma once

#include <string>
#include <vector>

#include "engine_setup.h"

namespace sendguard::cli {

int RunScan(const EngineFlags& flags, const std::vector<std::string>& files, bool json);
int RunRulesCheck(const EngineFlags& flags);
int RunRulesTest(const EngineFlags& flags);
int RunEdmImport(const EngineFlags& flags, const std::string& type, const std::string& file, int column);

}  // namespace sendguard::cli
