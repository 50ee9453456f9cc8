// SPDX-License-Identifier: Apache-2.0
// End to end through a real Postfix with sendguard-milter as its milter, sending with swaks:
// clean mail delivered with headers; sensitive mail rejected with the explanation; the
// confirmed resend delivered once (and the code refused a second time); blocked mail never
// arrives; the milter killed under load loses nothing; SIGHUP with a broken rule file during
// load changes nothing; no clear identifier in any log or the state database.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <sstream>
#include <regex>
#include <set>

#include "core/core_harness.h"
#include "e2e/no_identifiers.h"
#include "e2e/council_mail.h"
#include "e2e/postfix_harness.h"
#include "sendguard/common/http_server.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

using testing::MilterDaemon;
using testing::PostfixInstance;

const char* kOrg = "organisation:\n  name: {en: the council}\n  internal_domains: [council.example.gov.uk]\n";

// The whole suite runs twice: over a unix socket, as the operations guide recommends beside
// Postfix (the milter negotiates no answers before end of message), and over loopback TCP
// (every step answered).
struct OverUnixSocket {
  static constexpr testing::MilterSocket kSocket = testing::MilterSocket::kUnix;
};
struct OverTcp {
  static constexpr testing::MilterSocket kSocket = testing::MilterSocket::kTcp;
};

template <typename Over>
class PostfixE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (geteuid() != 0) return;
    milter_ = new MilterDaemon("e2e", kOrg, "", Over::kSocket);
    postfix_ = new PostfixInstance(milter_->PostfixSpec());
  }
  static void TearDownTestSuite() {
    delete postfix_;
    delete milter_;
    postfix_ = nullptr;
    milter_ = nullptr;
  }
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
    synth::Rng rng(static_cast<uint64_t>(::testing::UnitTest::GetInstance()->random_seed()) + 31);
    for (int i = 0; i < 12; ++i) nhs_.push_back(synth::NhsNumber(rng));
  }

  // A message with a unique marker header; sensitive ones carry 12 NHS numbers with health terms.
  std::string Message(const std::string& marker, const std::string& to, bool sensitive, const std::string& subject = "referrals",
                      const std::string& extra = "") {
    return testing::CouncilMessage(marker, to, nhs_, sensitive, subject, extra);
  }

  PostfixInstance::Sent Send(const std::string& marker, const std::string& to, bool sensitive,
                             const std::string& subject = "referrals", const std::string& extra = "") {
    return postfix_->Send("s.okafor@council.example.gov.uk", {to}, Message(marker, to, sensitive, subject, extra));
  }
  void ExpectNoClearIdentifier(const std::string& text, const std::string& where) {
    testing::ExpectNoNhsNumber(text, nhs_, where);
  }
  std::string Marker(const std::string& name) {
    // Closed with "-end" so that "load-1-end" never matches inside "load-10-end".
    return name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + "-end";
  }

  static inline MilterDaemon* milter_ = nullptr;
  static inline PostfixInstance* postfix_ = nullptr;
  static inline int counter_ = 0;
  std::vector<std::string> nhs_;
};

class SocketName {
 public:
  template <typename T>
  static std::string GetName(int) {
    return T::kSocket == testing::MilterSocket::kUnix ? "unix" : "tcp";
  }
};
using Sockets = ::testing::Types<OverUnixSocket, OverTcp>;
TYPED_TEST_SUITE(PostfixE2eTest, Sockets, SocketName);

// Inside the council a message carries sendguard's verdict, scan and findings headers; outside
// it only "X-Sendguard: checked". Headers a sender forges are gone either way.
TYPED_TEST(PostfixE2eTest, CleanMailIsDeliveredWithHeadersForgedOnesRemovedAndOutsideOnlyANeutralOne) {
  const std::string forged = "X-Sendguard-Confirmed: yes\r\nX-SENDGUARD-Verdict: allow; policies=none\r\n";
  const std::string inside = this->Marker("clean-inside"), outside = this->Marker("clean-outside");
  const std::string colleague = "colleague@council.example.gov.uk", friend_ = "friend@example.org";
  ASSERT_TRUE(this->postfix_->Send("s.okafor@council.example.gov.uk", {colleague}, forged + this->Message(inside, colleague, false)).queued);
  ASSERT_TRUE(this->postfix_->Send("s.okafor@council.example.gov.uk", {friend_}, forged + this->Message(outside, friend_, false)).queued)
      << this->milter_->Log();
  ASSERT_TRUE(this->postfix_->Flush(20)) << this->postfix_->Log();
  auto in = this->postfix_->Delivered(inside), out = this->postfix_->Delivered(outside);
  ASSERT_EQ(in.size(), 1u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(in[0].find("X-Sendguard-Verdict: allow"), std::string::npos) << in[0];
  EXPECT_NE(in[0].find("X-Sendguard-Scan: complete"), std::string::npos) << in[0];
  EXPECT_NE(in[0].find("X-Sendguard-Findings: none"), std::string::npos) << in[0];
  EXPECT_NE(out[0].find("X-Sendguard: checked"), std::string::npos) << out[0];
  for (const auto& got : {in[0], out[0]}) {
    EXPECT_EQ(got.find("X-Sendguard-Confirmed"), std::string::npos) << "a forged header was delivered: " << got;
    EXPECT_EQ(got.find("policies=none"), std::string::npos) << "a forged header was delivered: " << got;
    EXPECT_EQ(got.find("X-SENDGUARD"), std::string::npos) << got;
  }
  for (const char* revealing : {"X-Sendguard-Verdict", "X-Sendguard-Findings", "X-Sendguard-Scan", "X-Sendguard-Monitor"}) {
    EXPECT_EQ(out[0].find(revealing), std::string::npos) << revealing << " reached an outside recipient: " << out[0];
  }
}

TYPED_TEST(PostfixE2eTest, SensitiveMailIsRejectedThenTheConfirmedResendIsDeliveredOnce) {
  const std::string marker = this->Marker("confirm");
  auto first = this->Send(marker, "j.smith@example.org", true);
  ASSERT_TRUE(first.rejected) << first.transcript;
  EXPECT_NE(first.reply_text.find("This email contains 12 NHS numbers and health information and is going to "
                                  "someone outside the council (j.smith@example.org)."),
            std::string::npos) << first.reply_text;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first.reply_text, m, std::regex(R"(\[confirm ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})\])")))
      << first.reply_text;
  const std::string code = m[1];
  this->ExpectNoClearIdentifier(first.transcript, "swaks transcript");
  // Another message (the text edited) cannot use the code.
  auto other = this->Send(marker, "j.smith@example.org", true, "[confirm " + code + "] referrals", "One more line.\r\n");
  EXPECT_TRUE(other.rejected) << other.transcript;
  // The same message re-sent with the code passes once; the tag is removed.
  auto resend = this->Send(marker, "j.smith@example.org", true, "[confirm " + code + "] referrals");
  ASSERT_TRUE(resend.queued) << resend.transcript << this->milter_->Log();
  auto again = this->Send(marker, "j.smith@example.org", true, "[confirm " + code + "] referrals");
  EXPECT_TRUE(again.rejected) << "a code passes once: " << again.transcript;
  // The sender is told plainly that the first send went, and any new code is not the used one.
  EXPECT_NE(again.reply_text.find("This email was already sent, the first time you used that code"), std::string::npos)
      << again.reply_text;
  ASSERT_TRUE(std::regex_search(again.reply_text, m, std::regex(R"(\[confirm ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})\])")))
      << again.reply_text;
  EXPECT_NE(std::string(m[1]), code) << "a used code is never issued again";
  ASSERT_TRUE(this->postfix_->Flush(20)) << this->postfix_->Log();
  auto got = this->postfix_->Delivered(marker);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].find("Subject: referrals\r\n") != std::string::npos || got[0].find("Subject: referrals\n") != std::string::npos) << got[0];
  // It went outside: the recipient learns nothing of the warning or what the email held.
  EXPECT_NE(got[0].find("X-Sendguard: checked"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("X-Sendguard-Confirmed"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("X-Sendguard-Findings"), std::string::npos) << got[0];
  EXPECT_NE(this->milter_->Log().find("outcome=confirmed findings=\"dict.health="), std::string::npos) << "the log keeps them";
}

TYPED_TEST(PostfixE2eTest, BlockedMailNeverArrives) {
  const std::string marker = this->Marker("blocked");
  auto sent = this->Send(marker, "jo@counci1.example.gov.uk", true);
  ASSERT_TRUE(sent.rejected) << sent.transcript;
  EXPECT_NE(sent.reply_text.find("which looks like council.example.gov.uk"), std::string::npos) << sent.reply_text;
  EXPECT_NE(sent.reply_text.find("It has not been sent."), std::string::npos) << sent.reply_text;
  ASSERT_TRUE(this->postfix_->Flush(10));
  EXPECT_TRUE(this->postfix_->Delivered(marker).empty());
}

TYPED_TEST(PostfixE2eTest, MilterKilledUnderLoadLosesNothing) {
  // 24 messages (a third sensitive) sent 6 at a time; the milter is killed part way and restarted.
  struct Item {
    std::string marker;
    bool sensitive;
    PostfixInstance::Sent sent;
  };
  std::vector<Item> items;
  for (int i = 0; i < 24; ++i) items.push_back({this->Marker("load"), i % 3 == 0, {}});
  std::vector<std::future<PostfixInstance::Sent>> futures;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i == 9) this->milter_->Kill();  // Postfix now follows milter_default_action = tempfail
    if (i == 15) this->milter_->Start();
    futures.push_back(std::async(std::launch::async, [&, i] { return this->Send(items[i].marker, "friend@example.org", items[i].sensitive); }));
    if (futures.size() % 6 == 0) {
      for (size_t j = futures.size() - 6; j < futures.size(); ++j) items[j].sent = futures[j].get();
    }
  }
  int deferred = 0;
  for (auto& it : items) {
    ASSERT_TRUE(it.sent.queued || it.sent.rejected || it.sent.deferred) << it.sent.transcript;
    if (it.sent.deferred) {
      ++deferred;
      it.sent = this->Send(it.marker, "friend@example.org", it.sensitive);  // what a client does with a 4xx
    }
  }
  EXPECT_GT(deferred, 0) << "the kill should have caught some messages";
  ASSERT_TRUE(this->postfix_->Flush(30)) << this->postfix_->Log();
  for (const auto& it : items) {
    size_t n = this->postfix_->Delivered(it.marker).size();
    if (it.sensitive) {
      EXPECT_TRUE(it.sent.rejected) << it.marker << it.sent.transcript;
      EXPECT_EQ(n, 0u) << it.marker;
    } else {
      EXPECT_TRUE(it.sent.queued) << it.marker << it.sent.transcript;
      EXPECT_EQ(n, 1u) << it.marker;
    }
  }
}

TYPED_TEST(PostfixE2eTest, SighupWithABrokenRuleFileDuringLoadChangesNothing) {
  std::ofstream(this->milter_->dir() / "broken.yaml") << "policies:\n  - id: x\n    action: warn\n    when: {signals: [nope]}\n";
  std::string config = testing::ReadFile(this->milter_->config());
  std::ofstream(this->milter_->config(), std::ios::app) << "policy_files: [" << (this->milter_->dir() / "broken.yaml").string() << "]\n";
  std::vector<std::future<PostfixInstance::Sent>> futures;
  // All items first: the sending threads read them while later ones would be added.
  std::vector<std::pair<std::string, bool>> sent_items;
  for (int i = 0; i < 16; ++i) sent_items.emplace_back(this->Marker("hup"), i % 2 == 0);
  for (int i = 0; i < 16; ++i) {
    futures.push_back(std::async(std::launch::async, [&, i] {
      return this->Send(sent_items[static_cast<size_t>(i)].first, "friend@example.org", sent_items[static_cast<size_t>(i)].second);
    }));
    if (i % 4 == 1) this->milter_->Signal(SIGHUP);
    if (i % 4 == 3) {
      for (int j = i - 3; j <= i; ++j) futures[static_cast<size_t>(j)].wait();
    }
  }
  for (size_t i = 0; i < futures.size(); ++i) {
    auto s = futures[i].get();
    EXPECT_FALSE(s.deferred) << "no message fails during a reload: " << s.transcript;
    EXPECT_EQ(s.rejected, sent_items[i].second) << s.transcript;
  }
  EXPECT_TRUE(this->milter_->WaitForLog("reload failed, the previous rules stay live")) << this->milter_->Log();
  std::ofstream(this->milter_->config(), std::ios::trunc) << config;  // restore
  this->milter_->Signal(SIGHUP);
}

TYPED_TEST(PostfixE2eTest, NoClearIdentifierInLogsOrState) {
  this->Send(this->Marker("privacy"), "x@example.org", true);
  this->ExpectNoClearIdentifier(this->milter_->Log(), "milter log");
  this->ExpectNoClearIdentifier(this->postfix_->Log(), "postfix log");
  std::string state;
  for (const auto& e : std::filesystem::directory_iterator(this->milter_->dir() / "state")) {
    if (e.is_regular_file()) state += testing::ReadFile(e.path());
  }
  this->ExpectNoClearIdentifier(state, "state database");
  EXPECT_EQ(state.find("j.smith@example.org"), std::string::npos) << "addresses are keyed hashes";
}

// The core's email notification goes through a real Postfix to the IG mailbox.
TEST(CoreEmailNotification, ANewDraftReachesTheIgMailboxThroughPostfix) {
  if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
  testing::PostfixInstance postfix("", "smtpd_milters =\n");
  testing::CoreServer core("email", "notifications:\n  poll_seconds: 5\n  email: {smtp_url: \"smtp://127.0.0.1:" +
                                        std::to_string(postfix.port()) +
                                        "\", from: sendguard@council.example.gov.uk, to: ig-team@council.example.gov.uk}\n");
  auto r = core.Request("POST", "/api/incidents", R"({"title": "Folder left on a train", "kind": "NEAR_MISS"})",
                        core.As("IG_OFFICER", "ig1"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.Json()["incident"]["incident_id"];
  std::vector<std::string> got;
  for (int i = 0; i < 60 && got.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    postfix.Flush(1);
    got = postfix.Delivered(id);
  }
  ASSERT_EQ(got.size(), 1u) << core.Log() << postfix.Log();
  EXPECT_NE(got[0].find("Subject: sendguard: New NEAR_MISS draft"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("Folder left on a train"), std::string::npos) << "no text people typed";
}

// Casework mail through the core's own email (Postfix here): an investigating officer is sent
// their link when the IG officer assigns them in the pages, and the link signs them in to that
// case; the deletion request goes to the wrong recipient's address, and the case file keeps only
// its domain.
TEST(CoreEmailNotification, AnOfficersLinkAndADeletionRequestGoOutThroughPostfix) {
  if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
  testing::PostfixInstance postfix("", "smtpd_milters =\n");
  testing::CoreServer core("email-casework", "notifications:\n  email: {smtp_url: \"smtp://127.0.0.1:" +
                                                 std::to_string(postfix.port()) +
                                                 "\", from: sendguard@council.example.gov.uk, to: ig-team@council.example.gov.uk}\n");
  auto filed = core.Request("POST", "/api/incidents",
                            R"({"title": "Referral to the wrong address", "incident_number": "IG-2026-0303", "s4_types": ["INCORRECT_RECIPIENT"]})",
                            core.As("IG_OFFICER", "setup"));
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string id = filed.Json()["incident"]["incident_id"];
  const std::string form = "Content-Type: application/x-www-form-urlencoded";
  std::string csrf;
  const std::string session = core.SignIn("ig1", "ig_officer", "/incidents/" + id, &csrf);
  ASSERT_FALSE(session.empty());
  std::smatch m;
  auto assigned = core.Request("POST", "/incidents/" + id + "/section/officer",
                               "csrf=" + csrf + "&investigating_officer.name=Lee+Manager&investigating_officer.id=lee.manager%40council.example.gov.uk",
                               {form, session});
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_NE(assigned.body.find("A link to the case was sent to lee.manager@council.example.gov.uk"), std::string::npos)
      << assigned.body;
  EXPECT_EQ(assigned.body.find("/officer/"), std::string::npos) << "the link is the officer's alone: not shown to the IG team";
  // The mail holding `needle`, once Postfix has delivered it (15 s at most).
  auto delivered = [&](const std::string& needle) {
    std::vector<std::string> found;
    for (int i = 0; i < 60 && found.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      postfix.Flush(1);
      found = postfix.Delivered(needle);
    }
    return found;
  };
  std::vector<std::string> got = delivered("IG-2026-0303");
  ASSERT_EQ(got.size(), 1u) << core.Log() << postfix.Log();
  EXPECT_NE(got[0].find("X-Sink-Recipients: lee.manager@council.example.gov.uk"), std::string::npos) << got[0];
  ASSERT_TRUE(std::regex_search(got[0], m, std::regex("/officer/([0-9a-f]{64})"))) << got[0];
  const std::string link = "/officer/" + std::string(m[1]);
  // Opening the link shows a button; pressing it (its form token and the cookie it set) signs in.
  auto landing = core.Request("GET", link);
  EXPECT_EQ(landing.status, 200);
  ASSERT_TRUE(std::regex_search(landing.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) << landing.body;
  const std::string link_csrf = m[1];
  EXPECT_EQ(core.Request("POST", link, "csrf=" + link_csrf, {form}).status, 403) << "without the cookie: another site's form";
  auto opened = core.Request("POST", link, "csrf=" + link_csrf, {form, "Cookie: sg_officer=" + link_csrf});
  EXPECT_EQ(opened.status, 303) << opened.body;
  EXPECT_NE(opened.headers.find("Location: /incidents/" + id), std::string::npos) << opened.headers;
  ASSERT_TRUE(std::regex_search(opened.headers, m, std::regex("sg_session=([0-9a-f]{64})"))) << opened.headers;
  auto as_officer = core.Request("GET", "/incidents/" + id, "", {"Cookie: sg_session=" + std::string(m[1])});
  EXPECT_EQ(as_officer.status, 200);
  EXPECT_NE(as_officer.body.find("(investigating officer)"), std::string::npos);
  EXPECT_EQ(core.Request("POST", "/officer/" + std::string(64, 'a'), "csrf=" + link_csrf, {form, "Cookie: sg_officer=" + link_csrf}).status,
            403) << "an unknown link";
  // The deletion request to the wrong recipient.
  auto sent = core.Request("POST", "/incidents/" + id + "/deletion-send", "csrf=" + csrf + "&to=p.jones%40wrong.example.net",
                           {form, session});
  EXPECT_EQ(sent.status, 200) << sent.body;
  got = delivered("X-Sink-Recipients: p.jones@wrong.example.net");
  ASSERT_EQ(got.size(), 1u) << core.Log() << postfix.Log();
  EXPECT_NE(got[0].find("please delete (our reference IG-2026-0303)"), std::string::npos) << got[0];
  auto shown = core.Request("GET", "/api/incidents/" + id, "", core.As("READER", "check")).Json();
  const std::string audit = shown["audit"].dump();
  EXPECT_NE(audit.find("wrong recipient at wrong.example.net"), std::string::npos) << audit;
  EXPECT_EQ(audit.find("p.jones@"), std::string::npos) << "the address is not kept";
}

// Escalation notices and digests reach the addresses the organisation configured, through a
// real Postfix (email) and a real HTTP receiver (webhooks), each once however many rounds run;
// masked: no title, no names.
TEST(CoreEmailNotification, EscalationsAndDigestsReachTheirAddressesOnce) {
  if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
  testing::PostfixInstance postfix("", "smtpd_milters =\n");
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> hooks;
  auto receiver = common::HttpServer::Start("127.0.0.1:0", [&](const common::HttpRequest& r) {
    std::lock_guard lock(mu);
    hooks.emplace_back(r.path, r.body);
    return common::HttpResponse{};
  });
  ASSERT_TRUE(receiver.ok());
  const std::string hook = "http://127.0.0.1:" + std::to_string((*receiver)->port());
  // The schedule falls a minute ago (London time), so the digests are due now.
  std::string when;
  ASSERT_EQ(testing::Shell("TZ=Europe/London date -d '-1 minute' '+%A %H:%M %-d'", &when), 0);
  std::istringstream parts(when);
  std::string weekday, hhmm;
  int day = 0;
  parts >> weekday >> hhmm >> day;
  const bool monthly = day <= 28;
  const std::string smtp = "smtp://127.0.0.1:" + std::to_string(postfix.port());
  testing::CoreServer core("outbound",
                           "pages_url: https://ig.council.example.gov.uk\n"
                           "notifications:\n  poll_seconds: 5\n  email: {smtp_url: \"" + smtp +
                           "\", from: sendguard@council.example.gov.uk, to: ig-team@council.example.gov.uk}\n"
                           "escalations:\n"
                           "  siro: {email: [siro@council.example.gov.uk], webhooks: [{url: \"" + hook + "/siro\", format: generic}]}\n"
                           "  caldicott: {email: [caldicott@council.example.gov.uk]}\n"
                           "  communications: {webhooks: [{url: \"" + hook + "/comms\", format: teams}]}\n"
                           "digests:\n"
                           "  siro_weekly: {email: [siro@council.example.gov.uk], webhooks: [{url: \"" + hook + "/digest\"}], day: " +
                               weekday + ", time: \"" + hhmm + "\"}\n" +
                           (monthly ? "  committee_monthly: {email: [committee@council.example.gov.uk], day_of_month: " + std::to_string(day) +
                                          ", time: \"" + hhmm + "\"}\n"
                                    : std::string()));
  // A breach with health data and an impact of 4: the SIRO, Caldicott and Communications flags.
  auto r = core.Request("POST", "/api/incidents",
                        R"({"title": "Mrs Example's records", "kind": "BREACH", "incident_number": "IG-2026-0777",
                            "s6_data_categories": ["HEALTH"], "nhs_likelihood": 3, "nhs_impact": 4, "nhs_rationale": "x",
                            "s1_aware_local": "2026-01-05T09:00"})",
                        core.As("IG_OFFICER", "ig1"));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.Json()["incident"]["incident_id"];
  auto delivered = [&](const std::string& needle, size_t want) {
    std::vector<std::string> found;
    for (int i = 0; i < 120 && found.size() < want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      postfix.Flush(1);
      found = postfix.Delivered(needle);
    }
    return found;
  };
  auto siro = delivered("Escalation to the SIRO", 1);
  ASSERT_EQ(siro.size(), 1u) << core.Log() << postfix.Log();
  EXPECT_NE(siro[0].find("X-Sink-Recipients: siro@council.example.gov.uk"), std::string::npos) << siro[0];
  EXPECT_NE(siro[0].find("IG-2026-0777"), std::string::npos);
  EXPECT_NE(siro[0].find("https://ig.council.example.gov.uk/incidents/" + id), std::string::npos) << siro[0];
  EXPECT_EQ(siro[0].find("Mrs Example"), std::string::npos) << "no title: people type names into titles";
  EXPECT_EQ(delivered("Escalation to the Caldicott Guardian", 1).size(), 1u) << core.Log();
  auto weekly = delivered("weekly summary for the SIRO", 1);
  ASSERT_EQ(weekly.size(), 1u) << core.Log() << postfix.Log();
  // (Its round may come before the case is filed: what it lists is the unit tests' business.)
  EXPECT_NE(weekly[0].find("Open breaches and cases with the SIRO flag"), std::string::npos) << weekly[0];
  EXPECT_NE(weekly[0].find("X-Sink-Recipients: siro@council.example.gov.uk"), std::string::npos) << weekly[0];
  if (monthly) {
    EXPECT_EQ(delivered("committee report for", 1).size(), 1u) << core.Log();
  }
  // Two more rounds: nothing goes twice.
  std::this_thread::sleep_for(std::chrono::seconds(11));
  postfix.Flush(1);
  EXPECT_EQ(postfix.Delivered("Escalation to the SIRO").size(), 1u);
  EXPECT_EQ(postfix.Delivered("Escalation to the Caldicott Guardian").size(), 1u);
  EXPECT_EQ(postfix.Delivered("weekly summary for the SIRO").size(), 1u);
  if (monthly) {
    EXPECT_EQ(postfix.Delivered("committee report for").size(), 1u);
  }
  std::lock_guard lock(mu);
  std::map<std::string, int> by_path;
  for (const auto& [path, body] : hooks) {
    ++by_path[path];
    EXPECT_EQ(body.find("Mrs Example"), std::string::npos) << body;
  }
  EXPECT_EQ(by_path["/siro"], 1);
  EXPECT_EQ(by_path["/comms"], 1);
  EXPECT_EQ(by_path["/digest"], 1);
  // The incident says what was sent.
  auto shown = core.Request("GET", "/api/incidents/" + id, "", core.As("READER", "check")).Json();
  const std::string notices = shown["notices"].dump();
  for (const char* event : {"escalation:SIRO", "escalation:CALDICOTT", "escalation:COMMS"}) {
    EXPECT_NE(notices.find(event), std::string::npos) << notices;
  }
}

}  // namespace
}  // namespace sendguard
