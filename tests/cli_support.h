// SPDX-License-Identifier: Apache-2.0
// The sendguard binary driven as an admin drives it: run a command, capture its output
// and exit code; a temporary working directory with a test secret.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace sendguard::testing {

struct CommandRun {
  int exit_code;
  std::string out;  // stdout and stderr together
};

inline CommandRun Sendguard(const std::string& args) {
  std::string cmd = std::string(SENDGUARD_BIN) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  CommandRun r{-1, ""};
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class CliTest : public ::testing::Test {
 protected:
  CliTest() : dir_(std::filesystem::temp_directory_path() / ("sendguard-cli-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "secret", std::ios::binary) << "cli-test-secret";
  }
  ~CliTest() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::filesystem::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }
  std::string Common() { return "--rules " + std::string(SENDGUARD_RULES_DIR) + " --secret " + (dir_ / "secret").string() + " --edm " + (dir_ / "edm").string(); }
  std::filesystem::path dir_;
};

}  // namespace sendguard::testing
