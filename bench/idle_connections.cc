// SPDX-License-Identifier: Apache-2.0
// idle_connections: opens N connections to a milter as Postfix's smtpd processes do (negotiate,
// connect, HELO skipped), holds them open and idle for a while, then closes them: what
// bench/mail_path_bench.sh measures the milter's memory under. Prints how many were opened.
//   idle_connections --socket unix:PATH --count 1000 --hold-seconds 5
#include <CLI/CLI.hpp>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "sendguard/milter_protocol/mta_side.h"

int main(int argc, char** argv) {
  CLI::App app{"idle_connections: hold N idle MTA connections open to a milter"};
  std::string socket;
  int count = 1000, hold = 5;
  app.add_option("--socket", socket, "the milter: unix:PATH or inet:PORT@ADDRESS")->required();
  app.add_option("--count", count, "connections");
  app.add_option("--hold-seconds", hold, "how long to hold them once all are open");
  CLI11_PARSE(app, argc, argv);
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  namespace mta = sendguard::milter_protocol::mta;
  using namespace std::chrono_literals;
  std::vector<mta::Client> open;
  const std::string hello = mta::Negotiate(6, 0x1ff, 0x1fffff) +
                            mta::Macros('C', {{"j", "gw.council.example.gov.uk"}, {"{daemon_name}", "smtpd"}}) +
                            mta::Connect("client.example", '4', 2525, "192.0.2.10");
  for (int i = 0; i < count; ++i) {
    auto c = mta::Client::Connect(socket, 5s);
    if (!c.ok() || !c->Send(hello).ok() || !c->UntilVerdict(5s).ok()) {
      std::fprintf(stderr, "idle_connections: connection %d: %s\n", i, c.ok() ? "no answer" : c.status().message().c_str());
      break;
    }
    open.push_back(std::move(c).value());
  }
  std::printf("{\"open\": %zu}\n", open.size());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(hold));
  for (auto& c : open) c.Send(mta::Quit());
  return open.size() == static_cast<size_t>(count) ? 0 : 1;
}
