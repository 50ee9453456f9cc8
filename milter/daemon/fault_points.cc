// SPDX-License-Identifier: Apache-2.0
// The test program sendguard-milter-faults' fault points (see fault_points.h), armed from
// the environment, never linked into the shipped sendguard-milter:
//   SENDGUARD_FAULT_FILE=PATH       a file holding a callback's name ("header"): the next call
//                                   of that callback throws std::runtime_error, and the file is
//                                   removed; "NAME other" throws an int instead.
//   SENDGUARD_FAULT_CRASH_MARKER=M  a message containing M kills the process when its scan begins.
#include "fault_points.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>

namespace sendguard::milter::fault {

namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

void AtCallback(const char* callback) {
  static const std::string file = Env("SENDGUARD_FAULT_FILE");
  static std::mutex mu;
  if (file.empty()) return;
  std::string armed;
  {
    std::lock_guard<std::mutex> l(mu);
    std::ifstream in(file);
    if (!in || !std::getline(in, armed)) return;
    if (armed.rfind(callback, 0) != 0 || (armed.size() > std::char_traits<char>::length(callback) &&
                                          armed[std::char_traits<char>::length(callback)] != ' ')) {
      return;
    }
    ::unlink(file.c_str());
  }
  // Digits, an address and a quoted span, which the daemon's log line must not show as they are.
  if (armed.find(" other") != std::string::npos) throw 1234567890;
  throw std::runtime_error(std::string("injected fault in ") + callback +
                           " at 1234567890 for jo@example.org near 'Dear Mrs Example'");
}

void BeforeScan(std::string_view raw_message) {
  static const std::string marker = Env("SENDGUARD_FAULT_CRASH_MARKER");
  if (marker.empty() || raw_message.find(marker) == std::string_view::npos) return;
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);  // no core file left in the test's directory
  ::signal(SIGSEGV, SIG_DFL);          // as a real fault would: no handler (a sanitizer's included)
  ::raise(SIGSEGV);
}

const char* BuildNote() { return "TEST BUILD with fault injection (sendguard-milter-faults): never for real mail"; }

}  // namespace sendguard::milter::fault
