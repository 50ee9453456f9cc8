// SPDX-License-Identifier: Apache-2.0
// Runs the real sendguard-milter for integration tests: writes a config with free loopback
// ports and a private state directory, starts the daemon, waits until it answers, and
// stops it (SIGTERM) when the harness goes. Also runs miltertest scripts against it.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "process_harness.h"

namespace sendguard::testing {

// How the MTA reaches the milter: loopback TCP, or a unix socket (where the milter negotiates
// no answers before end of message).
enum class MilterSocket { kTcp, kUnix };

class MilterDaemon {
 public:
  // `extra_yaml` is appended to the generated config (organisation, warn, ...).
  explicit MilterDaemon(const std::string& name, const std::string& extra_yaml = "", const std::string& milter_yaml = "",
                        MilterSocket socket = MilterSocket::kTcp)
      : socket_(socket) {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("sendguard-milter-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "state");
    port_ = FreePort();
    metrics_port_ = FreePort();
    std::ofstream(dir_ / "secret", std::ios::binary) << "milter-test-secret";
    std::ofstream cfg(dir_ / "sendguard.yaml");
    cfg << "state_dir: " << (dir_ / "state").string() << "\n"
        << "secret_file: " << (dir_ / "secret").string() << "\n"
        << "rules_dirs: [" << SENDGUARD_RULES_DIR << "]\n"
        << "milter:\n  socket: " << (socket_ == MilterSocket::kUnix ? "unix:" + (dir_ / "milter.sock").string() + "\n  socket_mode: \"0666\""
                                                                 : "inet:" + std::to_string(port_) + "@127.0.0.1")
        << "\n  metrics_listen: 127.0.0.1:" << metrics_port_
        << "\n  workers: 2\n  log_file: " << (dir_ / "milter.log").string() << "\n"
        << milter_yaml << extra_yaml;
    // Deterministic whatever the host has in /etc/sendguard: no token unless the test gives one
    // (a core's CoreServer::milter_token_file()).
    if (extra_yaml.find("core_token_file:") == std::string::npos) cfg << "core_token_file: \"\"\n";
    cfg.close();
    Start();
  }
  ~MilterDaemon() {
    Stop();
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_);
  }

  void Start() {
    pid_ = Spawn({SENDGUARD_MILTER_BIN, "--foreground", "--config", (dir_ / "sendguard.yaml").string()});
    int status = 0;
    // Ready when both listen: the milter socket, and the metrics and control port (which may
    // open a moment later; tests call it straight away).
    auto ready = [this] {
      return (socket_ == MilterSocket::kUnix ? UnixSocketOpen(dir_ / "milter.sock") : PortOpen(port_)) && PortOpen(metrics_port_);
    };
    ASSERT_TRUE(WaitUntilReady(ready, &pid_, 60, &status))
        << "sendguard-milter did not start (exit status " << status << "):\n" << ReadFile(dir_ / "milter.log");
  }
  void Stop() { Terminate(&pid_); }
  void Kill() { Terminate(&pid_, SIGKILL); }
  // Waits (up to 60 s: reloads compile every rule, slow under the sanitizers) until the
  // log holds `text`; returns whether it appeared.
  bool WaitForLog(const std::string& text, int seconds = 60) {
    for (int i = 0; i < seconds * 20; ++i) {
      if (Log().find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void Signal(int sig) { kill(pid_, sig); }
  bool Alive() { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

  // Runs a miltertest Lua script against the daemon; the script's `PORT` is replaced.
  int RunScript(const std::string& lua, std::string* out) {
    static int n = 0;
    std::filesystem::path script = dir_ / ("script" + std::to_string(n++) + ".lua");
    std::string text = lua;
    for (size_t at = text.find("PORT"); at != std::string::npos; at = text.find("PORT", at)) {
      text.replace(at, 4, std::to_string(port_));
    }
    std::ofstream(script) << text;
    return Shell("miltertest -s " + script.string(), out);
  }
  std::string Metrics() {
    std::string out;
    Shell("curl -s http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics", &out);
    return out;
  }
  std::string Log() { return ReadFile(dir_ / "milter.log"); }
  std::filesystem::path dir() const { return dir_; }
  std::filesystem::path config() const { return dir_ / "sendguard.yaml"; }
  int port() const { return port_; }
  // How Postfix names this milter in smtpd_milters.
  std::string PostfixSpec() const {
    return socket_ == MilterSocket::kUnix ? "unix:" + (dir_ / "milter.sock").string() : "inet:127.0.0.1:" + std::to_string(port_);
  }
  int metrics_port() const { return metrics_port_; }

 private:
  MilterSocket socket_;
  std::filesystem::path dir_;
  int port_ = 0;
  int metrics_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sendguard::testing
