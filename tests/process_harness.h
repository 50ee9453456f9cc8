// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that run real processes: free loopback ports, waiting for a listener,
// reading files, running shell commands.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sendguard::testing {

// A loopback TCP port nobody listens on right now, drawn below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range) and above the tests' PostgreSQL ports (25432, 25433). A port
// the kernel hands out (bind to port 0) is in that range, and once released it can be taken as
// the local end of any outgoing connection (a curl, Postfix's smtp client, a test's client)
// before the daemon it was meant for binds it. One process is never given the same port twice;
// two tests running at once may still draw the same port, rarely (the draw is random).
// scripts/lib/ports.sh draws the same way.
inline int FreePort() {
  static std::mutex mu;
  static std::vector<int> given;
  static unsigned seed = static_cast<unsigned>(::getpid()) * 2654435761u ^
                         static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::lock_guard<std::mutex> lock(mu);
  int lo = 26000, hi = 32768;
  if (FILE* f = std::fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) {
    int first = 0, last = 0;
    if (std::fscanf(f, "%d %d", &first, &last) == 2) {
      if (first > lo + 1000) {
        hi = first;
      } else {  // the ephemeral range starts low: draw above it, if anything is left there
        lo = last + 1;
        hi = 65536;
      }
    }
    std::fclose(f);
  }
  auto bindable = [](int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    socklen_t len = sizeof a;
    if (ok && port == 0 && getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) port = ntohs(a.sin_port);
    close(fd);
    return ok ? port : -1;
  };
  for (int tries = 0; hi - lo > 100 && tries < 1000; ++tries) {
    const int port = lo + static_cast<int>(rand_r(&seed) % static_cast<unsigned>(hi - lo));
    if (std::find(given.begin(), given.end(), port) != given.end() || bindable(port) < 0) continue;
    given.push_back(port);
    return port;
  }
  return bindable(0);  // nothing outside the ephemeral range: take the kernel's choice
}

inline bool PortOpen(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

inline std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Runs a shell command, returning its exit code and (merged) output.
inline int Shell(const std::string& cmd, std::string* out = nullptr) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  std::string text;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int status = pclose(p);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Starts `argv` as a child process; its standard error goes to `stderr_file` when given, and
// `env` (NAME=VALUE) joins its environment.
inline pid_t Spawn(const std::vector<std::string>& argv, const std::filesystem::path& stderr_file = {},
                   const std::vector<std::string>& env = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& e : env) putenv(strdup(e.c_str()));
    // A test that dies (a sanitizer abort) takes its daemons with it: a daemon left behind
    // would hold ctest's output pipe open and the run would hang until ctest's timeout.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (!stderr_file.empty()) {
      int fd = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

// Whether something accepts connections on the unix socket at `path`.
inline bool UnixSocketOpen(const std::filesystem::path& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// Waits until `ready()`, up to `seconds` (daemons compile their rules at start: slow under
// the sanitizers). Stops early, clearing *pid, if the child exits; then *exit_status says how.
inline bool WaitUntilReady(const std::function<bool()>& ready, pid_t* pid, int seconds, int* exit_status) {
  for (int i = 0; i < seconds * 40; ++i) {
    if (ready()) return true;
    if (waitpid(*pid, exit_status, WNOHANG) == *pid) {
      *pid = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return ready();
}

// Waits until something listens on loopback `port` (as WaitUntilReady).
inline bool WaitForPort(int port, pid_t* pid, int seconds, int* exit_status) {
  return WaitUntilReady([port] { return PortOpen(port); }, pid, seconds, exit_status);
}

// Stops a child with `sig` and reaps it.
inline void Terminate(pid_t* pid, int sig = SIGTERM) {
  if (*pid <= 0) return;
  kill(*pid, sig);
  waitpid(*pid, nullptr, 0);
  *pid = -1;
}

}  // namespace sendguard::testing
