// SPDX-License-Identifier: Apache-2.0
// The protocol state machine, driven with the bytes Postfix and Sendmail send.
#include "sendguard/milter_protocol/session.h"

#include <gtest/gtest.h>

#include "sendguard/milter_protocol/mta_side.h"

namespace sendguard::milter_protocol {
namespace {

using mta::Describe;

// Records what it was told; answers as the test sets.
struct Recorder : Handler {
  std::vector<std::string>* log;
  uint32_t want_steps = 0;
  uint32_t want_actions = action::kAddHeaders | action::kChangeHeaders | action::kAddRcpt | action::kQuarantine;
  std::variant<Reply, Deferred> at_eom = Reply::Accept();
  Reply at_rcpt;
  bool throw_at_header = false;
  explicit Recorder(std::vector<std::string>* l) : log(l) {}
  Negotiation Negotiate(const Negotiation& offered) override {
    log->push_back("negotiate v" + std::to_string(offered.version));
    return {6, want_actions, want_steps};
  }
  Reply OnConnect(const Session& s, const ConnectInfo& c) override {
    log->push_back("connect " + c.hostname + " " + c.family + " " + std::to_string(c.port) + " " + c.address + " j=" +
                   std::string(s.Macro("j")));
    return {};
  }
  Reply OnMail(const Session& s, const std::vector<std::string_view>& a) override {
    log->push_back("mail " + std::string(a.at(0)) + " i=" + std::string(s.Macro("{i}")) + " auth=" +
                   std::string(s.Macro("{auth_authen}")));
    return {};
  }
  Reply OnRcpt(const Session&, const std::vector<std::string_view>& a) override {
    log->push_back("rcpt " + std::string(a.at(0)));
    return at_rcpt;
  }
  Reply OnHeader(const Session&, std::string_view n, std::string_view v) override {
    if (throw_at_header) throw std::runtime_error("boom");
    log->push_back("header " + std::string(n) + "=" + std::string(v));
    return {};
  }
  Reply OnBody(const Session&, std::string_view chunk) override {
    log->push_back("body " + std::to_string(chunk.size()));
    return {};
  }
  std::variant<Reply, Deferred> OnEndOfMessage(const Session& s, Completion) override {
    log->push_back("eom i=" + std::string(s.Macro("i")));
    return at_eom;
  }
  Reply OnEndOfMessageDeadline(const Session&) override {
    log->push_back("deadline");
    return Reply::WithText(Reply::Kind::kTempfail, "451", "4.3.0", {"try later"});
  }
  void OnAbort(const Session&) override { log->push_back("abort"); }
  void OnClose(const Session&) override { log->push_back("close"); }
};

class SessionTest : public ::testing::Test {
 protected:
  std::vector<std::string> log;
  Recorder* recorder = nullptr;
  std::function<void(Recorder&)> setup = [](Recorder&) {};
  std::unique_ptr<Session> session = std::make_unique<Session>(
      [this] {
        auto r = std::make_unique<Recorder>(&log);
        setup(*r);
        recorder = r.get();
        return r;
      },
      [] { return Completion(); }, SessionLimits{1024});

  // Feeds `bytes`; returns the answers, one line each.
  std::vector<std::string> Feed(const std::string& bytes) {
    std::string out;
    session->Receive(bytes, &out);
    std::vector<std::string> lines;
    for (const auto& p : mta::Cut(out)) lines.push_back(Describe(p));
    return lines;
  }
  std::string Open(uint32_t steps_offered = step::kAll) {
    return mta::Negotiate(6, 0x1ff, steps_offered);
  }
};

TEST_F(SessionTest, NegotiatesWithinTheOfferAndAnswersEveryStepSent) {
  setup = [](Recorder& r) { r.want_steps = step::kNoHelo | step::kNoUnknown; };
  EXPECT_EQ(Feed(Open()), (std::vector<std::string>{"O:v6 actions=0x35 steps=0x102"}));
  EXPECT_EQ(Feed(mta::Macros('C', {{"j", "mx.example"}}) + mta::Connect("client.example", '4', 2525, "192.0.2.7")),
            (std::vector<std::string>{"c"}));
  EXPECT_EQ(Feed(mta::Macros('M', {{"i", "4ABC"}, {"{auth_authen}", "alice"}}) + mta::Mail({"<a@example.org>"})),
            (std::vector<std::string>{"c"}));
  EXPECT_EQ(Feed(mta::Rcpt({"<b@example.net>"}) + mta::Header("Subject", "hi") + mta::EndOfHeaders() + mta::Body("hello\r\n") +
                 mta::Macros('E', {{"i", "4ABC"}}) + mta::EndOfBody()),
            (std::vector<std::string>{"c", "c", "c", "c", "a"}));
  EXPECT_EQ(log, (std::vector<std::string>{"negotiate v6", "connect client.example 4 2525 192.0.2.7 j=mx.example",
                                           "mail <a@example.org> i=4ABC auth=alice", "rcpt <b@example.net>",
                                           "header Subject=hi", "body 7", "eom i=4ABC"}));
}

TEST_F(SessionTest, NoReplyStepsAreNotAnsweredAndAVerdictThereWaitsForTheNextAnsweredStep) {
  setup = [](Recorder& r) {
    r.want_steps = step::kNoReplyConnect | step::kNoReplyMail | step::kNoReplyRcpt | step::kNoReplyHeader | step::kNoReplyBody;
    r.at_rcpt = Reply::WithText(Reply::Kind::kReject, "550", "5.1.1", {"no such user"});
  };
  Feed(Open());
  EXPECT_TRUE(Feed(mta::Connect("h", 'U', 0, "") + mta::Mail({"<a@x>"}) + mta::Rcpt({"<b@y>"}) + mta::Header("A", "b")).empty());
  // End of headers is answered: the held rejection is given there.
  EXPECT_EQ(Feed(mta::EndOfHeaders()), (std::vector<std::string>{"y:550 5.1.1 no such user"}));
}

TEST_F(SessionTest, AnOlderMtaIsAnsweredWithItsVersionAndStepsItCannotSkipAreAnswered) {
  setup = [](Recorder& r) { r.want_steps = step::kNoReplyHeader | step::kNoHelo; };
  // Version 2, offering no "no reply" steps.
  EXPECT_EQ(Feed(mta::Negotiate(2, 0x3f, 0x7f)), (std::vector<std::string>{"O:v2 actions=0x35 steps=0x2"}));
  EXPECT_EQ(Feed(mta::Connect("h", 'U', 0, "") + mta::Header("A", "b")), (std::vector<std::string>{"c", "c"}));
}

TEST_F(SessionTest, VersionOneIsRefused) {
  Feed(mta::Negotiate(1, 0xf, 0x3f));
  EXPECT_EQ(session->state(), Session::State::kClosed);
}

TEST_F(SessionTest, EndOfMessageSendsChangesInOrderThenTheVerdict) {
  setup = [](Recorder& r) {
    Reply a = Reply::Accept();
    a.changes = {Modification::DeleteHeader("X-Sendguard-Scan", 2), Modification::AddHeader("X-Sendguard-Scan", "clean"),
                 Modification::ChangeHeader("Subject", 1, "[checked] hi"), Modification::AddRcpt("<copy@example.org>"),
                 Modification::Quarantine("held"), {Modification::Kind::kReplaceBody, "", "not agreed", 0}};
    r.at_eom = a;
  };
  Feed(Open());
  EXPECT_EQ(Feed(mta::Connect("h", 'U', 0, "") + mta::Mail({"<a@x>"}) + mta::EndOfBody()),
            (std::vector<std::string>{"c", "c", "m:2:X-Sendguard-Scan=", "h:X-Sendguard-Scan=clean",
                                      "m:1:Subject=[checked] hi", "+:<copy@example.org>", "q:held", "a"}));
}

TEST_F(SessionTest, MultiLineRepliesAreWrittenAsLibmilterWritesThemWithPercentDoubled) {
  setup = [](Recorder& r) { r.at_eom = Reply::WithText(Reply::Kind::kReject, "550", "5.7.1", {"first", "100% sure", "last"}); };
  Feed(Open());
  EXPECT_EQ(Feed(mta::Connect("h", 'U', 0, "") + mta::EndOfBody()),
            (std::vector<std::string>{"c", "y:550-5.7.1 first\\r\\n550-5.7.1 100%% sure\\r\\n550 5.7.1 last"}));
}

TEST_F(SessionTest, AReplyCodeOfTheWrongClassFallsBackToThePlainVerdict) {
  setup = [](Recorder& r) { r.at_eom = Reply::WithText(Reply::Kind::kTempfail, "550", "5.7.1", {"x"}); };
  Feed(Open());
  EXPECT_EQ(Feed(mta::Connect("h", 'U', 0, "") + mta::EndOfBody()), (std::vector<std::string>{"c", "t"}));
}

TEST_F(SessionTest, AbortEndsTheMessageAndTheConnectionCarriesOn) {
  Feed(Open());
  Feed(mta::Connect("h", 'U', 0, "") + mta::Macros('M', {{"i", "Q1"}}) + mta::Mail({"<a@x>"}) + mta::Body("part"));
  EXPECT_TRUE(Feed(mta::Abort()).empty());
  EXPECT_EQ(Feed(mta::Mail({"<c@x>"}) + mta::EndOfBody()), (std::vector<std::string>{"c", "a"}));
  EXPECT_NE(std::find(log.begin(), log.end(), "abort"), log.end());
}

// Found by tests/milter_differential_test.cc: libmilter's st_abortfct clears no macros, so a
// MAIL sent without its own macro packet still sees the aborted message's (Postfix sends one,
// even empty, before every MAIL, which replaces them).
TEST_F(SessionTest, AnAbortKeepsTheMacrosAsLibmilterDoes) {
  Feed(Open() + mta::Connect("h", 'U', 0, "") + mta::Macros('M', {{"i", "Q1"}}) + mta::Mail({"<a@x>"}) +
       mta::Macros('R', {{"{rcpt_addr}", "b@y"}}) + mta::Rcpt({"<b@y>"}) + mta::Body("part"));
  Feed(mta::Abort());
  EXPECT_EQ(session->Macro("i"), "Q1");
  EXPECT_EQ(session->Macro("{rcpt_addr}"), "b@y");
  Feed(mta::Mail({"<c@x>"}) + mta::EndOfBody());
  EXPECT_EQ(log.back(), "eom i=Q1");
  EXPECT_EQ(session->Macro("{rcpt_addr}"), "");  // MAIL clears the later stages
  Feed(mta::Macros('M', {}) + mta::Mail({"<d@x>"}));
  EXPECT_EQ(session->Macro("i"), "");
}

// Found by tests/milter_differential_test.cc: libmilter's smfi_getsymval searches the stages
// backwards, so a macro sent at MAIL and again at end of message has the later value.
TEST_F(SessionTest, AMacroSentAtSeveralStagesHasItsLatestStagesValue) {
  Feed(Open() + mta::Macros('C', {{"{x}", "connect"}}) + mta::Connect("h", 'U', 0, "") +
       mta::Macros('M', {{"i", "at-mail"}, {"{x}", "mail"}}) + mta::Mail({"<a@x>"}));
  EXPECT_EQ(session->Macro("{x}"), "mail");
  Feed(mta::Macros('T', {{"{i}", "at-data"}}) + mta::Data());
  EXPECT_EQ(session->Macro("i"), "at-data");
  Feed(mta::Macros('E', {{"i", "at-eom"}}) + mta::EndOfBody());
  EXPECT_EQ(log.back(), "eom i=at-eom");
  EXPECT_EQ(session->Macro("{x}"), "mail");
}

TEST_F(SessionTest, QuitNewConnectionClosesTheHandlerAndANewNegotiationStartsAnother) {
  Feed(Open());
  Feed(mta::Connect("one", 'U', 0, ""));
  EXPECT_TRUE(Feed(mta::QuitNewConnection()).empty());
  EXPECT_EQ(log.back(), "close");
  EXPECT_EQ(Feed(Open() + mta::Connect("two", 'U', 0, "")).size(), 2u);
  EXPECT_EQ(session->state(), Session::State::kOpen);
  Feed(mta::Quit());
  EXPECT_EQ(session->state(), Session::State::kClosed);
  EXPECT_EQ(session->close_reason(), "quit");
}

TEST_F(SessionTest, MalformedAndOversizedPacketsCloseTheConnection) {
  struct Case {
    const char* what;
    std::string bytes;
  };
  std::string zero_length("\0\0\0\0", 4);
  std::string huge("\0\x10\0\0C", 5);
  const std::vector<Case> cases = {
      {"zero length", zero_length},
      {"over the bound", huge},
      {"connect without its NUL", std::string("\0\0\0\x04" "Chos", 8)},
      {"header with one string", mta::Header("A", "b").substr(0, 7) + std::string("\0\0\0\0", 0)},
      {"unknown command", std::string("\0\0\0\x01Z", 5)},
      {"second negotiation", Open()},
  };
  for (const auto& c : cases) {
    session = std::make_unique<Session>([this] { return std::make_unique<Recorder>(&log); }, [] { return Completion(); },
                                        SessionLimits{1024});
    std::string out;
    session->Receive(Open(), &out);
    std::string bytes = c.bytes;
    if (std::string(c.what) == "header with one string") {
      bytes.clear();
      AppendPacket(&bytes, command::kHeader, std::string("A\0", 2));
    }
    session->Receive(bytes, &out);
    EXPECT_EQ(session->state(), Session::State::kClosed) << c.what;
  }
}

TEST_F(SessionTest, AMacroPacketWithThousandsOfPairsClosesTheConnection) {
  Feed(Open());
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 129; ++i) many.emplace_back("m" + std::to_string(i), "v");
  Feed(mta::Macros('M', std::vector<std::pair<std::string, std::string>>(many.begin(), many.begin() + 128)));
  EXPECT_EQ(session->state(), Session::State::kOpen) << "128 a stage are kept";
  Feed(mta::Macros('M', many));
  EXPECT_EQ(session->state(), Session::State::kClosed);
}

TEST_F(SessionTest, ACommandBeforeNegotiationIsRefused) {
  Feed(mta::Connect("h", 'U', 0, ""));
  EXPECT_EQ(session->state(), Session::State::kClosed);
}

TEST_F(SessionTest, AHandlerThatThrowsClosesTheConnectionAndIsToldItClosed) {
  setup = [](Recorder& r) { r.throw_at_header = true; };
  Feed(Open() + mta::Connect("h", 'U', 0, "") + mta::Mail({"<a@x>"}));
  Feed(mta::Header("A", "b"));
  EXPECT_EQ(session->state(), Session::State::kClosed);
  EXPECT_EQ(log.back(), "close");
}

TEST_F(SessionTest, PacketsSplitAnywhereAreReassembled) {
  const std::string all = Open() + mta::Connect("h", '6', 25, "2001:db8::1") + mta::Mail({"<a@x>"}) +
                          mta::BodyChunks(std::string(150000, 'x')) + mta::EndOfBody();
  session = std::make_unique<Session>([this] { return std::make_unique<Recorder>(&log); }, [] { return Completion(); });
  std::string out;
  for (char c : all) session->Receive(std::string_view(&c, 1), &out);
  std::vector<std::string> lines;
  for (const auto& p : mta::Cut(out)) lines.push_back(Describe(p));
  EXPECT_EQ(lines.size(), 1u + 2 + 3 + 1);
  EXPECT_EQ(lines.back(), "a");
}

TEST_F(SessionTest, ADeferredAnswerHoldsInputUntilItComesAndTheDeadlineAnswers) {
  setup = [](Recorder& r) { r.at_eom = Deferred{std::chrono::milliseconds(50)}; };
  Feed(Open() + mta::Connect("h", 'U', 0, ""));
  EXPECT_TRUE(Feed(mta::Mail({"<a@x>"}) + mta::EndOfBody() + mta::Mail({"<next@x>"})).size() == 1);  // "c" for MAIL
  EXPECT_EQ(session->state(), Session::State::kWaiting);
  EXPECT_EQ(session->deadline(), std::chrono::milliseconds(50));
  std::string out;
  EXPECT_EQ(session->DeadlinePassed(&out), Session::State::kOpen);
  std::vector<std::string> lines;
  for (const auto& p : mta::Cut(out)) lines.push_back(Describe(p));
  // The deadline's answer, then the held MAIL is taken.
  EXPECT_EQ(lines, (std::vector<std::string>{"y:451 4.3.0 try later", "c"}));
}

TEST_F(SessionTest, MoreThanAPacketWhileWaitingClosesTheConnection) {
  setup = [](Recorder& r) { r.at_eom = Deferred{}; };
  Feed(Open() + mta::Connect("h", 'U', 0, "") + mta::EndOfBody());
  Feed(mta::Body(std::string(900, 'x')));
  EXPECT_EQ(session->state(), Session::State::kWaiting);
  Feed(mta::Body(std::string(900, 'x')));
  EXPECT_EQ(session->state(), Session::State::kClosed);
}

TEST_F(SessionTest, MacrosAreLookedUpWithOrWithoutBracesAndLaterStagesAreClearedByEarlierCommands) {
  Feed(Open() + mta::Macros('C', {{"{daemon_name}", "smtpd"}}) + mta::Connect("h", 'U', 0, "") +
       mta::Macros('R', {{"{rcpt_addr}", "b@y"}}) + mta::Rcpt({"<b@y>"}));
  EXPECT_EQ(session->Macro("daemon_name"), "");
  EXPECT_EQ(session->Macro("{daemon_name}"), "smtpd");
  EXPECT_EQ(session->Macro("{rcpt_addr}"), "b@y");
  Feed(mta::Mail({"<a@x>"}));
  EXPECT_EQ(session->Macro("{rcpt_addr}"), "");
  EXPECT_EQ(session->Macro("{daemon_name}"), "smtpd");
}

}  // namespace
}  // namespace sendguard::milter_protocol
