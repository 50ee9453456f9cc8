// SPDX-License-Identifier: Apache-2.0
// The differential test: the same scripted MTA sessions against one reference milter
// (tests/reference_milter.cc) on Sendmail's libmilter and on sendguard's own engine
// (milter_protocol/), every packet each returns compared byte for byte. libmilter is the
// reference. Two negotiations: every step sent and answered (with SMFIP_SKIP), and the steps
// sendguard-milter asks for over a unix socket (steps left out, no reply before end of message).
//
// Differences kept on purpose (asserted below, not hidden):
//  - After SMFIC_QUIT_NC, libmilter (8.17.1.9, as Debian 12 ships it) answers neither a new
//    SMFIC_OPTNEG nor an SMFIC_CONNECT: its state machine only picks up again at HELO. Neither
//    Sendmail nor Postfix sends SMFIC_QUIT_NC, so there is no MTA behaviour to match; sendguard's
//    engine takes a new negotiation and then a whole new SMTP connection on the same socket.
//  - A verdict given at a "no reply" step: libmilter drops it (sendreply() forces
//    SMFIS_NOREPLY); sendguard's engine holds it for the next answered step. The reference
//    milter does that hold itself on libmilter, so the sessions match on the wire.
//  - Malformed input (libmilter's handling of it is not a specification) is not compared.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "process_harness.h"
#include "sendguard/milter_protocol/mta_side.h"
#include "sendguard/milter_protocol/wire.h"

namespace sendguard::milter_protocol {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Every step sent and answered; the MTA may answer a body chunk with SMFIR_SKIP.
constexpr uint32_t kEveryStep = step::kSkip;
// What sendguard-milter asks for over a unix socket (kSkipAlways | kSkipLocal | kNoReplyLocal,
// milter/daemon/milter_handler.cc).
constexpr uint32_t kUnixSteps = step::kNoHelo | step::kNoUnknown | step::kNoData | step::kNoEndOfHeaders |
                                step::kNoReplyConnect | step::kNoReplyMail | step::kNoReplyRcpt |
                                step::kNoReplyHeader | step::kNoReplyBody;
// Postfix's offer (milter_protocol = 6): every action and every step of version 6.
constexpr uint32_t kPostfixActions = 0x1ff;
constexpr uint32_t kPostfixSteps = step::kAll;

enum Engine { kLibmilter, kSendguard };
enum Steps { kEvery, kUnix };

struct Milter {
  pid_t pid = -1;
  fs::path socket;
};

fs::path g_dir;
Milter g_milters[2][2];  // [steps][engine]

// One MTA connection, as Postfix speaks: a command is left out when the milter asked for
// that, and its answer is read unless the milter asked for no reply. Everything sent and
// received goes into `log`, received packets also into `replies` (compared byte for byte).
class Mta {
 public:
  explicit Mta(const fs::path& socket) {
    auto c = mta::Client::Connect("unix:" + socket.string(), 5000ms);
    if (c.ok()) client_.emplace(std::move(*c));
    else Fail("connect: " + c.status().message());
  }
  std::vector<std::string> log;
  std::vector<mta::Packet> replies;
  bool ok = true;
  bool old_mta = false;  // version 2 to 5: no DATA or unknown commands
  uint32_t steps = 0;
  uint32_t actions = 0;

  void Negotiate(uint32_t version, uint32_t offer_actions, uint32_t offer_steps) {
    Send("O", mta::Negotiate(version, offer_actions, offer_steps));
    Read();
    if (!replies.empty() && replies.back().code == reply::kNegotiate && replies.back().data.size() >= 12) {
      actions = ReadUint32(replies.back().data.data() + 4);
      steps = ReadUint32(replies.back().data.data() + 8);
    }
  }
  void Macros(char stage, const std::vector<std::pair<std::string, std::string>>& m) {
    Send(std::string("D") + stage, mta::Macros(stage, m));
  }
  void Connect() {
    if (steps & step::kNoConnect) return;
    Macros('C', {{"j", "mx.example"}, {"{daemon_name}", "smtpd"}, {"_", "client.example [192.0.2.7]"}});
    Cmd("C", mta::Connect("client.example", '4', 2525, "192.0.2.7"), step::kNoReplyConnect);
  }
  void Helo() {
    if (steps & step::kNoHelo) return;
    Cmd("H", mta::Helo("client.example"), step::kNoReplyHelo);
  }
  void Mail(const std::string& from = "<a@example.org>", bool macros = true) {
    if (steps & step::kNoMail) return;
    if (macros) Macros('M', {{"{mail_addr}", from}, {"i", "MAILQ1"}, {"{auth_authen}", "alice"}});
    Cmd("M", mta::Mail({from, "SIZE=100"}), step::kNoReplyMail);
  }
  void Rcpt(const std::string& to) {
    if (steps & step::kNoRcpt) return;
    Macros('R', {{"{rcpt_addr}", to}});
    Cmd("R", mta::Rcpt({to}), step::kNoReplyRcpt);
  }
  void Data() {
    if (old_mta || (steps & step::kNoData)) return;
    Macros('T', {{"i", "DATAQ1"}});
    Cmd("T", mta::Data(), step::kNoReplyData);
  }
  void Header(const std::string& name, const std::string& value) {
    if (steps & step::kNoHeaders) return;
    Cmd("L", mta::Header(name, value), step::kNoReplyHeader);
  }
  void Eoh() {
    if (steps & step::kNoEndOfHeaders) return;
    Cmd("N", mta::EndOfHeaders(), step::kNoReplyEndOfHeaders);
  }
  void Body(const std::string& body) {
    if (steps & step::kNoBody) return;
    for (size_t at = 0; at < body.size(); at += kBodyChunk) {
      const size_t before = replies.size();
      Cmd("B", mta::Body(std::string_view(body).substr(at, kBodyChunk)), step::kNoReplyBody);
      if (replies.size() > before && replies.back().code == reply::kSkip) break;  // the rest is not sent
    }
  }
  void Eom() {
    Macros('E', {{"i", "EOMQ1"}, {"{msg_id}", "<m1@example.org>"}});
    Cmd("E", mta::EndOfBody(), 0);
  }
  // A whole message: envelope, headers, body, end of message.
  void Message(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body = "Hello.\r\n",
               const std::vector<std::string>& rcpts = {"<b@example.net>"}) {
    Mail();
    for (const auto& r : rcpts) Rcpt(r);
    Data();
    for (const auto& [n, v] : headers) Header(n, v);
    Eoh();
    Body(body);
    Eom();
  }
  void Abort() { Send("A", mta::Abort()); }
  void QuitNewConnection() { Send("K", mta::QuitNewConnection()); }
  // SMFIC_QUIT, then everything the milter still sends until it closes.
  void Quit() {
    Send("Q", mta::Quit());
    if (!client_) return;
    std::string rest;
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      pollfd p{client_->fd(), POLLIN, 0};
      if (std::chrono::steady_clock::now() > give_up) {
        Fail("the milter did not close after QUIT");
        break;
      }
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = recv(client_->fd(), buf, sizeof buf, 0);
      if (n <= 0) break;
      rest.append(buf, static_cast<size_t>(n));
    }
    for (auto& p : mta::Cut(rest)) Got(p);
  }
  // Packets the milter sends within `wait` without being asked for more.
  std::vector<mta::Packet> Unprompted(std::chrono::milliseconds wait) {
    std::string bytes;
    pollfd p{client_->fd(), POLLIN, 0};
    while (poll(&p, 1, static_cast<int>(wait.count())) > 0) {
      char buf[4096];
      const ssize_t n = recv(client_->fd(), buf, sizeof buf, 0);
      if (n <= 0) break;
      bytes.append(buf, static_cast<size_t>(n));
    }
    return mta::Cut(bytes);
  }
  void Send(const std::string& what, const std::string& bytes) {
    log.push_back("> " + what);
    if (!client_) return;
    if (!client_->Send(bytes).ok()) Fail("send " + what);
  }
  // Sends `bytes` one byte at a time, reading nothing.
  void Trickle(const std::string& bytes) {
    log.push_back("> " + std::to_string(bytes.size()) + " bytes, one at a time");
    for (char c : bytes) {
      if (!client_ || !client_->Send(std::string_view(&c, 1)).ok()) return Fail("send byte");
      std::this_thread::sleep_for(100us);
    }
  }
  void Read() {
    if (!client_) return;
    auto got = client_->UntilVerdict(5000ms);
    if (!got.ok()) return Fail("read: " + got.status().message());
    for (auto& p : *got) Got(p);
  }
  void Cmd(const std::string& what, const std::string& bytes, uint32_t no_reply) {
    Send(what, bytes);
    if (!no_reply || !(steps & no_reply)) Read();
  }
  // Whether a reply with this description was received.
  bool Saw(const std::string& described) const {
    for (const auto& p : replies) {
      if (mta::Describe(p) == described) return true;
    }
    return false;
  }

 private:
  void Got(const mta::Packet& p) {
    log.push_back("< " + mta::Describe(p));
    replies.push_back(p);
  }
  void Fail(const std::string& why) {
    log.push_back("! " + why);
    ok = false;
  }
  std::optional<mta::Client> client_;
};

using Session = std::function<void(Mta&)>;

std::string Lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += "    " + l + "\n";
  return s;
}

class MilterDifferentialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/sg-milter-diff-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    g_dir = tmpl;
    const char* engines[2] = {"libmilter", "sendguard"};
    const uint32_t steps[2] = {kEveryStep, kUnixSteps};
    for (int s = 0; s < 2; ++s) {
      for (int e = 0; e < 2; ++e) {
        Milter& m = g_milters[s][e];
        m.socket = g_dir / (std::string(engines[e]) + "-" + std::to_string(s) + ".sock");
        char hex[16];
        std::snprintf(hex, sizeof hex, "%x", steps[s]);
        m.pid = sendguard::testing::Spawn({REFERENCE_MILTER_BIN, "--engine", engines[e], "--socket", m.socket.string(),
                                           "--steps", hex},
                                          g_dir / (std::string(engines[e]) + "-" + std::to_string(s) + ".log"));
      }
    }
    for (auto& row : g_milters) {
      for (auto& m : row) {
        int status = 0;
        const fs::path socket = m.socket;
        ASSERT_TRUE(sendguard::testing::WaitUntilReady([&] { return sendguard::testing::UnixSocketOpen(socket); }, &m.pid,
                                                       20, &status))
            << m.socket << " never listened";
      }
    }
  }
  static void TearDownTestSuite() {
    for (auto& row : g_milters) {
      for (auto& m : row) {
        if (m.pid > 0) {
          kill(m.pid, SIGKILL);
          waitpid(m.pid, nullptr, 0);
          m.pid = -1;
        }
      }
    }
    std::error_code ec;
    fs::remove_all(g_dir, ec);
  }

  // Runs `session` against both engines; every packet must match. Returns libmilter's side.
  Mta Compare(Steps steps, const Session& session, uint32_t version = 6, uint32_t offer_actions = kPostfixActions,
              uint32_t offer_steps = kPostfixSteps) {
    Mta lib(g_milters[steps][kLibmilter].socket);
    Mta sg(g_milters[steps][kSendguard].socket);
    for (Mta* m : {&lib, &sg}) {
      m->old_mta = version < 6;
      m->Negotiate(version, offer_actions, offer_steps);
      session(*m);
      m->Quit();
    }
    EXPECT_TRUE(lib.ok) << "the session failed on libmilter:\n" << Lines(lib.log);
    EXPECT_TRUE(sg.ok) << "the session failed on sendguard's engine:\n" << Lines(sg.log);
    EXPECT_EQ(lib.replies, sg.replies) << "libmilter:\n" << Lines(lib.log) << "sendguard:\n" << Lines(sg.log);
    EXPECT_EQ(lib.log, sg.log);
    return lib;
  }
  void BothSteps(const Session& session, const std::function<void(const Mta&)>& check = {}) {
    for (Steps s : {kEvery, kUnix}) {
      SCOPED_TRACE(s == kEvery ? "every step answered" : "sendguard's unix-socket steps");
      Mta lib = Compare(s, session);
      if (check) check(lib);
    }
  }
};

void Open(Mta& m) {
  m.Connect();
  m.Helo();
}

TEST_F(MilterDifferentialTest, NegotiationWithPostfixsOffer) {
  BothSteps([](Mta& m) { Open(m); }, [](const Mta& lib) { EXPECT_EQ(lib.replies.at(0).code, reply::kNegotiate); });
}

TEST_F(MilterDifferentialTest, NegotiationWithOlderMtas) {
  struct Offer {
    uint32_t version, actions, steps;
  };
  // Sendmail 8.13 (version 2: no DATA, unknown, skip or "no reply"), and a version 4 MTA.
  for (const Offer& o : {Offer{2, 0x1f, 0x7f}, Offer{4, 0x3f, 0x37f}}) {
    for (Steps s : {kEvery, kUnix}) {
      SCOPED_TRACE("version " + std::to_string(o.version));
      Mta lib = Compare(s, [](Mta& m) {
        Open(m);
        m.Message({{"Subject", "hi"}, {"X-Act", "add-header X-Added yes"}, {"X-Act", "quarantine held"}});
        m.Message({{"X-Act", "reject 550 5.7.1 no"}});
      }, o.version, o.actions, o.steps);
      EXPECT_TRUE(lib.Saw("h:X-Added=yes"));
      EXPECT_EQ(lib.Saw("q:held"), (o.actions & action::kQuarantine) != 0);
    }
  }
}

TEST_F(MilterDifferentialTest, ACleanMessage) {
  BothSteps([](Mta& m) {
    Open(m);
    m.Message({{"Subject", "hello"}, {"From", "a@example.org"}});
  }, [](const Mta& lib) { EXPECT_EQ(lib.replies.back().code, reply::kAccept); });
}

TEST_F(MilterDifferentialTest, EachAction) {
  struct Case {
    std::string act;
    std::string expect;  // a reply libmilter must have sent (the script did what it says)
  };
  const std::vector<Case> cases = {
      {"add-header X-Added yes", "h:X-Added=yes"},
      {"change-header Subject 1 [checked] hello", "m:1:Subject=[checked] hello"},
      {"delete-header Subject 2", "m:2:Subject="},
      {"add-rcpt <copy@example.org>", "+:<copy@example.org>"},
      {"quarantine held for review", "q:held for review"},
      {"reject 550 5.7.1 not with this content", "y:550 5.7.1 not with this content"},
      {"tempfail 451 4.7.1 try again later", "y:451 4.7.1 try again later"},
      {"tempfail", "t"},
      {"discard", "d"},
      {"body-size", "h:X-Body-Size=8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.act);
    BothSteps([&](Mta& m) {
      Open(m);
      m.Message({{"Subject", "hello"}, {"X-Act", c.act}});
    }, [&](const Mta& lib) { EXPECT_TRUE(lib.Saw(c.expect)) << Lines(lib.log); });
  }
}

TEST_F(MilterDifferentialTest, RejectAtRcpt) {
  BothSteps([](Mta& m) {
    Open(m);
    m.Message({{"Subject", "x"}}, "Hello.\r\n", {"<b@example.net>", "<reject-at-rcpt@example.net>", "<c@example.net>"});
  }, [](const Mta& lib) { EXPECT_TRUE(lib.Saw("y:550 5.1.1 no such user here")); });
}

TEST_F(MilterDifferentialTest, SkipBody) {
  // Answered only when the body step is (SMFIP_SKIP with every step answered).
  BothSteps([](Mta& m) {
    Open(m);
    m.Message({{"X-Act", "skip-body"}, {"X-Act", "body-size"}}, std::string(3 * kBodyChunk, 'x'));
  }, [](const Mta& lib) {
    if (lib.steps & step::kNoReplyBody) EXPECT_TRUE(lib.Saw("h:X-Body-Size=196605"));
    else EXPECT_TRUE(lib.Saw("s")) << Lines(lib.log);
  });
}

TEST_F(MilterDifferentialTest, SeveralActionsInOneMessageKeepTheirOrder) {
  BothSteps([](Mta& m) {
    Open(m);
    m.Message({{"Subject", "one"},
               {"X-Act", "delete-header X-Old 1"},
               {"X-Act", "add-header X-First 1"},
               {"X-Act", "add-rcpt <copy@example.org>"},
               {"X-Act", "change-header Subject 1 two"},
               {"X-Act", "add-header X-Second 2"},
               {"X-Act", "quarantine why"},
               {"X-Act", "reject 550 5.7.1 first verdict wins"},
               {"X-Act", "discard"}});
  }, [](const Mta& lib) {
    std::vector<std::string> got;
    for (const auto& p : lib.replies) got.push_back(mta::Describe(p));
    const std::vector<std::string> tail = {"m:1:X-Old=", "h:X-First=1", "+:<copy@example.org>", "m:1:Subject=two",
                                           "h:X-Second=2", "q:why", "y:550 5.7.1 first verdict wins"};
    ASSERT_GE(got.size(), tail.size());
    EXPECT_EQ(std::vector<std::string>(got.end() - static_cast<long>(tail.size()), got.end()), tail);
  });
}

TEST_F(MilterDifferentialTest, MultiLineRepliesAndPercent) {
  BothSteps([](Mta& m) {
    Open(m);
    m.Message({{"X-Act", "reject 550 5.7.1 line one|line two|line three"}});
    m.Message({{"X-Act", "reject 550 5.7.1 100% sure|really 50%"}});
    m.Message({{"X-Act", "tempfail 451 4.7.1 load at 99%"}});
  }, [](const Mta& lib) {
    EXPECT_TRUE(lib.Saw("y:550-5.7.1 line one\\r\\n550-5.7.1 line two\\r\\n550 5.7.1 line three"));
    EXPECT_TRUE(lib.Saw("y:550-5.7.1 100%% sure\\r\\n550 5.7.1 really 50%%"));
    EXPECT_TRUE(lib.Saw("y:451 4.7.1 load at 99%%"));
  });
}

TEST_F(MilterDifferentialTest, SeveralMessagesOnOneConnection) {
  BothSteps([](Mta& m) {
    Open(m);
    m.Message({{"X-Act", "add-header X-N 1"}});
    m.Message({{"X-Act", "reject 550 5.7.1 second"}});
    m.Message({{"Subject", "third"}});
    m.Message({{"X-Act", "discard"}});
    m.Message({{"X-Act", "add-header X-N 5"}});
  }, [](const Mta& lib) { EXPECT_TRUE(lib.Saw("h:X-N=5")); });
}

TEST_F(MilterDifferentialTest, AbortMidBodyThenAnotherMessage) {
  BothSteps([](Mta& m) {
    Open(m);
    m.Mail();
    m.Rcpt("<b@example.net>");
    m.Data();
    m.Header("X-Act", "reject 550 5.7.1 aborted message");
    m.Eoh();
    m.Body("part of a body\r\n");
    m.Abort();
    m.Message({{"X-Act", "add-header X-After abort"}});
  }, [](const Mta& lib) {
    EXPECT_TRUE(lib.Saw("h:X-After=abort"));
    EXPECT_FALSE(lib.Saw("y:550 5.7.1 aborted message"));
  });
}

TEST_F(MilterDifferentialTest, QuitNewConnectionIsADeliberateDifference) {
  // See the top of the file. libmilter 8.17 answers neither a new negotiation nor a CONNECT
  // after SMFIC_QUIT_NC (its state machine only picks up again at HELO); sendguard's engine
  // takes a new negotiation and a whole new SMTP connection on the same socket.
  for (Engine e : {kLibmilter, kSendguard}) {
    SCOPED_TRACE(e == kLibmilter ? "libmilter" : "sendguard");
    Mta m(g_milters[kEvery][e].socket);
    m.Negotiate(6, kPostfixActions, kPostfixSteps);
    Open(m);
    m.Message({{"X-Act", "add-header X-Conn 1"}});
    m.QuitNewConnection();
    m.Send("O", mta::Negotiate(6, kPostfixActions, kPostfixSteps));
    const auto negotiated = m.Unprompted(300ms);
    m.Send("C", mta::Connect("two.example", '4', 25, "192.0.2.8"));
    const auto connected = m.Unprompted(300ms);
    if (e == kLibmilter) {
      EXPECT_TRUE(negotiated.empty()) << "libmilter now answers a negotiation after SMFIC_QUIT_NC: compare it";
      EXPECT_TRUE(connected.empty()) << "libmilter now answers CONNECT after SMFIC_QUIT_NC: compare it";
    } else {
      ASSERT_EQ(negotiated.size(), 1u);
      EXPECT_EQ(mta::Describe(negotiated[0]), "O:v6 actions=0x35 steps=0x400");
      ASSERT_EQ(connected.size(), 1u);
      EXPECT_EQ(mta::Describe(connected[0]), "c");
      m.Helo();
      m.Message({{"X-Act", "add-header X-Conn 2"}});
      EXPECT_TRUE(m.Saw("h:X-Conn=2")) << Lines(m.log);
    }
    m.Quit();
    EXPECT_TRUE(m.ok) << Lines(m.log);
  }
}

TEST_F(MilterDifferentialTest, Macros) {
  BothSteps([](Mta& m) {
    Open(m);
    // "i" is sent at MAIL, DATA and end of message; "{i}" and "i" name one macro.
    m.Message({{"X-Act", "macro j"},
               {"X-Act", "macro {j}"},
               {"X-Act", "macro daemon_name"},
               {"X-Act", "macro {daemon_name}"},
               {"X-Act", "macro i"},
               {"X-Act", "macro {i}"},
               {"X-Act", "macro {mail_addr}"},
               {"X-Act", "macro {rcpt_addr}"},
               {"X-Act", "macro {auth_authen}"},
               {"X-Act", "macro {msg_id}"},
               {"X-Act", "macro {not_sent}"}});
    // The next message sends no MAIL macros: what is left of the last one's.
    m.Mail("<z@example.org>", false);
    m.Rcpt("<y@example.net>");
    m.Header("X-Act", "macro {mail_addr}");
    m.Header("X-Act", "macro {auth_authen}");
    m.Eoh();
    m.Body("x\r\n");
    m.Eom();
  }, [](const Mta& lib) { EXPECT_TRUE(lib.Saw("h:X-Macro=j=mx.example")); });
}

TEST_F(MilterDifferentialTest, MacrosAfterAnAbort) {
  BothSteps([](Mta& m) {
    Open(m);
    m.Mail();
    m.Rcpt("<b@example.net>");
    m.Abort();
    m.Mail("<z@example.org>", false);
    m.Rcpt("<y@example.net>");
    m.Header("X-Act", "macro {mail_addr}");
    m.Header("X-Act", "macro {rcpt_addr}");
    m.Eoh();
    m.Body("x\r\n");
    m.Eom();
  });
}

TEST_F(MilterDifferentialTest, ABodyOfThreeFullChunks) {
  std::string body;
  for (int i = 0; body.size() < 3 * kBodyChunk; ++i) body += "line " + std::to_string(i) + " of a long body\r\n";
  body.resize(3 * kBodyChunk);
  BothSteps([&](Mta& m) {
    Open(m);
    m.Message({{"X-Act", "body-size"}}, body);
  }, [](const Mta& lib) { EXPECT_TRUE(lib.Saw("h:X-Body-Size=196605")); });
}

TEST_F(MilterDifferentialTest, StepsSentOneByteAtATime) {
  // Every step answered: the whole session is known in advance; the answers are read at QUIT.
  std::string all = mta::Macros('C', {{"j", "mx.example"}}) + mta::Connect("client.example", '6', 25, "2001:db8::7") +
                    mta::Helo("client.example") + mta::Macros('M', {{"i", "Q1"}}) + mta::Mail({"<a@example.org>"}) +
                    mta::Rcpt({"<b@example.net>"}) + mta::Data() + mta::Header("Subject", "trickle") +
                    mta::Header("X-Act", "add-header X-Trickle yes") + mta::Header("X-Act", "macro i") +
                    mta::Header("X-Act", "reject 550 5.7.1 100%|done") + mta::EndOfHeaders() + mta::Body("a body\r\n") +
                    mta::EndOfBody();
  Mta lib = Compare(kEvery, [&](Mta& m) { m.Trickle(all); });
  EXPECT_TRUE(lib.Saw("h:X-Trickle=yes")) << Lines(lib.log);
  EXPECT_TRUE(lib.Saw("y:550-5.7.1 100%%\\r\\n550 5.7.1 done")) << Lines(lib.log);
}

}  // namespace
}  // namespace sendguard::milter_protocol
