// SPDX-License-Identifier: Apache-2.0
// A private, real Sendmail for end-to-end tests: Debian's sendmail-bin unpacked by
// scripts/install-deps.sh (never installed: it conflicts with postfix), a sendmail.cf built
// with m4 from the unpacked sendmail-cf and the shipped config/sendmail/sendguard.mc (its
// milter address swapped for the test daemon's), its own queue under a temporary directory,
// listening on a free loopback port, relaying everything to a `sink` program mailer that
// writes each delivered message to a file headed by an X-Sink-Recipients line.
// Needs root. Sendmail runs in its own UTS, mount and PID namespaces (unshare): a dotted
// hostname and private /etc/hosts, nsswitch.conf and resolv.conf bind-mounted over the real
// ones, so it neither sleeps 60 s qualifying the machine's bare hostname nor asks DNS
// anything; killing the namespace's first process ends every Sendmail process at once.
// Never touches /etc/mail.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "e2e/smtp_reply.h"
#include "milter/daemon_harness.h"

namespace sendguard::testing {

class SendmailInstance {
 public:
  // `milter` is the S= value for the shipped INPUT_MAIL_FILTER line (e.g. inet:PORT@127.0.0.1).
  explicit SendmailInstance(const std::string& milter) { Start(milter); }
  ~SendmailInstance() {
    Terminate(&pid_, SIGKILL);  // unshare ignores SIGTERM; its kill-child ends the namespace
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_);
  }

  // Builds sendmail.cf and starts the daemon (a failed step fails the test).
  void Start(const std::string& milter) {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("sendguard-sendmail-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    for (const char* sub : {"queue", "sink"}) std::filesystem::create_directories(dir_ / sub);
    chmod(dir_.c_str(), 0755);
    chmod((dir_ / "queue").c_str(), 0700);
    chmod((dir_ / "sink").c_str(), 0777);  // the sink runs as Sendmail's DefaultUser (daemon)
    const std::filesystem::path prefix = SENDGUARD_SENDMAIL_PREFIX;
    binary_ = prefix / "usr/libexec/sendmail/sendmail";
    const std::filesystem::path cf_m4 = prefix / "usr/share/sendmail/cf/m4/cf.m4";
    if (!std::filesystem::exists(binary_) || !std::filesystem::exists(cf_m4)) {
      ADD_FAILURE() << "no unpacked Sendmail under " << prefix << ": run scripts/install-deps.sh as root";
      return;
    }
    port_ = FreePort();
    std::ofstream(dir_ / "sink.sh") << "#!/bin/sh\nf=$(mktemp " << (dir_ / "sink").string() << "/.new.XXXXXX) || exit 75\n"
                                    << "{ echo \"X-Sink-Recipients: $*\"; cat; } > \"$f\" && mv \"$f\" \"$f.eml\" || exit 75\n";
    chmod((dir_ / "sink.sh").c_str(), 0755);
    std::ofstream(dir_ / "hosts") << "127.0.0.1 gw.sendguard.test gw localhost\n";
    std::ofstream(dir_ / "nsswitch.conf") << "passwd: files\ngroup: files\nhosts: files\n";
    std::ofstream(dir_ / "resolv.conf") << "nameserver 127.0.0.1\n";
    std::ofstream(dir_ / "service.switch") << "hosts files\naliases files\n";
    std::string mc;
    ASSERT_TRUE(TestMc(cf_m4, milter, &mc));
    std::ofstream(dir_ / "test.mc") << mc;
    std::string out;
    // (m4's warning that promiscuous_relay makes an open relay goes to m4.err, not the .cf.)
    ASSERT_EQ(Shell("{ m4 " + (dir_ / "test.mc").string() + " 2>" + (dir_ / "m4.err").string() + "; } > " +
                        (dir_ / "sendmail.cf").string(), &out),
              0) << out << ReadFile(dir_ / "m4.err");
    // Loopback only: every listener the .cf opens (cf.m4 adds an MSA on *:587 unless told not to).
    std::istringstream cf(ReadFile(dir_ / "sendmail.cf"));
    int listeners = 0;
    for (std::string line; std::getline(cf, line);) {
      if (line.rfind("O DaemonPortOptions=", 0) != 0) continue;
      ++listeners;
      ASSERT_NE(line.find("Addr=127.0.0.1"), std::string::npos) << line;
    }
    ASSERT_EQ(listeners, 1);
    std::ofstream run(dir_ / "run.sh");
    for (const char* f : {"hosts", "nsswitch.conf", "resolv.conf"}) {
      run << "mount --bind " << (dir_ / f).string() << " /etc/" << f << " || exit 1\n";
    }
    // sh stays the namespace's first process (Sendmail is setgid, so it would lose the
    // parent-death signal unshare gives it): when unshare dies, sh dies and so does the namespace.
    run << "hostname gw.sendguard.test || exit 1\n"
        << binary_.string() << " -C " << (dir_ / "sendmail.cf").string() << " -bD -q2s &\nwait\n";
    run.close();
    pid_ = Spawn({"/usr/bin/unshare", "--uts", "--mount", "--pid", "--fork", "--kill-child", "/bin/sh", (dir_ / "run.sh").string()},
                 dir_ / "sendmail.stderr");
    int status = 0;
    pid_t pid = pid_;
    ASSERT_TRUE(WaitForPort(port_, &pid, 30, &status)) << "sendmail did not start (" << status << "): " << Log();
  }

  // What swaks said, and how the server answered the message.
  struct Sent {
    std::string transcript;
    bool accepted = false;    // 250 after DATA: Sendmail took the message
    bool rejected = false;    // 5xx
    bool deferred = false;    // 4xx (the client should try again)
    bool answered = false;    // the session ended with the server's answer (no timeout, no dropped line)
    std::string reply_text;   // the server's failure replies, prefixes removed, lines joined by spaces
  };

  // Sends `message` (headers and body, CRLF) with swaks.
  Sent Send(const std::string& from, const std::vector<std::string>& to, const std::string& message) {
    static std::atomic<int> n{0};
    std::filesystem::path file = dir_ / ("out" + std::to_string(n++) + ".eml");
    std::ofstream(file, std::ios::binary) << message;
    std::string rcpts;
    for (const auto& r : to) rcpts += (rcpts.empty() ? "" : ",") + r;
    std::string cmd = "swaks --server 127.0.0.1:" + std::to_string(port_) + " --from " + from + " --to " + rcpts + " --data @" +
                      file.string() + " --timeout 90 --suppress-data";
    Sent s;
    Shell(cmd, &s.transcript);
    std::filesystem::remove(file);
    // Every server reply: the greeting (a 4xx there when the milter is away), MAIL, RCPT, DATA
    // and end of data.
    std::istringstream lines(s.transcript);
    std::string line;
    bool after_data = false;  // the server said 354: the next 250 takes the message
    while (std::getline(lines, line)) {
      if (line.rfind("<-", 0) != 0 && line.rfind("<**", 0) != 0) continue;
      std::string reply = line.substr(line.find(' ') + 1);
      reply.erase(0, reply.find_first_not_of(' '));
      if (reply.size() < 4 || (reply[3] != ' ' && reply[3] != '-')) continue;
      if (reply.rfind("221", 0) == 0) {
        s.answered = true;
        continue;
      }
      s.accepted |= after_data && reply.rfind("250 ", 0) == 0;
      after_data |= reply.rfind("354 ", 0) == 0;
      s.rejected |= reply[0] == '5';
      s.deferred |= reply[0] == '4';
      s.answered |= reply[0] == '4' || reply[0] == '5';
      if (reply[0] == '2' || reply[0] == '3') continue;
      AppendReplyText(reply, &s.reply_text);
    }
    return s;
  }

  // A client that stops where the test says: Begin sends everything but the final dot (so
  // Sendmail holds the message and its milter connection, which has seen connect, MAIL and
  // RCPT), End sends the dot and returns Sendmail's reply to it.
  class Paused {
   public:
    Paused(int port, const std::string& from, const std::string& to, const std::string& message) {
      fd_ = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      timeval tv{90, 0};
      setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      if (connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
      for (const std::string& line : std::vector<std::string>{"", "EHLO client.test", "MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">", "DATA"}) {
        if (!line.empty()) Write(line + "\r\n");
        transcript_ += Reply();
      }
      std::string body;  // dot-stuffed
      for (size_t at = 0; at < message.size();) {
        size_t end = message.find("\r\n", at);
        std::string l = message.substr(at, end == std::string::npos ? std::string::npos : end - at);
        body += (l.rfind(".", 0) == 0 ? "." : "") + l + "\r\n";
        at = end == std::string::npos ? message.size() : end + 2;
      }
      Write(body);
    }
    ~Paused() {
      if (fd_ >= 0) close(fd_);
    }
    // The reply to the final dot (then QUIT); the whole conversation so far in *transcript.
    std::string End(std::string* transcript) {
      Write(".\r\n");
      std::string reply = Reply();
      Write("QUIT\r\n");
      *transcript = transcript_ + reply;
      return reply;
    }

   private:
    void Write(const std::string& s) {
      for (size_t done = 0; done < s.size();) {
        ssize_t n = ::send(fd_, s.data() + done, s.size() - done, MSG_NOSIGNAL);
        if (n <= 0) return;
        done += static_cast<size_t>(n);
      }
    }
    // One whole (possibly multi-line) reply.
    std::string Reply() {
      std::string out;
      for (;;) {
        size_t nl;
        while ((nl = buf_.find('\n')) == std::string::npos) {
          char c[512];
          ssize_t n = recv(fd_, c, sizeof c, 0);
          if (n <= 0) return out + buf_;
          buf_.append(c, static_cast<size_t>(n));
        }
        std::string line = buf_.substr(0, nl + 1);
        buf_.erase(0, nl + 1);
        out += line;
        if (line.size() < 4 || line[3] != '-') return out;
      }
    }
    int fd_ = -1;
    std::string buf_;
    std::string transcript_;
  };

  // Delivered messages containing `marker`.
  std::vector<std::string> Delivered(const std::string& marker) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "sink")) {
      if (e.path().extension() != ".eml") continue;
      std::string m = ReadFile(e.path());
      if (m.find(marker) != std::string::npos) out.push_back(m);
    }
    return out;
  }

  // Waits until the queue is empty (the daemon runs it every 2 s), up to `seconds`.
  bool Flush(int seconds) {
    for (int i = 0; i < seconds * 10; ++i) {
      if (QueueFiles().empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // Sendmail logs to syslog, which the test machine may not have: its standard error and what
  // is still queued (each queued message's qf file says why) stand in.
  std::string Log() {
    std::string out = "sendmail stderr: " + ReadFile(dir_ / "sendmail.stderr");
    for (const auto& f : QueueFiles()) out += "\nqueued " + f;
    return out;
  }
  int port() const { return port_; }

 private:
  // The test .mc: the unpacked sendmail-cf's cf.m4, a loopback-only relay-everything setup,
  // then the shipped sendguard.mc with its S= value replaced by `milter`, then the sink mailer.
  bool TestMc(const std::filesystem::path& cf_m4, const std::string& milter, std::string* mc) {
    std::string shipped = ReadFile(SENDGUARD_SENDMAIL_MC);
    const std::regex address(R"(S=[^,']+)");
    if (std::distance(std::sregex_iterator(shipped.begin(), shipped.end(), address), std::sregex_iterator()) != 1) {
      ADD_FAILURE() << "expected one S= milter address in " << SENDGUARD_SENDMAIL_MC;
      return false;
    }
    shipped = std::regex_replace(shipped, address, "S=" + milter);
    const std::string d = dir_.string();
    std::ostringstream o;
    o << "divert(-1)\ninclude(`" << cf_m4.string() << "')\ndivert(0)dnl\n"
      << "VERSIONID(`sendguard e2e')dnl\nOSTYPE(`linux')dnl\n"
      << "define(`confDOMAIN_NAME', `gw.sendguard.test')dnl\n"
      << "define(`QUEUE_DIR', `" << d << "/queue')dnl\n"
      << "define(`STATUS_FILE', `" << d << "/statistics')dnl\n"
      << "define(`confPID_FILE', `" << d << "/sendmail.pid')dnl\n"
      << "define(`ALIAS_FILE', `')dnl\ndefine(`HELP_FILE', `')dnl\n"
      << "define(`confSERVICE_SWITCH_FILE', `" << d << "/service.switch')dnl\n"
      << "define(`confDONT_PROBE_INTERFACES', `True')dnl\n"
      << "define(`confTO_IDENT', `0s')dnl\ndefine(`confMIN_QUEUE_AGE', `0s')dnl\n"
      << "define(`confTO_QUEUERETURN', `1h')dnl\n"
      // Sendmail refuses a milter's unix socket under a world-writable directory; the test
      // daemon's is under /tmp, which is sticky.
      << "define(`confDONT_BLAME_SENDMAIL', `TrustStickyBit')dnl\n"
      << "define(`SMART_HOST', `sink:sinkhost')dnl\n"
      << "DAEMON_OPTIONS(`Port=" << port_ << ", Addr=127.0.0.1, Name=MTA')dnl\n"
      << "FEATURE(`no_default_msa')dnl\nFEATURE(`nocanonify')dnl\nFEATURE(`promiscuous_relay')dnl\n"
      << "FEATURE(`accept_unresolvable_domains')dnl\nFEATURE(`accept_unqualified_senders')dnl\n"
      << "MAILER(`smtp')dnl\n"
      << shipped << (shipped.empty() || shipped.back() == '\n' ? "" : "\n")
      // Exit 75 (EX_TEMPFAIL) from the sink leaves the message queued for the next run.
      << "MAILER_DEFINITIONS\nMsink, P=" << d << "/sink.sh, F=DFMmnsu, S=EnvFromSMTP/HdrFromSMTP, R=EnvToSMTP, "
      << "T=DNS/RFC822/SMTP, A=sink.sh $u\n";
    *mc = o.str();
    return true;
  }
  // The queue's control, data and temporary files (qf, df, tf): empty when all is delivered.
  std::vector<std::string> QueueFiles() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "queue")) {
      const std::string name = e.path().filename().string();
      if (name.rfind("qf", 0) == 0 || name.rfind("df", 0) == 0 || name.rfind("tf", 0) == 0) out.push_back(name);
    }
    return out;
  }

  std::filesystem::path dir_;
  std::filesystem::path binary_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sendguard::testing
