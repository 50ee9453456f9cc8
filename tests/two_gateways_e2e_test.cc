// SPDX-License-Identifier: Apache-2.0
// Several gateways, one PostgreSQL, two cores, end to end: two real Postfix + sendguard-milter
// gateways, each with sendguard-sync, and two sendguard-core processes on the tests'
// PostgreSQL. A recipient first used through gateway A is known through gateway B (B's scan
// of mail to them raises no first-time-recipient signal); a warning given through A is
// confirmed by the resend arriving at B, delivered once, its outcome filed once, and the code
// refused afterwards through A; a self-report through core A finds a send gateway B carried.
// With hold-and-confirm: a message held on A is released from core B's page, by whichever
// gateway's release worker claims it, delivered once and filed once; with A's desk stopped,
// B's worker carries out an answer given on core A's page.
#include <gtest/gtest.h>

#include <regex>

#include "core/core_harness.h"
#include "e2e/council_mail.h"
#include "e2e/postfix_harness.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/postgres.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/test_database.h"

namespace sendguard {
namespace {

using nlohmann::json;
using testing::CoreServer;
using testing::MilterDaemon;
using testing::PostfixInstance;

const std::string kSender = "s.okafor@council.example.gov.uk";

// One gateway: its core (started after the milter, whose desk it calls), milter, sync and Postfix.
// `hold`: warnings are hold-and-confirm, and sendguard-desk runs the release worker on the
// shared store.
struct Gateway {
  Gateway(const std::string& name, const std::string& shared, bool hold = false) {
    core = std::make_unique<CoreServer>("2gw-core-" + name, "", 0, false, shared);
    const std::string core_url = "http://127.0.0.1:" + std::to_string(core->port());
    const int smtp_port = hold ? testing::FreePort() : 0;
    std::string config = "organisation:\n  internal_domains: [council.example.gov.uk]\ncore_url: " + core_url +
                         "\ncore_token_file: " + core->milter_token_file().string() + "\n";
    std::string milter_config;
    testing::Launch launch;
    if (hold) {
      config += "warn:\n  mode: hold_and_confirm\n  link_base_url: " + core_url +
                "\n  notify_from: sendguard@council.example.gov.uk\n";
      milter_config = "  smtp_url: smtp://127.0.0.1:" + std::to_string(smtp_port) + "\n";
      launch.desk_args = {"--shared-store", shared, "--gateway-id", name};
    }
    milter = std::make_unique<MilterDaemon>("2gw-" + name, config, milter_config, testing::MilterSocket::kTcp, launch);
    sync = testing::Spawn({SENDGUARD_SYNC_BIN, "--state-db", StateDb(), "--gateway-id", name, "--interval-ms", "200",
                           "--shared-store", shared},
                          milter->dir() / "sync.log");
    postfix = std::make_unique<PostfixInstance>(milter->PostfixSpec(), "", smtp_port, "2gw-" + name);
    core->AppendConfig("milter_url: http://127.0.0.1:" + std::to_string(milter->metrics_port()) + "\ndesk_url: http://127.0.0.1:" +
                       std::to_string(milter->desk_port()) + "\n");
    // One deployment secret on every host (the harness gives every gateway the same): the core
    // checks hold links and opens held copies in the shared store with it.
    if (hold) core->AppendConfig("secret_file: " + (milter->dir() / "secret").string() + "\n");
    core->Start();
  }
  ~Gateway() {
    testing::Terminate(&sync);
    postfix.reset();
    milter.reset();
    core.reset();
  }
  std::string StateDb() const { return (milter->dir() / "state" / "state.db").string(); }
  int64_t Count(const std::string& sql) const {
    auto db = milter::OpenStateDb(StateDb());
    if (!db.ok()) return -1;
    auto q = (*db)->Prepare(sql);
    if (!q.ok() || !(*q)->Step()) return -1;
    return (*q)->Int(0);
  }
  // The milter's log line for the message Postfix queued as `sent`.
  std::string LogLineFor(const PostfixInstance::Sent& s) const {
    std::smatch m;
    if (!std::regex_search(s.transcript, m, std::regex("queued as ([0-9A-Za-z]+)"))) return "";
    std::istringstream log(milter->Log());
    for (std::string line; std::getline(log, line);) {
      if (line.find("qid=" + std::string(m[1]) + " ") != std::string::npos) return line;
    }
    return "";
  }
  std::unique_ptr<CoreServer> core;
  std::unique_ptr<MilterDaemon> milter;
  std::unique_ptr<PostfixInstance> postfix;
  pid_t sync = -1;
};

template <typename F>
bool Within(int seconds, F done) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

TEST(TwoGatewaysE2eTest, HistoryWarningsAndScanRecordsCrossGatewaysThroughOnePostgres) {
  if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
  const std::string shared = testing::NewTestDatabase(common::SqlDialect::kPostgres, "");
  ASSERT_FALSE(shared.empty()) << "no test PostgreSQL (the CTest fixture `postgres`)";
  ASSERT_TRUE(milter::OpenStateDb(shared).ok());  // the shared schema
  Gateway a("gw-a", shared), b("gw-b", shared);
  synth::Rng rng(4242);
  std::vector<std::string> nhs;
  for (int i = 0; i < 12; ++i) nhs.push_back(synth::NhsNumber(rng));
  const std::string tag = std::to_string(::getpid());

  // 1. A recipient first used through A is known through B.
  const std::string partner = "new.partner@agency.example.org", stranger = "someone.new@agency.example.org";
  auto first = a.postfix->Send(kSender, {partner}, testing::CouncilMessage("2gw-first-" + tag, partner, nhs, false));
  ASSERT_TRUE(first.queued) << first.transcript;  // (a sender new to sendguard raises no history signal)
  ASSERT_TRUE(Within(20, [&] {
    auto db = milter::OpenStateDb(b.StateDb());
    common::KeyedHasher hasher("milter-test-secret");  // the harness's secret: one for both gateways
    return db.ok() && milter::RecipientHistory(**db, hasher).HasSentTo(kSender, partner);
  })) << testing::ReadFile(a.milter->dir() / "sync.log") << testing::ReadFile(b.milter->dir() / "sync.log");
  auto known = b.postfix->Send(kSender, {partner}, testing::CouncilMessage("2gw-known-" + tag, partner, nhs, false));
  auto unknown = b.postfix->Send(kSender, {stranger}, testing::CouncilMessage("2gw-unknown-" + tag, stranger, nhs, false));
  ASSERT_TRUE(known.queued && unknown.queued);
  const std::string known_line = b.LogLineFor(known), unknown_line = b.LogLineFor(unknown);
  ASSERT_FALSE(known_line.empty()) << b.milter->Log();
  EXPECT_EQ(known_line.find("first_time_recipient"), std::string::npos) << known_line;
  EXPECT_NE(unknown_line.find("first_time_recipient"), std::string::npos) << unknown_line;

  // 2. A warning given through A; the sender's resend with the code arrives at B.
  const std::string outside = "j.smith@example.org";
  const std::string warned = "2gw-warned-" + tag;
  auto warning = a.postfix->Send(kSender, {outside}, testing::CouncilMessage(warned, outside, nhs, true));
  ASSERT_TRUE(warning.rejected) << warning.transcript;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(warning.reply_text, m, std::regex(R"(\[confirm ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})\])")))
      << warning.reply_text;
  const std::string code = m[1];
  ASSERT_TRUE(Within(20, [&] { return b.Count("SELECT count(*) FROM pending_warnings") == 1; })) << "B never had A's warning";
  auto resend = b.postfix->Send(kSender, {outside}, testing::CouncilMessage(warned, outside, nhs, true, "[confirm " + code + "] referrals"));
  ASSERT_TRUE(resend.queued) << resend.transcript << b.milter->Log();
  ASSERT_TRUE(b.postfix->Flush(20));
  EXPECT_EQ(b.postfix->Delivered(warned).size(), 1u);
  // The code is spent everywhere: the same resend through A is warned again, not passed.
  ASSERT_TRUE(Within(20, [&] { return a.Count("SELECT count(*) FROM used_confirm_codes") >= 1; }));
  ASSERT_TRUE(Within(20, [&] { return a.Count("SELECT count(*) FROM pending_warnings") == 0; })) << "A kept B's taken warning";
  auto again = a.postfix->Send(kSender, {outside}, testing::CouncilMessage(warned, outside, nhs, true, "[confirm " + code + "] referrals"));
  EXPECT_TRUE(again.rejected) << again.transcript;
  EXPECT_TRUE(a.postfix->Delivered(warned).empty());
  // Its outcome is filed once (either core shows it, to the same token: one accounts store).
  const auto ig = a.core->As("IG_OFFICER", "ig-2gw");
  auto overrode = [&](CoreServer& core) {
    int n = 0;
    auto listed = core.Request("GET", "/api/incidents", "", ig).Json();
    for (const auto& i : listed["incidents"]) {
      auto shown = core.Request("GET", "/api/incidents/" + i["incident_id"].get<std::string>(), "", ig).Json();
      n += shown["incident"].value("mf_action", "") == "WARNED_USER_OVERRODE";
    }
    return n;
  };
  EXPECT_TRUE(Within(30, [&] { return overrode(*a.core) >= 1; })) << b.milter->Log();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(overrode(*a.core), 1);
  EXPECT_EQ(overrode(*b.core), 1);

  // 3. A self-report through core A (whose desk is gateway A) finds a send gateway B carried.
  ASSERT_TRUE(Within(20, [&] { return a.Count("SELECT count(*) FROM scan_records WHERE origin = 'gw-b'") >= 3; }));
  auto filed = a.core->Request("POST", "/api/self-reports",
                               json{{"message_id", "<2gw-known-" + tag + "@council.example.gov.uk>"},
                                    {"reporter_email", kSender}}.dump(),
                               ig);
  EXPECT_EQ(filed.status, 201) << filed.body;
}

// The state of hold `id` in the shared store ("" before it is there).
std::string SharedHoldState(const std::string& shared, const std::string& id) {
  auto db = common::PostgresDb::Open(shared);
  if (!db.ok()) return "(no store)";
  auto q = (*db)->Prepare("SELECT state FROM holds WHERE id = ?");
  if (!q.ok() || !(*q)->Bind(1, id).Step()) return "";
  return (*q)->Text(0);
}

struct HoldLink {
  std::string id, token;
};

// The link in the hold notice the sender got through `gateway` for the message `marker`.
HoldLink NoticeLink(Gateway& gateway, const std::string& marker) {
  std::vector<std::string> got;
  Within(30, [&] {
    got = gateway.postfix->Delivered("Not sent yet: please confirm or cancel \"referrals " + marker);
    return !got.empty();
  });
  std::smatch m;
  if (got.size() != 1 || !std::regex_search(got[0], m, std::regex(R"(/staff/hold/([0-9a-f]{32})\?t=([0-9a-f]{32}))"))) {
    ADD_FAILURE() << "no notice for " << marker << ": " << gateway.milter->Log();
    return {};
  }
  return {m[1], m[2]};
}

// The CSRF token of the hold's page on `core` (the page must show the hold).
std::string PageCsrf(CoreServer& core, const HoldLink& link) {
  auto page = core.Request("GET", "/staff/hold/" + link.id + "?t=" + link.token);
  EXPECT_EQ(page.status, 200) << page.body << core.Log();
  std::smatch m;
  EXPECT_TRUE(std::regex_search(page.body, m, std::regex(R"re(name="csrf" value="([0-9a-f]{32})")re"))) << page.body;
  return m.empty() ? "" : std::string(m[1]);
}

// The sender's Confirm on `core`'s page, with the form's CSRF token.
testing::HttpResult Confirm(CoreServer& core, const HoldLink& link, const std::string& csrf, const std::string& form) {
  return core.Request("POST", "/staff/hold/" + link.id + "/confirm", "t=" + link.token + "&csrf=" + csrf + "&" + form,
                      {"Content-Type: application/x-www-form-urlencoded"});
}

TEST(TwoGatewaysE2eTest, AHoldMadeOnAIsReleasedFromEitherCoreDeliveredOnceAndFiledOnce) {
  if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
  const std::string shared = testing::NewTestDatabase(common::SqlDialect::kPostgres, "");
  ASSERT_FALSE(shared.empty()) << "no test PostgreSQL (the CTest fixture `postgres`)";
  ASSERT_TRUE(milter::OpenStateDb(shared).ok());
  Gateway a("gw-a", shared, /*hold=*/true), b("gw-b", shared, /*hold=*/true);
  synth::Rng rng(77);
  std::vector<std::string> nhs;
  for (int i = 0; i < 12; ++i) nhs.push_back(synth::NhsNumber(rng));
  const std::string tag = std::to_string(::getpid()), outside = "j.smith@example.org";
  const auto ig = a.core->As("IG_OFFICER", "ig-2gw-hold");
  auto filed = [&](CoreServer& core, const std::string& outcome) {
    int n = 0;
    const json listed = core.Request("GET", "/api/incidents", "", ig).Json();
    for (const auto& i : listed["incidents"]) {
      auto shown = core.Request("GET", "/api/incidents/" + i["incident_id"].get<std::string>(), "", ig).Json();
      n += shown["incident"].value("mf_warning", json::object()).value("outcome", "") == outcome;
    }
    return n;
  };
  auto delivered = [&](const std::string& marker) {
    a.postfix->Flush(5);
    b.postfix->Flush(5);
    return a.postfix->Delivered("X-Test-Id: " + marker).size() + b.postfix->Delivered("X-Test-Id: " + marker).size();
  };

  // 1. Held on A, answered on core B's page: released by one worker, once.
  const std::string first = "2gw-held-" + tag + "-end";
  auto sent = a.postfix->Send(kSender, {outside}, testing::CouncilMessage(first, outside, nhs, true, "referrals " + first));
  ASSERT_TRUE(sent.queued) << sent.transcript << a.milter->Log();
  const HoldLink link = NoticeLink(a, first);
  ASSERT_FALSE(link.id.empty());
  ASSERT_TRUE(Within(20, [&] { return SharedHoldState(shared, link.id) == "held"; })) << "the hold never reached the store";
  EXPECT_EQ(delivered(first), 0u) << "held, not delivered";
  const std::string csrf = PageCsrf(*b.core, link);
  auto answered = Confirm(*b.core, link, csrf, "reason=SHARING_AGREEMENT&text=DSA+2291");
  ASSERT_EQ(answered.status, 200) << answered.body << b.core->Log();
  EXPECT_NE(answered.body.find("This email is being sent now."), std::string::npos) << answered.body;
  ASSERT_TRUE(Within(60, [&] { return delivered(first) >= 1; }))
      << SharedHoldState(shared, link.id) << "\n" << testing::ReadFile(a.milter->dir() / "desk.log")
      << testing::ReadFile(b.milter->dir() / "desk.log");
  ASSERT_TRUE(Within(20, [&] { return SharedHoldState(shared, link.id) == "released"; })) << SharedHoldState(shared, link.id);
  // Either core now says it has been sent; a second answer changes nothing.
  EXPECT_EQ(a.core->Request("GET", "/staff/hold/" + link.id + "?t=" + link.token).status, 409);
  EXPECT_EQ(Confirm(*a.core, link, csrf, "reason=RECIPIENTS_CHECKED").status, 409);
  EXPECT_TRUE(Within(30, [&] { return filed(*a.core, "CONFIRMED") == 1; }))
      << a.core->Request("GET", "/api/incidents", "", ig).body << a.milter->Log() << b.milter->Log();
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(delivered(first), 1u) << "delivered more than once";
  EXPECT_EQ(filed(*b.core, "CONFIRMED"), 1) << "filed more than once";
  EXPECT_EQ(filed(*b.core, "EXPIRED"), 0);
  EXPECT_TRUE(Within(20, [&] { return !std::filesystem::exists(a.milter->dir() / "state" / "held" / link.id); }))
      << "A kept the copy of a hold released elsewhere";

  // 2. A's desk stopped: an answer given on core A's page is carried out by B's worker,
  //    through B's MTA.
  a.milter->StopDesk();
  const std::string second = "2gw-held2-" + tag + "-end";
  sent = a.postfix->Send(kSender, {outside}, testing::CouncilMessage(second, outside, nhs, true, "referrals " + second));
  ASSERT_TRUE(sent.queued) << sent.transcript;
  const HoldLink link2 = NoticeLink(a, second);
  ASSERT_FALSE(link2.id.empty());
  ASSERT_TRUE(Within(20, [&] { return SharedHoldState(shared, link2.id) == "held"; }));
  ASSERT_EQ(Confirm(*a.core, link2, PageCsrf(*a.core, link2), "reason=RECIPIENTS_CHECKED").status, 200);
  ASSERT_TRUE(Within(60, [&] { return delivered(second) >= 1; })) << testing::ReadFile(b.milter->dir() / "desk.log");
  EXPECT_EQ(b.postfix->Delivered("X-Test-Id: " + second).size(), 1u) << "not released through B";
  EXPECT_NE(testing::ReadFile(b.milter->dir() / "desk.log").find("hold " + link2.id + " (made on gw-a): released"),
            std::string::npos);
  EXPECT_TRUE(Within(30, [&] { return filed(*a.core, "CONFIRMED") == 2; }));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(delivered(second), 1u);
  EXPECT_EQ(filed(*a.core, "CONFIRMED"), 2);
}

}  // namespace
}  // namespace sendguard
