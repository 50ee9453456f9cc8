// SPDX-License-Identifier: Apache-2.0
// A private, real Postfix for end-to-end tests: its own config directory, queue and log
// under a temporary directory, smtpd on a free loopback port with sendguard-milter as its
// milter, and a `sink` pipe transport that writes every delivered message to a file, headed
// by an X-Sink-Recipients line naming whom it was delivered to.
// Needs root (Postfix's master drops to the postfix user); never touches /etc/postfix.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <atomic>
#include <fstream>
#include <sstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "e2e/smtp_reply.h"
#include "milter/daemon_harness.h"

namespace sendguard::testing {

class PostfixInstance {
 public:
  // `milter` as smtpd_milters names it (MilterDaemon::PostfixSpec(); "" for none); `port` 0 picks a
  // free one for smtpd; `name` tells two instances of one test apart (their directories).
  PostfixInstance(const std::string& milter, const std::string& extra_main_cf = "", int port = 0,
                  const std::string& name = "") {
    dir_ = std::filesystem::temp_directory_path() /
           ("sendguard-postfix-" + (name.empty() ? "" : name + "-") + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    for (const char* sub : {"etc", "spool", "data", "sink"}) std::filesystem::create_directories(dir_ / sub);
    chmod((dir_ / "sink").c_str(), 0777);
    chmod(dir_.c_str(), 0755);
    Shell("chown postfix " + (dir_ / "data").string());
    port_ = port ? port : FreePort();
    std::ofstream(dir_ / "sink.sh") << "#!/bin/sh\nq=$1\nshift\n{ echo \"X-Sink-Recipients: $*\"; cat; } > "
                                    << (dir_ / "sink").string() << "/$q.eml\n";
    chmod((dir_ / "sink.sh").c_str(), 0755);
    std::ostringstream main;
    main << "compatibility_level = 3.6\nmyhostname = gw.sendguard.test\nmydomain = sendguard.test\n"
         << "mydestination =\ninet_interfaces = loopback-only\ninet_protocols = ipv4\nmynetworks = 127.0.0.0/8\n"
         << "queue_directory = " << (dir_ / "spool").string() << "\n"
         << "data_directory = " << (dir_ / "data").string() << "\n"
         << "mail_owner = postfix\nsetgid_group = postdrop\n"
         << "maillog_file = " << (dir_ / "maillog").string() << "\nmaillog_file_prefixes = /tmp, /var\n"
         << "default_transport = sink\nrelay_transport = sink\nlocal_transport = sink\n"
         << "smtpd_relay_restrictions = permit_mynetworks, reject\nalias_maps =\nalias_database =\n"
         << "smtputf8_enable = no\nbiff = no\n"
         << "smtpd_milters = " << milter << "\n"
         << "milter_default_action = tempfail\nmilter_protocol = 6\n"
         << "milter_connect_timeout = 5s\nmilter_command_timeout = 30s\nmilter_content_timeout = 60s\n"
         << "queue_run_delay = 2s\nminimal_backoff_time = 2s\nmaximal_backoff_time = 4s\n";
    WriteMainCf(main.str(), extra_main_cf);
    std::ofstream master(dir_ / "etc/master.cf");
    master << "127.0.0.1:" << port_ << " inet n - n - - smtpd\n"
           << "pickup unix n - n 60 1 pickup\ncleanup unix n - n - 0 cleanup\nqmgr unix n - n 300 1 qmgr\n"
           << "rewrite unix - - n - - trivial-rewrite\nbounce unix - - n - 0 bounce\ndefer unix - - n - 0 bounce\n"
           << "trace unix - - n - 0 bounce\nverify unix - - n - 1 verify\nflush unix n - n 1000? 0 flush\n"
           << "proxymap unix - - n - - proxymap\nsmtp unix - - n - - smtp\nrelay unix - - n - - smtp\n"
           << "showq unix n - n - - showq\nerror unix - - n - - error\nretry unix - - n - - error\n"
           << "discard unix - - n - - discard\nlocal unix - n n - - local\nanvil unix - - n - 1 anvil\n"
           << "scache unix - - n - 1 scache\npostlog unix-dgram n - n - 1 postlogd\ntlsmgr unix - - n 1000? 1 tlsmgr\n"
           << "sink unix - n n - - pipe flags=Rq user=nobody argv=" << (dir_ / "sink.sh").string() << " ${queue_id} ${recipient}\n";
    master.close();
    std::string out;
    int rc = Shell("/usr/sbin/postfix -c " + (dir_ / "etc").string() + " start", &out);
    EXPECT_EQ(rc, 0) << "postfix did not start: " << out << ReadFile(dir_ / "maillog");
    for (int i = 0; i < 200 && !PortOpen(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ~PostfixInstance() {
    Shell("/usr/sbin/postfix -c " + (dir_ / "etc").string() + " stop");
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_);
  }

  // What swaks said, and how the server answered the message.
  struct Sent {
    std::string transcript;
    bool queued = false;      // 250 ... queued
    bool rejected = false;    // 5xx
    bool deferred = false;    // 4xx (the client should try again)
    std::string reply_text;   // the server's final multi-line reply, prefixes removed, lines joined by spaces
  };

  // Sends `message` (headers and body, CRLF) with swaks.
  Sent Send(const std::string& from, const std::vector<std::string>& to, const std::string& message) {
    static std::atomic<int> n{0};
    std::filesystem::path file = dir_ / ("out" + std::to_string(n++) + ".eml");
    std::ofstream(file, std::ios::binary) << message;
    std::string cmd = "swaks --server 127.0.0.1:" + std::to_string(port_) + " --from " + from;
    std::string rcpts;
    for (const auto& r : to) rcpts += (rcpts.empty() ? "" : ",") + r;
    cmd += " --to " + rcpts;
    cmd += " --data @" + file.string() + " --timeout 90 --suppress-data";
    Sent s;
    Shell(cmd, &s.transcript);
    std::filesystem::remove(file);
    // Every server reply after the greeting and EHLO: MAIL, RCPT, DATA and end of data.
    std::istringstream lines(s.transcript);
    std::string line;
    bool after_ehlo = false;
    while (std::getline(lines, line)) {
      if (line.rfind(" -> MAIL FROM", 0) == 0) after_ehlo = true;
      if (!after_ehlo || (line.rfind("<-", 0) != 0 && line.rfind("<**", 0) != 0)) continue;
      std::string reply = line.substr(line.find(' ') + 1);
      reply.erase(0, reply.find_first_not_of(' '));
      if (reply.size() < 4 || (reply[3] != ' ' && reply[3] != '-') || reply.rfind("221", 0) == 0) continue;
      s.queued |= reply.rfind("250 ", 0) == 0 && reply.find("queued") != std::string::npos;
      s.rejected |= reply[0] == '5';
      s.deferred |= reply[0] == '4';
      if (reply[0] == '2' || reply[0] == '3') continue;
      AppendReplyText(reply, &s.reply_text);
    }
    return s;
  }

  // Delivered messages containing `marker`.
  std::vector<std::string> Delivered(const std::string& marker) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "sink")) {
      std::string m = ReadFile(e.path());
      if (m.find(marker) != std::string::npos) out.push_back(m);
    }
    return out;
  }

  // Asks Postfix to retry deferred mail now and waits until the queue is empty (or `seconds`).
  bool Flush(int seconds) {
    for (int i = 0; i < seconds * 4; ++i) {
      std::string q;
      Shell("postqueue -c " + (dir_ / "etc").string() + " -p", &q);
      if (q.find("Mail queue is empty") != std::string::npos) return true;
      if (i % 8 == 0) Shell("postqueue -c " + (dir_ / "etc").string() + " -f");
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
  }

  std::string Log() { return ReadFile(dir_ / "maillog"); }

 private:
  // main.cf: `base`, less every parameter `extra` sets again, then `extra`. No parameter twice:
  // each would make every Postfix process log "overriding earlier entry", and postlogd logging
  // its own warnings to itself can stop the whole instance when its socket's buffer fills.
  void WriteMainCf(const std::string& base, const std::string& extra) {
    auto key = [](const std::string& line) {
      const size_t eq = line.find('=');
      if (eq == std::string::npos || line.empty() || line[0] == '#' || line[0] == ' ') return std::string();
      std::string k = line.substr(0, eq);
      while (!k.empty() && k.back() == ' ') k.pop_back();
      return k;
    };
    std::vector<std::string> overridden;
    std::istringstream extra_lines(extra);
    for (std::string line; std::getline(extra_lines, line);) {
      if (!key(line).empty()) overridden.push_back(key(line));
    }
    std::ofstream main(dir_ / "etc/main.cf");
    std::istringstream base_lines(base);
    for (std::string line; std::getline(base_lines, line);) {
      if (std::find(overridden.begin(), overridden.end(), key(line)) == overridden.end() || key(line).empty()) {
        main << line << "\n";
      }
    }
    main << extra;
  }

 public:
  int port() const { return port_; }
  std::filesystem::path ConfigDir() const { return dir_ / "etc"; }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
};

}  // namespace sendguard::testing
