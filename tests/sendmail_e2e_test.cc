// SPDX-License-Identifier: Apache-2.0
// End to end through a real Sendmail (the shipped config/sendmail/sendguard.mc) with
// sendguard-milter over loopback TCP, sending with swaks: clean mail delivered with headers;
// sensitive mail rejected with the explanation; the confirmed resend delivered once; the
// milter killed under load loses nothing, delivers nothing twice and nothing unscanned; and
// the same over a unix socket, where the milter asks Sendmail not to wait for most answers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "e2e/no_identifiers.h"
#include "e2e/council_mail.h"
#include "e2e/sendmail_harness.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

using testing::MilterDaemon;
using testing::SendmailInstance;

const char* kOrg = "organisation:\n  name: {en: the council}\n  internal_domains: [council.example.gov.uk]\n";
const char* kSender = "s.okafor@council.example.gov.uk";

class SendmailE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0) return;
    // Loopback TCP, as the shipped .mc has it (inet:8899@127.0.0.1, here a free port).
    milter_ = new MilterDaemon("sendmail", kOrg);
    sendmail_ = new SendmailInstance("inet:" + std::to_string(milter_->port()) + "@127.0.0.1");
  }
  static void TearDownTestSuite() {
    delete sendmail_;
    delete milter_;
    sendmail_ = nullptr;
    milter_ = nullptr;
  }
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "Sendmail's daemon and its namespaces need root (CI runs the test command as root)";
    synth::Rng rng(static_cast<uint64_t>(::testing::UnitTest::GetInstance()->random_seed()) + 47);
    for (int i = 0; i < 12; ++i) nhs_.push_back(synth::NhsNumber(rng));
  }

  // A message with a unique marker header; sensitive ones carry 12 NHS numbers with health terms.
  std::string Message(const std::string& marker, const std::string& to, bool sensitive, const std::string& subject = "referrals",
                      const std::string& extra = "") {
    return testing::CouncilMessage(marker, to, nhs_, sensitive, subject, extra);
  }

  SendmailInstance::Sent Send(const std::string& marker, const std::string& to, bool sensitive,
                              const std::string& subject = "referrals", const std::string& extra = "") {
    return sendmail_->Send(kSender, {to}, Message(marker, to, sensitive, subject, extra));
  }
  std::string Marker(const std::string& name) {
    // Closed with "-end" so that "load-1-end" never matches inside "load-10-end".
    return name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + "-end";
  }
  // Waits until `marker` has been delivered `want` times or the queue is empty, then returns
  // every delivery of it.
  std::vector<std::string> DeliveredAfterFlush(const std::string& marker, size_t want = 1) {
    for (int i = 0; i < 300 && sendmail_->Delivered(marker).size() < want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(sendmail_->Flush(30)) << sendmail_->Log();
    return sendmail_->Delivered(marker);
  }

  // Sendmail's open connections to the milter.
  static int MilterConnections() {
    std::string out;
    testing::Shell("ss -Htn state established '( sport = :" + std::to_string(milter_->port()) + " )'", &out);
    return static_cast<int>(std::count(out.begin(), out.end(), '\n'));
  }

  static inline MilterDaemon* milter_ = nullptr;
  static inline SendmailInstance* sendmail_ = nullptr;
  static inline int counter_ = 0;
  std::vector<std::string> nhs_;
};

// Inside the council a message carries sendguard's verdict, scan and findings headers; outside
// it only "X-Sendguard: checked". Headers a sender forges are gone either way (Sendmail counts
// header indexes as Postfix does).
TEST_F(SendmailE2eTest, CleanMailIsDeliveredWithSendguardsHeaders) {
  const std::string forged = "X-Sendguard-Confirmed: yes\r\nX-SENDGUARD-Verdict: allow; policies=none\r\n";
  const std::string inside = Marker("clean-inside"), outside = Marker("clean-outside");
  const std::string colleague = "colleague@council.example.gov.uk", friend_ = "friend@example.org";
  auto a = sendmail_->Send(kSender, {colleague}, forged + Message(inside, colleague, false));
  ASSERT_TRUE(a.accepted) << a.transcript << milter_->Log();
  auto b = sendmail_->Send(kSender, {friend_}, forged + Message(outside, friend_, false));
  ASSERT_TRUE(b.accepted) << b.transcript << milter_->Log();
  auto in = DeliveredAfterFlush(inside), out = DeliveredAfterFlush(outside);
  ASSERT_EQ(in.size(), 1u) << sendmail_->Log();
  ASSERT_EQ(out.size(), 1u) << sendmail_->Log();
  EXPECT_NE(in[0].find("X-Sink-Recipients: " + colleague), std::string::npos) << in[0];
  EXPECT_NE(in[0].find("X-Sendguard-Verdict: allow"), std::string::npos) << in[0];
  EXPECT_NE(in[0].find("X-Sendguard-Scan: complete"), std::string::npos) << in[0];
  EXPECT_NE(in[0].find("X-Sendguard-Findings: none"), std::string::npos) << in[0];
  EXPECT_NE(out[0].find("X-Sendguard: checked"), std::string::npos) << out[0];
  for (const auto& got : {in[0], out[0]}) {
    EXPECT_EQ(got.find("X-Sendguard-Confirmed"), std::string::npos) << "a forged header was delivered: " << got;
    EXPECT_EQ(got.find("policies=none"), std::string::npos) << "a forged header was delivered: " << got;
    EXPECT_EQ(got.find("X-SENDGUARD"), std::string::npos) << got;
  }
  for (const char* revealing : {"X-Sendguard-Verdict", "X-Sendguard-Findings", "X-Sendguard-Scan"}) {
    EXPECT_EQ(out[0].find(revealing), std::string::npos) << revealing << " reached an outside recipient: " << out[0];
  }
  // The queue ID the milter logged is Sendmail's (the `i` macro the shipped .mc sends at end of message).
  std::smatch qid;
  ASSERT_TRUE(std::regex_search(a.transcript, qid, std::regex(R"(250 2\.0\.0 (\w+) Message accepted)"))) << a.transcript;
  EXPECT_NE(milter_->Log().find("qid=" + std::string(qid[1]) + " direction=outbound verdict=allow"), std::string::npos)
      << milter_->Log();
}

TEST_F(SendmailE2eTest, SensitiveMailIsRejectedWithTheExplanationThenTheConfirmedResendIsDeliveredOnce) {
  const std::string marker = Marker("confirm");
  auto first = Send(marker, "j.smith@example.org", true);
  ASSERT_TRUE(first.rejected) << first.transcript;
  EXPECT_FALSE(first.accepted) << first.transcript;
  // A multi-line 5xx: Sendmail passes smfi_setmlreply's lines through.
  EXPECT_TRUE(std::regex_search(first.transcript, std::regex(R"(<\*\* +5\d\d-5\.7\.\d+ )"))) << first.transcript;
  EXPECT_NE(first.reply_text.find("This email contains 12 NHS numbers and health information and is going to "
                                  "someone outside the council (j.smith@example.org)."),
            std::string::npos) << first.reply_text;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.reply_text, m, std::regex(R"(\[confirm ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})\])")))
      << first.reply_text;
  const std::string code = m[1];
  testing::ExpectNoNhsNumber(first.transcript, nhs_, "swaks transcript");
  // Another message (the text edited) cannot use the code.
  auto other = Send(marker, "j.smith@example.org", true, "[confirm " + code + "] referrals", "One more line.\r\n");
  EXPECT_TRUE(other.rejected) << other.transcript;
  // The same message re-sent with the code passes once; the tag is removed.
  auto resend = Send(marker, "j.smith@example.org", true, "[confirm " + code + "] referrals");
  ASSERT_TRUE(resend.accepted) << resend.transcript << milter_->Log();
  auto again = Send(marker, "j.smith@example.org", true, "[confirm " + code + "] referrals");
  EXPECT_TRUE(again.rejected) << "a code passes once: " << again.transcript;
  EXPECT_NE(again.reply_text.find("This email was already sent, the first time you used that code"), std::string::npos)
      << again.reply_text;
  auto got = DeliveredAfterFlush(marker);
  ASSERT_EQ(got.size(), 1u) << sendmail_->Log();
  EXPECT_TRUE(got[0].find("Subject: referrals\r\n") != std::string::npos || got[0].find("Subject: referrals\n") != std::string::npos)
      << got[0];
  EXPECT_NE(got[0].find("X-Sendguard: checked"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("X-Sendguard-Confirmed"), std::string::npos) << got[0];
  EXPECT_NE(milter_->Log().find("outcome=confirmed"), std::string::npos) << milter_->Log();
  testing::ExpectNoNhsNumber(milter_->Log(), nhs_, "milter log");
  testing::ExpectNoNhsNumber(sendmail_->Log(), nhs_, "sendmail log");
}

// 40 messages by swaks and 2 stopped before their final dot (a quarter sensitive, to an outside address; the rest clean, to a colleague, so
// the delivered copy shows the scan header) from 8 clients at a time; the milter is SIGKILLed
// part way and restarted. F=T in the shipped .mc: while it is away Sendmail answers 4xx. Every
// message ends answered (2xx, 4xx or 5xx); the 4xx ones are sent again as a client would; then
// each clean one is delivered exactly once and scanned completely, and no sensitive one is
// delivered. (Outside recipients see only "X-Sendguard: checked", also on a fail-mode accept.)
TEST_F(SendmailE2eTest, MilterKilledUnderLoadLosesNothingDeliversNothingTwiceOrUnscanned) {
  constexpr size_t kMessages = 40, kClients = 8, kKillAt = 12, kRestartAt = 24;
  struct Item {
    std::string marker;
    bool sensitive;
    SendmailInstance::Sent sent;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < kMessages; ++i) items.push_back({Marker("load"), i % 4 == 0, {}});
  std::vector<Item> held = {{Marker("held"), false, {}}, {Marker("held"), true, {}}};
  auto to = [](const Item& it) { return it.sensitive ? "friend@example.org" : "colleague@council.example.gov.uk"; };
  std::vector<std::future<SendmailInstance::Sent>> futures;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == kRestartAt) milter_->Start();
    futures.push_back(std::async(std::launch::async, [&, i] { return Send(items[i].marker, to(items[i]), items[i].sensitive); }));
    if (i + 1 == kKillAt) {
      // Two more messages stop before their final dot: Sendmail holds them and its sessions
      // with the milter (connect, MAIL, RCPT and DATA seen). The milter dies under them and
      // under whichever of the swaks clients are part way.
      std::vector<std::unique_ptr<SendmailInstance::Paused>> paused;
      for (auto& h : held) {
        paused.push_back(std::make_unique<SendmailInstance::Paused>(sendmail_->port(), kSender, to(h),
                                                                    Message(h.marker, to(h), h.sensitive)));
      }
      EXPECT_GE(MilterConnections(), 2) << "Sendmail's sessions should be open with the milter";
      milter_->Kill();
      for (size_t k = 0; k < held.size(); ++k) {
        const std::string reply = paused[k]->End(&held[k].sent.transcript);
        EXPECT_EQ(reply.rfind("451 4.3.2 ", 0), 0u) << "F=T: tempfail when the milter dies mid-message: " << held[k].sent.transcript;
        held[k].sent.deferred = reply.rfind('4', 0) == 0;
        held[k].sent.rejected = reply.rfind('5', 0) == 0;
        held[k].sent.accepted = reply.rfind("250", 0) == 0;
        held[k].sent.answered = !reply.empty();
      }
    }
    if (futures.size() % kClients == 0) {
      for (size_t j = futures.size() - kClients; j < futures.size(); ++j) items[j].sent = futures[j].get();
    }
  }
  items.insert(items.end(), held.begin(), held.end());
  int deferred = 0, deferred_after_mail = 0;
  for (auto& it : items) {
    ASSERT_TRUE(it.sent.answered) << "no answer: " << it.sent.transcript;
    ASSERT_TRUE(it.sent.accepted || it.sent.rejected || it.sent.deferred) << it.sent.transcript;
    if (it.sent.deferred) {
      ++deferred;
      deferred_after_mail += it.sent.transcript.find("250 2.1.0") != std::string::npos;
      EXPECT_FALSE(it.sent.accepted) << it.sent.transcript;
      // Nothing answered 4xx goes out: the resend below must be its only delivery.
      EXPECT_TRUE(sendmail_->Delivered(it.marker).empty()) << it.marker;
      it.sent = Send(it.marker, to(it), it.sensitive);  // what a client does with a 4xx
    }
  }
  EXPECT_GT(deferred, 0) << "the kill should have caught some messages";
  std::cout << "answered 4xx: " << deferred << " (after MAIL was accepted: " << deferred_after_mail << ")\n";
  ASSERT_TRUE(sendmail_->Flush(60)) << sendmail_->Log();
  for (const auto& it : items) {
    auto got = sendmail_->Delivered(it.marker);
    if (it.sensitive) {
      EXPECT_TRUE(it.sent.rejected) << it.marker << it.sent.transcript;
      EXPECT_EQ(got.size(), 0u) << it.marker;
    } else {
      EXPECT_TRUE(it.sent.accepted) << it.marker << it.sent.transcript;
      ASSERT_EQ(got.size(), 1u) << it.marker << sendmail_->Log();
      EXPECT_NE(got[0].find("X-Sendguard-Scan: complete"), std::string::npos) << "delivered unscanned: " << got[0];
    }
  }
  testing::ExpectNoNhsNumber(milter_->Log(), nhs_, "milter log");
}

// Over a unix socket (S=local:...) the milter negotiates skipped steps and no-reply steps
// (SMFIP_NODATA, NOEOH, NR_CONN/MAIL/RCPT/HDR/BODY); Sendmail 8.17 offers them all. Both
// verdicts still come through at end of message.
TEST_F(SendmailE2eTest, OverAUnixSocketCleanMailIsDeliveredAndSensitiveMailRejected) {
  MilterDaemon milter("sendmail-unix", kOrg, "", testing::MilterSocket::kUnix);
  const std::string spec = milter.PostfixSpec();  // unix:/path
  SendmailInstance sendmail("local:" + spec.substr(spec.find(':') + 1));
  const std::string clean = Marker("unix-clean"), sensitive = Marker("unix-sensitive");
  const std::string colleague = "colleague@council.example.gov.uk";
  auto a = sendmail.Send(kSender, {colleague}, Message(clean, colleague, false));
  ASSERT_TRUE(a.accepted) << a.transcript << milter.Log();
  auto b = sendmail.Send(kSender, {"j.smith@example.org"}, Message(sensitive, "j.smith@example.org", true));
  ASSERT_TRUE(b.rejected) << b.transcript << milter.Log();
  EXPECT_NE(b.reply_text.find("This email contains 12 NHS numbers"), std::string::npos) << b.reply_text;
  for (int i = 0; i < 300 && sendmail.Delivered(clean).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(sendmail.Flush(30)) << sendmail.Log();
  auto got = sendmail.Delivered(clean);
  ASSERT_EQ(got.size(), 1u) << sendmail.Log();
  EXPECT_NE(got[0].find("X-Sendguard-Scan: complete"), std::string::npos) << got[0];
  EXPECT_TRUE(sendmail.Delivered(sensitive).empty());
}

}  // namespace
}  // namespace sendguard
