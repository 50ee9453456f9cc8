// SPDX-License-Identifier: Apache-2.0
// Runs the real sendguard-milter for integration tests: writes a config with free loopback
// ports and a private state directory, starts the daemon, waits until it answers, and
// stops it (SIGTERM) when the harness goes. Beside it, as on a gateway, sendguard-desk (the
// core's holds, self-reports, quarantine and subject access: desk_port()) on the same config,
// started once the milter first answers and stopped with the harness. Also runs miltertest scripts against it. Optionally
// starts another program (the fault-injection test build) and supervises it: restarted when it
// exits, as systemd's Restart= does.
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
#include <atomic>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process_harness.h"

namespace sendguard::testing {

// How the MTA reaches the milter: loopback TCP, or a unix socket (where the milter negotiates
// no answers before end of message).
enum class MilterSocket { kTcp, kUnix };

// Which program runs, with what extra environment, and whether a supervisor restarts it when
// it exits (after restart_ms, as systemd's Restart=always with RestartSec=).
struct Launch {
  std::string program = SENDGUARD_MILTER_BIN;
  std::vector<std::string> env;  // NAME=VALUE
  bool supervise = false;
  int restart_ms = 200;
  bool desk = true;  // start sendguard-desk beside it
  std::vector<std::string> desk_args;  // more of its flags (--shared-store, --gateway-id)
};

class MilterDaemon {
 public:
  // `extra_yaml` is appended to the generated config (organisation, warn, ...).
  explicit MilterDaemon(const std::string& name, const std::string& extra_yaml = "", const std::string& milter_yaml = "",
                        MilterSocket socket = MilterSocket::kTcp, Launch launch = {})
      : socket_(socket), launch_(std::move(launch)) {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("sendguard-milter-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "state");
    port_ = FreePort();
    metrics_port_ = FreePort();
    desk_port_ = FreePort();
    std::ofstream(dir_ / "secret", std::ios::binary) << "milter-test-secret";
    std::ofstream cfg(dir_ / "sendguard.yaml");
    cfg << "state_dir: " << (dir_ / "state").string() << "\n"
        << "secret_file: " << (dir_ / "secret").string() << "\n"
        << "rules_dirs: [" << SENDGUARD_RULES_DIR << "]\n"
        << "desk_listen: 127.0.0.1:" << desk_port_ << "\n"
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
    pid_t desk = desk_pid_.exchange(-1);
    Terminate(&desk);
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_);
  }

  void Start() {
    pid_t pid = SpawnDaemon();
    int status = 0;
    ASSERT_TRUE(WaitUntilReady([this] { return Ready(); }, &pid, 60, &status))
        << "sendguard-milter did not start (exit status " << status << "):\n" << ReadFile(dir_ / "milter.log");
    pid_ = pid;
    if (launch_.supervise && !supervisor_.joinable()) supervisor_ = std::thread([this] { Supervise(); });
    if (launch_.desk && desk_pid_ < 0) StartDesk();
  }
  // sendguard-desk on the same config (its own program: a milter restart leaves it running).
  void StartDesk() {
    std::vector<std::string> argv = {SENDGUARD_DESK_BIN, "--config", (dir_ / "sendguard.yaml").string(), "--log-file",
                                     (dir_ / "desk.log").string()};
    argv.insert(argv.end(), launch_.desk_args.begin(), launch_.desk_args.end());
    pid_t desk = Spawn(argv);
    int status = 0;
    ASSERT_TRUE(WaitUntilReady([this] { return PortOpen(desk_port_); }, &desk, 60, &status))
        << "sendguard-desk did not start (exit status " << status << "):\n" << ReadFile(dir_ / "desk.log");
    desk_pid_ = desk;
  }
  void Stop() {
    if (supervisor_.joinable()) {
      stopping_ = true;
      // Until the supervisor has reaped the daemon (it may be starting a new one right now).
      while (!supervisor_done_) {
        kill(pid_, SIGTERM);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      supervisor_.join();
      pid_ = -1;
      return;
    }
    pid_t pid = pid_.exchange(-1);
    Terminate(&pid);
  }
  void Kill() {
    pid_t pid = pid_.exchange(-1);
    Terminate(&pid, SIGKILL);
  }
  // Stops sendguard-desk alone (the milter keeps running).
  void StopDesk() {
    pid_t desk = desk_pid_.exchange(-1);
    Terminate(&desk);
  }
  // Ready when both listen: the milter socket, and the metrics port (which may open a moment
  // later; tests call it straight away).
  bool Ready() {
    return (socket_ == MilterSocket::kUnix ? UnixSocketOpen(dir_ / "milter.sock") : PortOpen(port_)) && PortOpen(metrics_port_);
  }
  // Under supervision: the wait status of every exit the supervisor restarted after.
  std::vector<int> Exits() {
    std::lock_guard<std::mutex> l(exits_mu_);
    return exits_;
  }
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
  // Waits for the daemon to end (it crashed: no supervisor) and returns its wait status.
  int WaitForExit() {
    int status = 0;
    pid_t pid = pid_.exchange(-1);
    if (pid > 0) waitpid(pid, &status, 0);
    return status;
  }
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
  int desk_port() const { return desk_port_; }
  std::string DeskLog() { return ReadFile(dir_ / "desk.log"); }

 private:
  pid_t SpawnDaemon() {
    return Spawn({launch_.program, "--foreground", "--config", (dir_ / "sendguard.yaml").string()}, {}, launch_.env);
  }
  // Restarts the daemon whenever it exits, until Stop.
  void Supervise() {
    struct Done {
      std::atomic<bool>& done;
      ~Done() { done = true; }
    } done{supervisor_done_};
    for (;;) {
      int status = 0;
      if (waitpid(pid_, &status, 0) != pid_ || stopping_) return;
      {
        std::lock_guard<std::mutex> l(exits_mu_);
        exits_.push_back(status);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(launch_.restart_ms));
      if (stopping_) return;
      pid_ = SpawnDaemon();
    }
  }

  MilterSocket socket_;
  Launch launch_;
  std::filesystem::path dir_;
  int port_ = 0;
  int metrics_port_ = 0;
  int desk_port_ = 0;
  std::atomic<pid_t> pid_{-1};
  std::atomic<pid_t> desk_pid_{-1};
  std::thread supervisor_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> supervisor_done_{false};
  std::mutex exits_mu_;
  std::vector<int> exits_;
};

}  // namespace sendguard::testing
