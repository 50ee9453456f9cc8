// SPDX-License-Identifier: Apache-2.0
// The event loop over real sockets: answers finished on other threads, progress while a scan
// runs long, deadlines, many connections on one thread, and a clean stop.
#include "sendguard/milter_protocol/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "sendguard/milter_protocol/mta_side.h"

namespace sendguard::milter_protocol {
namespace {

using namespace std::chrono_literals;

// Answers end of message from another thread after `delay` (the header "X-Delay-Ms" sets it),
// accepting with one added header; the deadline answers tempfail.
struct SlowHandler : Handler {
  std::chrono::milliseconds delay{0};
  Negotiation Negotiate(const Negotiation&) override { return {6, action::kAddHeaders, step::kNoReplyHeader}; }
  Reply OnHeader(const Session&, std::string_view n, std::string_view v) override {
    if (n == "X-Delay-Ms") delay = std::chrono::milliseconds(std::stoi(std::string(v)));
    return {};
  }
  std::variant<Reply, Deferred> OnEndOfMessage(const Session&, Completion done) override {
    std::thread([done, d = delay] {
      std::this_thread::sleep_for(d);
      done.Finish([] {
        Reply r = Reply::Accept();
        r.changes.push_back(Modification::AddHeader("X-Done", "yes"));
        return r;
      });
    }).detach();
    return Deferred{1500ms};
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}) {
    path = std::filesystem::temp_directory_path() / ("sg-mp-" + std::to_string(getpid()) + ".sock");
    auto s = Server::Listen("unix:" + path.string(), options, [] { return std::make_unique<SlowHandler>(); });
    ASSERT_TRUE(s.ok()) << s.status().message();
    server = std::move(s).value();
    loop = std::thread([this] { server->Run(); });
  }
  void TearDown() override {
    if (server) server->Stop(0ms);
    if (loop.joinable()) loop.join();
  }
  std::vector<std::string> Message(mta::Client& c, int delay_ms) {
    EXPECT_TRUE(c.Send(mta::Mail({"<a@x>"}) + mta::Header("X-Delay-Ms", std::to_string(delay_ms)) + mta::EndOfBody()).ok());
    std::vector<std::string> lines;
    auto mail = c.UntilVerdict(5s);
    if (!mail.ok()) return {"no answer to MAIL"};
    auto r = c.UntilVerdict(5s);
    if (!r.ok()) return {r.status().message()};
    for (const auto& p : *r) lines.push_back(mta::Describe(p));
    return lines;
  }
  mta::Client Open() {
    auto c = mta::Client::Connect("unix:" + path.string(), 5s);
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE(c->Send(mta::Negotiate(6, 0x1ff, step::kAll) + mta::Connect("h", 'U', 0, "")).ok());
    EXPECT_TRUE(c->UntilVerdict(5s).ok());  // negotiation
    EXPECT_TRUE(c->UntilVerdict(5s).ok());  // connect
    return std::move(c).value();
  }
  std::filesystem::path path;
  std::unique_ptr<Server> server;
  std::thread loop;
};

TEST_F(ServerTest, AnAnswerFinishedOnAnotherThreadReachesTheMta) {
  Start();
  auto c = Open();
  EXPECT_EQ(Message(c, 0), (std::vector<std::string>{"h:X-Done=yes", "a"}));
  EXPECT_EQ(Message(c, 20), (std::vector<std::string>{"h:X-Done=yes", "a"}));  // the same connection again
}

TEST_F(ServerTest, ALongScanSendsProgressAndTheDeadlineAnswersWhenItPasses) {
  ServerOptions o;
  o.progress_every = 200ms;
  Start(o);
  auto c = Open();
  const auto slow = Message(c, 700);
  ASSERT_GE(slow.size(), 4u);
  EXPECT_EQ(slow.front(), "p");
  EXPECT_EQ(slow.back(), "a");
  const auto too_slow = Message(c, 3000);
  EXPECT_EQ(too_slow.back(), "t");
  EXPECT_EQ(server->counters().deadlines.load(), 1u);
  // The late answer is dropped: the next message gets its own.
  EXPECT_EQ(Message(c, 0).back(), "a");
}

TEST_F(ServerTest, ManyConnectionsAreServedByOneThread) {
  Start();
  std::vector<mta::Client> clients;
  for (int i = 0; i < 300; ++i) clients.push_back(Open());
  EXPECT_EQ(server->counters().open.load(), 300);
  for (auto& c : clients) ASSERT_TRUE(c.Send(mta::Mail({"<a@x>"}) + mta::EndOfBody()).ok());
  int accepted = 0;
  for (auto& c : clients) {
    c.UntilVerdict(5s);
    auto r = c.UntilVerdict(5s);
    accepted += r.ok() && r->back().code == 'a';
  }
  EXPECT_EQ(accepted, 300);
}

TEST_F(ServerTest, APipelinedMessageGetsADeadlineOfItsOwn) {
  Start();
  auto c = Open();
  // Two messages sent at once: the second is held until the first is answered, then waits
  // 1 s of its own (the deadline is 1.5 s a message, so one shared deadline would cut it).
  ASSERT_TRUE(c.Send(mta::Mail({"<a@x>"}) + mta::Header("X-Delay-Ms", "1000") + mta::EndOfBody() + mta::Mail({"<b@x>"}) +
                     mta::Header("X-Delay-Ms", "1000") + mta::EndOfBody()).ok());
  std::vector<char> verdicts;
  for (int i = 0; i < 4; ++i) {  // MAIL, end of message, MAIL, end of message
    auto r = c.UntilVerdict(5s);
    ASSERT_TRUE(r.ok());
    verdicts.push_back(r->back().code);
  }
  EXPECT_EQ(verdicts, (std::vector<char>{'c', 'a', 'c', 'a'}));
  EXPECT_EQ(server->counters().deadlines.load(), 0u);
}

TEST_F(ServerTest, AMalformedPacketClosesThatConnectionOnly) {
  Start();
  auto good = Open();
  auto bad = Open();
  ASSERT_TRUE(bad.Send(std::string("\0\0\0\0", 4)).ok());
  EXPECT_TRUE(bad.ClosedWithin(2s));
  EXPECT_EQ(Message(good, 0).back(), "a");
  EXPECT_EQ(server->counters().closed_malformed.load(), 1u);
}

TEST_F(ServerTest, StopWaitsForOpenMessagesThenRemovesTheSocket) {
  Start();
  auto c = Open();
  ASSERT_TRUE(c.Send(mta::Mail({"<a@x>"}) + mta::Header("X-Delay-Ms", "300") + mta::EndOfBody()).ok());
  ASSERT_TRUE(c.UntilVerdict(5s).ok());
  std::this_thread::sleep_for(50ms);
  server->Stop(5s);
  auto r = c.UntilVerdict(5s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->back().code, 'a');
  EXPECT_FALSE(mta::Client::Connect("unix:" + path.string(), 1s).ok());  // no longer accepting
  c.Send(mta::Quit());
  loop.join();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(ServerTest, ConnectionsOverTheLimitAndPacketsTrickledTooLongAreClosed) {
  ServerOptions o;
  o.max_connections = 2;
  o.packet_timeout = std::chrono::seconds(1);
  Start(o);
  auto a = Open();
  auto b = Open();
  auto c = mta::Client::Connect("unix:" + path.string(), 5s);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->ClosedWithin(2s)) << "a third connection over a limit of two";
  EXPECT_EQ(server->counters().refused.load(), 1u);
  // Half a packet, then nothing: closed after the packet timeout (the idle check runs each second).
  ASSERT_TRUE(a.Send(mta::Mail({"<a@x>"}).substr(0, 6)).ok());
  EXPECT_TRUE(a.ClosedWithin(4s));
  EXPECT_EQ(Message(b, 0).back(), "a") << "the other connection carries on";
}

// A connection that closes while its scan waits in a queue: the Completion says nobody waits,
// so work not yet started can be skipped.
struct CancelWatcher : Handler {
  static inline std::atomic<int> cancelled_seen{0};
  Negotiation Negotiate(const Negotiation&) override { return {6, 0, 0}; }
  std::variant<Reply, Deferred> OnEndOfMessage(const Session&, Completion done) override {
    std::thread([done] {
      for (int i = 0; i < 300 && !done.Cancelled(); ++i) std::this_thread::sleep_for(10ms);
      if (done.Cancelled()) ++cancelled_seen;
    }).detach();
    return Deferred{};
  }
};

TEST_F(ServerTest, AClosedConnectionCancelsItsPendingAnswer) {
  path = std::filesystem::temp_directory_path() / ("sg-mp-cancel-" + std::to_string(getpid()) + ".sock");
  auto s = Server::Listen("unix:" + path.string(), {}, [] { return std::make_unique<CancelWatcher>(); });
  ASSERT_TRUE(s.ok());
  server = std::move(s).value();
  loop = std::thread([this] { server->Run(); });
  {
    auto c = mta::Client::Connect("unix:" + path.string(), 5s);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE(c->Send(mta::Negotiate(6, 0x1ff, step::kAll) + mta::Connect("h", 'U', 0, "") + mta::Mail({"<a@x>"}) +
                        mta::EndOfBody()).ok());
    ASSERT_TRUE(c->UntilVerdict(5s).ok());  // negotiation
    std::this_thread::sleep_for(100ms);
  }  // closed while the answer is awaited
  for (int i = 0; i < 300 && CancelWatcher::cancelled_seen == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(CancelWatcher::cancelled_seen.load(), 1);
}

TEST_F(ServerTest, ListenRefusesBadSocketSpecsWithAReason) {
  for (const char* spec : {"inet:notaport@127.0.0.1", "tcp:25", "unix:", "inet:25@999.1.1.1"}) {
    auto s = Server::Listen(spec, {}, [] { return std::make_unique<SlowHandler>(); });
    EXPECT_FALSE(s.ok()) << spec;
  }
  auto tcp = Server::Listen("inet:0@127.0.0.1", {}, [] { return std::make_unique<SlowHandler>(); });
  ASSERT_TRUE(tcp.ok());
  EXPECT_GT((*tcp)->port(), 0);
  auto named = Server::Listen("inet:0@localhost", {}, [] { return std::make_unique<SlowHandler>(); });
  ASSERT_TRUE(named.ok()) << "a host name, as libmilter took one";
}

}  // namespace
}  // namespace sendguard::milter_protocol
