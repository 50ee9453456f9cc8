// SPDX-License-Identifier: Apache-2.0
// Hold-and-confirm end to end: a real Postfix with sendguard-milter in hold_and_confirm mode,
// sendguard-core serving the staff pages, swaks as the sender. A warned message is accepted
// from the client and held (sealed); its sender's notice arrives through Postfix with a link;
// the page explains; Confirm releases it by SMTP re-injection and Postfix delivers it once; the
// link and the release header work once; partial release leaves the flagged recipient out;
// Cancel deletes it; each outcome is filed with the core; tampered links and forms are refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "core/core_harness.h"
#include "e2e/no_identifiers.h"
#include "e2e/postfix_harness.h"
#include "sendguard/common/digest.h"
#include "sendguard/common/text.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

using nlohmann::json;
using testing::CoreServer;
using testing::MilterDaemon;
using testing::PostfixInstance;

std::vector<std::string> kIg;  // an IG officer's token, made when the suite's core starts
const std::vector<std::string> kForm = {"Content-Type: application/x-www-form-urlencoded"};

struct Link {
  std::string id, token;
  std::string Path() const { return "/staff/hold/" + id + "?t=" + token; }
};

class HoldE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Start(60); }
  // The whole stack, holding warned messages for `ttl_minutes`.
  static void Start(int ttl_minutes) {
    if (geteuid() != 0) return;
    const int smtp_port = testing::FreePort(), core_port = testing::FreePort();
    const std::string core_url = "http://127.0.0.1:" + std::to_string(core_port);
    // One sender's sensitive mail is quarantined (Postfix's hold queue), for the release test.
    const auto quarantine = std::filesystem::temp_directory_path() / ("sendguard-hold-quarantine-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(quarantine) << "policies:\n  - id: quarantine-test\n    action: quarantine\n    when: {findings: {types: "
                                 "[uk.nhs_number]}, sender_groups: [quarantine-test]}\n    reason: held for review\n";
    // The core first (not started: it needs the milter's port), so the milter can be given the
    // token the core made for it.
    core_ = new CoreServer("hold", "", core_port, /*start=*/false);
    milter_ = new MilterDaemon("hold",
                               "organisation:\n  name: {en: the council, cy: y cyngor}\n  internal_domains: [council.example.gov.uk]\n"
                               // One person reads Welsh (their own choice, before their domain's).
                               "  language_by_sender: {w.jones@council.example.gov.uk: cy}\n"
                               "  sender_groups: {quarantine-test: [q.sender@council.example.gov.uk]}\n"
                               "policy_files: [" + quarantine.string() + "]\n"
                               "warn:\n  mode: hold_and_confirm\n  confirm_ttl_minutes: " + std::to_string(ttl_minutes) +
                                   "\n  link_base_url: " + core_url +
                                   "\n  notify_from: sendguard@council.example.gov.uk\ncore_url: " + core_url +
                                   "\ncore_token_file: " + core_->milter_token_file().string() + "\n",
                               "  smtp_url: smtp://127.0.0.1:" + std::to_string(smtp_port) + "\n");
    postfix_ = new PostfixInstance(milter_->PostfixSpec(), "", smtp_port);
    core_->AppendConfig("milter_url: http://127.0.0.1:" + std::to_string(milter_->metrics_port()) + "\ndesk_url: http://127.0.0.1:" +
                        std::to_string(milter_->desk_port()) + "\n");
    core_->Start();
    kIg = core_->As("IG_OFFICER", "ig1");
  }
  static void TearDownTestSuite() {
    delete core_;
    delete postfix_;
    delete milter_;
  }
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
    synth::Rng rng(static_cast<uint64_t>(::testing::UnitTest::GetInstance()->random_seed()) + 77);
    for (int i = 0; i < 12; ++i) nhs_.push_back(synth::NhsNumber(rng));
  }

  std::string Marker(const std::string& name) {
    return name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + "-end";
  }
  // Sends a message with 12 NHS numbers and health terms; the client is told it was accepted.
  PostfixInstance::Sent SendSensitive(const std::string& marker, const std::vector<std::string>& to,
                                      const std::string& sender = "s.okafor@council.example.gov.uk") {
    std::string rcpts;
    for (const auto& r : to) rcpts += (rcpts.empty() ? "" : ", ") + r;
    std::string m = "From: Sam Okafor <" + sender + ">\r\nTo: " + rcpts + "\r\nSubject: referrals " +
                    marker + "\r\nMessage-ID: <" + marker + "@council.example.gov.uk>\r\nX-Test-Id: " + marker +
                    "\r\n\r\nDear Jo,\r\nThe mental health referrals:\r\n";
    for (const auto& n : nhs_) m += "NHS number " + synth::Grouped(n, {3, 3, 4}, ' ') + " depression\r\n";
    auto sent = postfix_->Send(sender, to, m + "Sam\r\n");
    EXPECT_TRUE(sent.queued) << "held mail is accepted from the client: " << sent.transcript << milter_->Log();
    return sent;
  }
  // The notice for the message whose subject holds `marker`, and its link.
  Link NoticeLink(const std::string& marker) {
    std::vector<std::string> got;
    for (int i = 0; i < 120 && got.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      for (const auto& m : postfix_->Delivered("Not sent yet: please confirm or cancel \"referrals " + marker)) got.push_back(m);
    }
    EXPECT_EQ(got.size(), 1u) << milter_->Log() << postfix_->Log();
    if (got.empty()) return {};
    EXPECT_NE(got[0].find("X-Sink-Recipients: s.okafor@council.example.gov.uk"), std::string::npos) << got[0];
    EXPECT_NE(got[0].find("12 NHS numbers"), std::string::npos) << got[0];
    ExpectNoClearIdentifier(got[0], "notice");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(got[0], m, std::regex(R"(/staff/hold/([0-9a-f]{32})\?t=([0-9a-f]{32}))"))) << got[0];
    return m.empty() ? Link{} : Link{m[1], m[2]};
  }
  std::string Csrf(const std::string& page) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(page, m, std::regex(R"re(name="csrf" value="([0-9a-f]{32})")re"))) << page;
    return m.empty() ? "" : std::string(m[1]);
  }
  std::vector<std::string> DeliveredWhenFlushed(const std::string& marker) {
    postfix_->Flush(20);
    return postfix_->Delivered("X-Test-Id: " + marker);
  }
  // The core's mail-filter incidents whose mf_warning says `outcome`.
  // Runs a tests/browser/pages.mjs scenario against the core at `base` with `extra` settings.
  void RunBrowser(const std::string& base, const std::string& scenario, const json& extra) {
    json config = {{"base", base}, {"chromium", "/usr/bin/chromium"}, {"artifacts", SENDGUARD_BROWSER_ARTIFACTS}};
    config.update(extra);
    const auto file = std::filesystem::temp_directory_path() / ("sendguard-browser-" + scenario + "-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << config.dump();
    std::string out;
    const int rc = testing::Shell("cd " + std::string(SENDGUARD_BROWSER_DIR) + " && timeout 300 node pages.mjs " + scenario +
                                      " " + file.string() + " 2>&1",
                                  &out);
    EXPECT_EQ(rc, 0) << out << milter_->Log();
  }
  std::vector<json> IncidentsWithOutcome(const std::string& outcome) {
    std::vector<json> out;
    for (int i = 0; i < 80 && out.empty(); ++i) {
      auto listed = core_->Request("GET", "/api/incidents", "", kIg).Json();
      for (const auto& summary : listed.value("incidents", json::array())) {
        auto in = core_->Request("GET", "/api/incidents/" + summary["incident_id"].get<std::string>(), "", kIg).Json();
        if (in["incident"].value("mf_warning", json::object()).value("outcome", "") == outcome) out.push_back(in["incident"]);
      }
      if (out.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return out;
  }
  void ExpectNoClearIdentifier(const std::string& text, const std::string& where) {
    testing::ExpectNoNhsNumber(text, nhs_, where);
  }

  static inline MilterDaemon* milter_ = nullptr;
  static inline PostfixInstance* postfix_ = nullptr;
  static inline CoreServer* core_ = nullptr;
  static inline int counter_ = 0;
  std::vector<std::string> nhs_;
};

TEST_F(HoldE2eTest, HeldMessageIsReleasedOnceByTheConfirmLink) {
  const std::string marker = Marker("release");
  SendSensitive(marker, {"j.smith@example.org"});
  const Link link = NoticeLink(marker);
  ASSERT_FALSE(link.id.empty());
  EXPECT_TRUE(DeliveredWhenFlushed(marker).empty()) << "held, not delivered";
  // Held at rest: sealed, no identifier readable in the state directory.
  std::string state;
  for (const auto& e : std::filesystem::recursive_directory_iterator(milter_->dir() / "state")) {
    if (e.is_regular_file()) state += testing::ReadFile(e.path());
  }
  ExpectNoClearIdentifier(state, "milter state while held");
  EXPECT_EQ(state.find("mental health referrals"), std::string::npos) << "the held copy is encrypted";
  ASSERT_TRUE(std::filesystem::exists(milter_->dir() / "state" / "held" / link.id));

  auto page = core_->Request("GET", link.Path());
  ASSERT_EQ(page.status, 200) << page.body << core_->Log();
  EXPECT_NE(page.body.find("This email contains 12 NHS numbers and health information"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("j.smith@example.org<span class=\"flag\">flagged</span>"), std::string::npos) << page.body;
  EXPECT_NE(page.headers.find("Content-Security-Policy: default-src 'none'"), std::string::npos) << page.headers;
  EXPECT_NE(page.headers.find("Referrer-Policy: no-referrer"), std::string::npos) << page.headers;
  EXPECT_NE(page.headers.find("X-Frame-Options: DENY"), std::string::npos) << page.headers;
  EXPECT_EQ(page.body.find("<script"), std::string::npos);
  const std::string csrf = Csrf(page.body);

  // A tampered link and a forged form are refused, and change nothing.
  std::string tampered = link.token;
  tampered[0] = tampered[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(core_->Request("GET", "/staff/hold/" + link.id + "?t=" + tampered).status, 403);
  EXPECT_EQ(core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                           "t=" + link.token + "&csrf=" + std::string(32, '0') + "&reason=RECIPIENTS_CHECKED", kForm)
                .status,
            403);
  EXPECT_EQ(core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                           "t=" + tampered + "&csrf=" + csrf + "&reason=RECIPIENTS_CHECKED", kForm)
                .status,
            403);
  // A justification is required.
  auto missing = core_->Request("POST", "/staff/hold/" + link.id + "/confirm", "t=" + link.token + "&csrf=" + csrf, kForm);
  EXPECT_EQ(missing.status, 422) << missing.body;

  auto confirmed = core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                                  "t=" + link.token + "&csrf=" + csrf +
                                      "&reason=SHARING_AGREEMENT&text=Agreed+with+the+GP+practice+under+DSA+2024-17",
                                  kForm);
  ASSERT_EQ(confirmed.status, 200) << confirmed.body << milter_->Log();
  EXPECT_NE(confirmed.body.find("Your email has been sent."), std::string::npos) << confirmed.body;
  auto got = DeliveredWhenFlushed(marker);
  ASSERT_EQ(got.size(), 1u) << postfix_->Log();
  EXPECT_NE(got[0].find("X-Sink-Recipients: j.smith@example.org"), std::string::npos) << got[0];
  // Released to someone outside: the neutral header only, nothing about the hold.
  EXPECT_NE(got[0].find("X-Sendguard: checked"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("X-Sendguard-Verdict"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("X-Sendguard-Release"), std::string::npos) << "the release header is removed";
  EXPECT_FALSE(std::filesystem::exists(milter_->dir() / "state" / "held" / link.id)) << "deleted once released";

  // The same link a second time is refused, and nothing more is delivered.
  auto again = core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                              "t=" + link.token + "&csrf=" + csrf + "&reason=RECIPIENTS_CHECKED", kForm);
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_NE(again.body.find("already been sent"), std::string::npos) << again.body;
  EXPECT_EQ(core_->Request("GET", link.Path()).status, 409);
  // A forged release header does not get a message through.
  auto forged = postfix_->Send("s.okafor@council.example.gov.uk", {"x@example.org"},
                               "X-Sendguard-Release: " + link.id + "; sig=" + std::string(64, 'f') +
                                   "\r\nSubject: forged " + marker + "\r\nX-Test-Id: forged-" + marker + "\r\n\r\nhello\r\n");
  EXPECT_TRUE(forged.rejected) << forged.transcript;
  EXPECT_EQ(DeliveredWhenFlushed(marker).size(), 1u);

  // Filed with the core: the override, with the reason and the text (digits masked).
  auto filed = IncidentsWithOutcome("CONFIRMED");
  ASSERT_EQ(filed.size(), 1u) << milter_->Log() << core_->Log();
  EXPECT_EQ(filed[0]["mf_action"], "WARNED_USER_OVERRODE");
  EXPECT_EQ(filed[0]["mf_warning"]["mode"], "HOLD_AND_CONFIRM");
  EXPECT_EQ(filed[0]["mf_warning"]["justification_reason"], "SHARING_AGREEMENT");
  EXPECT_EQ(filed[0]["mf_warning"]["justification_text"], "Agreed with the GP practice under DSA ####-##");
  EXPECT_EQ(filed[0]["mf_identifier_counts"]["NHS_NUMBER"]["distinct"], 12);
  ExpectNoClearIdentifier(milter_->Log(), "milter log");
  ExpectNoClearIdentifier(core_->Log(), "core log");
}

TEST_F(HoldE2eTest, PartialReleaseLeavesTheFlaggedRecipientOut) {
  const std::string marker = Marker("partial");
  SendSensitive(marker, {"jo.bloggs@council.example.gov.uk", "j.smith@example.org"});
  const Link link = NoticeLink(marker);
  ASSERT_FALSE(link.id.empty());
  auto page = core_->Request("GET", link.Path());
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Everyone except the flagged recipients"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("jo.bloggs@council.example.gov.uk</li>"), std::string::npos) << "internal: not flagged";
  auto sent = core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                             "t=" + link.token + "&csrf=" + Csrf(page.body) + "&reason=RECIPIENTS_CHECKED&scope=except_flagged",
                             kForm);
  ASSERT_EQ(sent.status, 200) << sent.body << milter_->Log();
  EXPECT_NE(sent.body.find("sent to the recipients that were not flagged"), std::string::npos) << sent.body;
  auto got = DeliveredWhenFlushed(marker);
  ASSERT_EQ(got.size(), 1u) << postfix_->Log();
  EXPECT_NE(got[0].find("X-Sink-Recipients: jo.bloggs@council.example.gov.uk\n"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("X-Sink-Recipients: j.smith"), std::string::npos) << got[0];
  auto filed = IncidentsWithOutcome("PARTIALLY_RELEASED");
  ASSERT_EQ(filed.size(), 1u);
  EXPECT_EQ(filed[0]["mf_warning"]["excluded_recipient_domains"][0], "example.org");
  EXPECT_EQ(filed[0]["mf_warning"]["excluded_recipients"], 1);
}

TEST_F(HoldE2eTest, CancelDeletesTheMessageAndFilesANearMiss) {
  const std::string marker = Marker("cancel");
  SendSensitive(marker, {"j.smith@example.org"});
  const Link link = NoticeLink(marker);
  ASSERT_FALSE(link.id.empty());
  // The cancel link opens a page; opening it changes nothing (mail scanners follow links).
  auto page = core_->Request("GET", link.Path() + "&action=cancel");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("id=\"cancel\""), std::string::npos);
  EXPECT_EQ(core_->Request("GET", link.Path()).status, 200) << "still held after two page views";
  auto cancelled = core_->Request("POST", "/staff/hold/" + link.id + "/cancel",
                                  "t=" + link.token + "&csrf=" + Csrf(page.body), kForm);
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_NE(cancelled.body.find("It was not sent to anyone."), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(milter_->dir() / "state" / "held" / link.id));
  auto late = core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                             "t=" + link.token + "&csrf=" + Csrf(page.body) + "&reason=RECIPIENTS_CHECKED", kForm);
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.body.find("cancelled and deleted"), std::string::npos) << late.body;
  EXPECT_TRUE(DeliveredWhenFlushed(marker).empty());
  auto filed = IncidentsWithOutcome("CANCELLED");
  ASSERT_EQ(filed.size(), 1u);
  EXPECT_EQ(filed[0]["mf_action"], "WARNED_USER_CANCELLED");
  EXPECT_EQ(filed[0]["kind"], "NEAR_MISS");
}

// A held message nobody answers: deleted when it expires and filed as a near miss (EXPIRED).
// A hold nobody answers. Its time is moved to a second ago in the gateway's state database
// rather than waited out (an hour here; the expiry round, not the clock, is under test): the
// copy is deleted, the near miss filed as EXPIRED, the link refused, nothing delivered.
TEST_F(HoldE2eTest, AnUnansweredHeldMessageIsDeletedAndFiledWhenItExpires) {
  const std::string marker = Marker("expiry");
  SendSensitive(marker, {"j.smith@example.org"});
  const Link link = NoticeLink(marker);
  ASSERT_FALSE(link.id.empty());
  const auto held = milter_->dir() / "state" / "held" / link.id;
  ASSERT_TRUE(std::filesystem::exists(held));
  const std::string sqlite = "sqlite3 -cmd '.timeout 20000' " + (milter_->dir() / "state" / "state.db").string() + " ";
  std::string out;
  ASSERT_EQ(testing::Shell(sqlite + "\"SELECT expires - created FROM held_messages WHERE id = '" + link.id + "'\"", &out), 0);
  EXPECT_EQ(common::Trim(out), "3600") << "confirm_ttl_minutes (60) is the hold's life";
  ASSERT_EQ(testing::Shell(sqlite + "\"UPDATE held_messages SET expires = " + std::to_string(std::time(nullptr) - 1) +
                               " WHERE id = '" + link.id + "'\"", &out), 0) << out;
  for (int i = 0; i < 400 && std::filesystem::exists(held); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_FALSE(std::filesystem::exists(held)) << "deleted at expiry";
  auto filed = IncidentsWithOutcome("EXPIRED");
  ASSERT_EQ(filed.size(), 1u) << milter_->Log();
  EXPECT_EQ(filed[0]["mf_action"], "WARNED_USER_CANCELLED");
  EXPECT_EQ(filed[0]["kind"], "NEAR_MISS");
  auto page = core_->Request("GET", link.Path());
  EXPECT_EQ(page.status, 409);
  EXPECT_NE(page.body.find("The time to confirm has passed"), std::string::npos) << page.body;
  EXPECT_TRUE(DeliveredWhenFlushed(marker).empty());
}

// The same flow in a real browser (Debian's Chromium via playwright-core, tests/browser/pages.mjs):
// the link opens the page, Confirm sends it, Postfix delivers it once, the link is then refused.
TEST_F(HoldE2eTest, AStaffConfirmLinkInABrowserReleasesTheMessageOnce) {
  const std::string marker = Marker("browser");
  SendSensitive(marker, {"j.smith@example.org"});
  const Link link = NoticeLink(marker);
  ASSERT_FALSE(link.id.empty());
  const json config = {{"link", "http://127.0.0.1:" + std::to_string(core_->port()) + link.Path()},
                       {"chromium", "/usr/bin/chromium"},
                       {"artifacts", SENDGUARD_BROWSER_ARTIFACTS}};
  const auto file = std::filesystem::temp_directory_path() / ("sendguard-browser-staff-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << config.dump();
  std::string out;
  const int rc = testing::Shell("cd " + std::string(SENDGUARD_BROWSER_DIR) + " && timeout 300 node pages.mjs staff " +
                                    file.string() + " 2>&1",
                                &out);
  EXPECT_EQ(rc, 0) << out << milter_->Log();
  auto got = DeliveredWhenFlushed(marker);
  ASSERT_EQ(got.size(), 1u) << postfix_->Log();
  EXPECT_NE(got[0].find("X-Sendguard: checked"), std::string::npos) << got[0];
  EXPECT_TRUE(std::filesystem::exists(std::string(SENDGUARD_BROWSER_ARTIFACTS) + "/staff-used-link.png"));
}

// A breach that was not an email, reported by a member of staff through the same emailed link
// (the general report form), and taken to closure by the IG team in the pages.
TEST_F(HoldE2eTest, AStaffMembersNonEmailReportIsFiledAndClosedInThePages) {
  const std::string base = "http://127.0.0.1:" + std::to_string(core_->port());
  auto run_browser = [&](const std::string& scenario, const json& extra) { RunBrowser(base, scenario, extra); };
  const std::string staff = "r.ahmed@council.example.gov.uk";
  run_browser("report-request", {{"email", staff}});
  std::vector<std::string> got;
  for (int i = 0; i < 120 && got.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    got = postfix_->Delivered("X-Sink-Recipients: " + staff);
  }
  ASSERT_EQ(got.size(), 1u) << milter_->Log() << postfix_->Log();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(got[0], m, std::regex(R"(/staff/report/([0-9a-f]{32})\?t=([0-9a-f]{32}))"))) << got[0];
  run_browser("general-report", {{"link", base + "/staff/report/" + std::string(m[1]) + "?t=" + std::string(m[2])}});
  json filed;
  for (const auto& summary : core_->Request("GET", "/api/incidents", "", kIg).Json().value("incidents", json::array())) {
    if (summary.value("title", "") == "Reported by a member of staff: Lost information") {
      filed = core_->Request("GET", "/api/incidents/" + summary["incident_id"].get<std::string>(), "", kIg).Json();
    }
  }
  ASSERT_TRUE(filed.is_object()) << "no general report was filed";
  EXPECT_EQ(filed["incident"].value("s1_email", ""), staff);
  EXPECT_EQ(filed["incident"].value("s1_name", ""), "Sam Okafor");
  EXPECT_EQ(filed["incident"].value("source", ""), "HUMAN_REPORT");
  EXPECT_EQ(filed["audit"][0]["by"].value("id", ""), staff) << "filed as the address the link proved";
  const auto password = core_->dir() / "ig-pages.password";
  std::ofstream(password) << "correct horse battery staple\n";
  const std::string added = core_->Command("user add igpages --role ig_officer --password-file " + password.string());
  ASSERT_NE(added.find("saved"), std::string::npos) << added;
  run_browser("close-near-miss", {{"user", "igpages"}, {"password", "correct horse battery staple"},
                                  {"title", "Reported by a member of staff: Lost information"}});
  auto closed = core_->Request("GET", "/api/incidents/" + filed["incident"].value("incident_id", ""), "", kIg).Json();
  EXPECT_EQ(closed["incident"].value("status", ""), "CLOSED");
  EXPECT_EQ(closed["incident"].value("kind", ""), "NEAR_MISS");
}

// Self-report, in a real browser: the request page mails a signed link through Postfix to the
// sender's own address; the link lists their recent sends; choosing one files a breach draft
// (section 1 the sender, the scan's facts, their words with digits masked); the link then
// refuses a second use. Forged tokens and forms are refused. The IG API files the same draft by
// Message-ID, once however often it is asked.
TEST_F(HoldE2eTest, AMisdirectedEmailIsSelfReportedThroughTheStaffPagesAndTheApi) {
  const std::string marker = Marker("misdirected");
  const std::string message = "From: Sam Okafor <s.okafor@council.example.gov.uk>\r\nTo: p.jones@wrong.example.net\r\n"
                              "Subject: minutes\r\nMessage-ID: <" + marker + "@council.example.gov.uk>\r\nX-Test-Id: " +
                              marker + "\r\n\r\nThe minutes of Tuesday's meeting.\r\n";
  ASSERT_TRUE(postfix_->Send("s.okafor@council.example.gov.uk", {"p.jones@wrong.example.net"}, message).queued);
  ASSERT_EQ(DeliveredWhenFlushed(marker).size(), 1u) << postfix_->Log();
  const std::string base = "http://127.0.0.1:" + std::to_string(core_->port());
  auto run_browser = [&](const std::string& scenario, const json& extra) { RunBrowser(base, scenario, extra); };
  // The request form: refused without its cookie; an outside address gets the same answer and no mail.
  EXPECT_EQ(core_->Request("POST", "/staff/report", "csrf=0123456789abcdef0123456789abcdef&email=x%40y.z", kForm).status, 403);
  run_browser("report-request", {{"email", "s.okafor@council.example.gov.uk"}});
  // The link mail to this sender (other tests in the suite ask for links for other people).
  std::vector<std::string> got;
  for (int i = 0; i < 120 && got.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (const auto& mail : postfix_->Delivered("Subject: Report an email sent to the wrong person")) {
      if (mail.find("X-Sink-Recipients: s.okafor@council.example.gov.uk") != std::string::npos) got.push_back(mail);
    }
  }
  ASSERT_EQ(got.size(), 1u) << milter_->Log() << postfix_->Log();
  std::smatch m;
  ASSERT_TRUE(std::regex_search(got[0], m, std::regex(R"(/staff/report/([0-9a-f]{32})\?t=([0-9a-f]{32}))"))) << got[0];
  const std::string id = m[1], token = m[2];
  std::string tampered = token;
  tampered[0] = tampered[0] == 'a' ? 'b' : 'a';
  EXPECT_EQ(core_->Request("GET", "/staff/report/" + id + "?t=" + tampered).status, 403);
  EXPECT_EQ(core_->Request("POST", "/staff/report/" + id, "t=" + token + "&csrf=00&record_id=1", kForm).status, 403);
  run_browser("report", {{"link", base + "/staff/report/" + id + "?t=" + token}, {"domain", "wrong.example.net"}});
  // The draft: a breach, section 1 the sender, what sendguard saw, the note with digits masked.
  json filed;
  for (const auto& summary : core_->Request("GET", "/api/incidents", "", kIg).Json().value("incidents", json::array())) {
    auto in = core_->Request("GET", "/api/incidents/" + summary["incident_id"].get<std::string>(), "", kIg).Json()["incident"];
    if (in.value("title", "") == "Misdirected email (self-reported)" &&
        in.value("s5_what_happened", "").find("wrong.example.net") != std::string::npos) {
      filed = in;
    }
  }
  ASSERT_TRUE(filed.is_object()) << "no self-reported draft was filed";
  EXPECT_EQ(filed.value("kind", ""), "BREACH");
  EXPECT_EQ(filed.value("s1_email", ""), "s.okafor@council.example.gov.uk");
  EXPECT_EQ(filed.value("s1_name", ""), "Sam Okafor");
  EXPECT_NE(filed.value("s5_what_happened", "").find("The sender says: Sent to P Jones at the wrong council, not room ##."),
            std::string::npos) << filed.dump();
  // The API: by Message-ID, once however often it is asked; bad requests say why.
  const std::string body = json{{"message_id", "<" + marker + "@council.example.gov.uk>"}}.dump();
  auto first = core_->Request("POST", "/api/self-reports", body, kIg);
  ASSERT_EQ(first.status, 201) << first.body;
  auto second = core_->Request("POST", "/api/self-reports", body, kIg);
  EXPECT_LT(second.status, 300) << second.body;
  EXPECT_EQ(first.Json()["incident"]["incident_id"], second.Json()["incident"]["incident_id"]) << "filed twice";
  // It is filed under the email it is about, as the mail filter's incidents are (mf_message_id_hash).
  auto same = core_->Request("GET", "/api/incidents?message_hash=" + common::Sha256Hex("<" + marker + "@council.example.gov.uk>"),
                             "", kIg).Json();
  ASSERT_EQ(same["incidents"].size(), 1u) << same.dump();
  EXPECT_EQ(same["incidents"][0]["incident_id"], first.Json()["incident"]["incident_id"]);
  auto unknown = core_->Request("POST", "/api/self-reports", R"({"message_id": "<nobody@nowhere>"})", kIg);
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_NE(unknown.body.find("message_id"), std::string::npos) << unknown.body;
  EXPECT_EQ(core_->Request("POST", "/api/self-reports", R"({"message_ids": "x"})", kIg).status, 400);
  // A subject access search for the wrong recipient reaches the mail filter's records too: the
  // scan record naming them (by keyed hash), metadata only, beside the cases that name them.
  auto sar = core_->Request("POST", "/api/subject-access", R"({"address": "P.Jones@wrong.example.net"})", kIg);
  ASSERT_EQ(sar.status, 200) << sar.body;
  const json mail = sar.Json().value("mail_filter", json::object());
  bool named = false;
  for (const auto& r : mail.value("scan_records", json::array())) {
    if (r.value("as", "") == "recipient" && r.value("recipient_domains", json::array()).dump().find("wrong.example.net") != std::string::npos) {
      named = true;
    }
  }
  EXPECT_TRUE(named) << sar.body;
  EXPECT_GE(mail["recipient_history"].value("sent_to_by", 0), 1) << sar.body;
  EXPECT_TRUE(sar.Json()["incidents"].empty()) << "the case keeps their domain, not their address";
}

// Welsh for a sender who reads Welsh (organisation.language_by_sender): the hold notice, the
// hold page and its answer, the self-report link mail, its page and the general report form all
// in Welsh; the page's switch gives English, and the link's language holds without it.
TEST_F(HoldE2eTest, AWelshSenderIsToldAndAskedInWelsh) {
  const std::string sender = "w.jones@council.example.gov.uk";
  // The pages escape apostrophes (&#39;), which Welsh has many of.
  auto plain = [](std::string html) {
    for (size_t at = html.find("&#39;"); at != std::string::npos; at = html.find("&#39;", at)) html.replace(at, 5, "'");
    return html;
  };
  const std::string marker = Marker("cymraeg");
  SendSensitive(marker, {"j.smith@example.org"}, sender);
  std::vector<std::string> got;
  for (int i = 0; i < 120 && got.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    got = postfix_->Delivered("Heb ei anfon eto: cadarnhewch neu canslwch \"referrals " + marker);
  }
  ASSERT_EQ(got.size(), 1u) << milter_->Log() << postfix_->Log();
  EXPECT_NE(got[0].find("Nid yw eich e-bost"), std::string::npos) << got[0];
  EXPECT_NE(got[0].find("Ni chaiff dim ei anfon oni bai eich bod yn cadarnhau"), std::string::npos) << got[0];
  EXPECT_NE(got[0].find("ddydd "), std::string::npos) << "the time in Welsh: " << got[0];
  EXPECT_EQ(got[0].find("has not been sent yet"), std::string::npos) << got[0];
  ExpectNoClearIdentifier(got[0], "Welsh notice");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(got[0], m, std::regex(R"(/staff/hold/([0-9a-f]{32})\?t=([0-9a-f]{32})&lang=cy)"))) << got[0];
  const Link link{m[1], m[2]};
  // Without lang= the page still speaks the sender's language (the hold remembers it).
  auto page = core_->Request("GET", link.Path());
  ASSERT_EQ(page.status, 200) << page.body;
  for (const char* welsh : {"<html lang=\"cy-GB\">", "Nid yw eich e-bost wedi'i anfon eto", "Ei anfon beth bynnag",
                            "Pam y dylid ei anfon?", "Rwyf wedi gwirio'r derbynwyr", "wedi'i nodi", ">English</a>"}) {
    EXPECT_NE(plain(page.body).find(welsh), std::string::npos) << welsh << "\n" << page.body;
  }
  EXPECT_EQ(page.body.find("Send it anyway"), std::string::npos);
  auto english = core_->Request("GET", link.Path() + "&lang=en");
  EXPECT_NE(plain(english.body).find("Send it anyway"), std::string::npos) << english.body;
  EXPECT_NE(plain(english.body).find(">Cymraeg</a>"), std::string::npos);
  auto sent = core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                             "t=" + link.token + "&csrf=" + Csrf(page.body) + "&lang=cy&reason=RECIPIENTS_CHECKED", kForm);
  ASSERT_EQ(sent.status, 200) << sent.body << milter_->Log();
  EXPECT_NE(plain(sent.body).find("Mae eich e-bost wedi'i anfon."), std::string::npos) << sent.body;
  EXPECT_EQ(DeliveredWhenFlushed(marker).size(), 1u);
  auto again = core_->Request("POST", "/staff/hold/" + link.id + "/confirm",
                              "t=" + link.token + "&csrf=" + Csrf(page.body) + "&lang=cy&reason=RECIPIENTS_CHECKED", kForm);
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(plain(again.body).find("Mae'r e-bost hwn eisoes wedi'i anfon."), std::string::npos) << again.body;

  // Self-report: the request page in Welsh, the link mail in the sender's language.
  auto form = core_->Request("GET", "/staff/report?lang=cy");
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(plain(form.body).find("Rhoi gwybod am e-bost a anfonwyd at y person anghywir"), std::string::npos) << form.body;
  std::smatch c;
  ASSERT_TRUE(std::regex_search(form.body, c, std::regex(R"re(name="csrf" value="([0-9a-f]+)")re")));
  const std::string token = c[1];
  auto requested = core_->Request("POST", "/staff/report", "csrf=" + token + "&lang=cy&email=" + common::PercentEncode(sender),
                                  {kForm[0], "Cookie: sg_report=" + token});
  ASSERT_EQ(requested.status, 200) << requested.body;
  EXPECT_NE(plain(requested.body).find("Edrychwch ar eich e-bost"), std::string::npos) << requested.body;
  got.clear();
  for (int i = 0; i < 120 && got.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    for (const auto& mail : postfix_->Delivered("Subject: Rhoi gwybod am e-bost a anfonwyd at y person anghywir")) {
      if (mail.find("X-Sink-Recipients: " + sender) != std::string::npos) got.push_back(mail);
    }
  }
  ASSERT_EQ(got.size(), 1u) << milter_->Log() << postfix_->Log();
  EXPECT_NE(got[0].find("Mae'r ddolen yn gweithio unwaith"), std::string::npos) << got[0];
  ASSERT_TRUE(std::regex_search(got[0], m, std::regex(R"((/staff/report/[0-9a-f]{32}\?t=([0-9a-f]{32})&lang=cy))"))) << got[0];
  const std::string report_link = m[1];
  auto list = core_->Request("GET", report_link);
  ASSERT_EQ(list.status, 200) << list.body;
  for (const char* welsh : {"Pa e-bost aeth at y person anghywir?", "Digwyddodd rhywbeth arall", "Pryd daethoch chi i wybod?",
                            "Papurau, gliniadur, ffôn neu gof bach", "ddydd "}) {
    EXPECT_NE(plain(list.body).find(welsh), std::string::npos) << welsh << "\n" << list.body;
  }
  // The general report (the staff breach form) in Welsh.
  const std::string id = report_link.substr(std::string("/staff/report/").size(), 32);
  std::string list_token = std::string(m[2]);
  auto filed = core_->Request("POST", "/staff/report/" + id,
                              "t=" + list_token + "&csrf=" + Csrf(list.body) + "&lang=cy&general=1&type=LOST_INFORMATION"
                              "&aware=2026-12-01T09%3A00&name=Wyn+Jones&note=Collwyd+ffolder+ar+y+tren",
                              kForm);
  ASSERT_EQ(filed.status, 200) << filed.body << core_->Log();
  EXPECT_NE(plain(filed.body).find("Diolch: rydych wedi rhoi gwybod"), std::string::npos) << filed.body;
  EXPECT_NE(plain(filed.body).find("<html lang=\"cy-GB\">"), std::string::npos);
}

// Quarantine: the message waits in Postfix's hold queue; `sendguard quarantine release`
// releases it (Postfix delivers it once) and files the release as a potential breach with
// who and why (digits masked), through the milter's outbox to the core. A second release, or
// a queue id sendguard did not quarantine, releases nothing and files nothing.
TEST_F(HoldE2eTest, AQuarantinedMessageReleasedByAnAdminIsDeliveredAndFiled) {
  const std::string marker = Marker("quarantine");
  auto sent = SendSensitive(marker, {"j.smith@example.org"}, "q.sender@council.example.gov.uk");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(sent.transcript, m, std::regex(R"(queued as ([0-9A-Za-z]+))"))) << sent.transcript;
  const std::string qid = m[1];
  EXPECT_TRUE(DeliveredWhenFlushed(marker).empty()) << "a quarantined message waits";
  const std::string release = std::string(SENDGUARD_BIN) + " quarantine release --config " + milter_->config().string() +
                              " --postfix-config " + postfix_->ConfigDir().string() + " --by 'admin one' --reason "
                              "'checked with the recipient on 01234 567890' ";
  std::string out;
  EXPECT_EQ(testing::Shell(release + "NOSUCHID1", &out), 1) << out;
  ASSERT_EQ(testing::Shell(release + qid, &out), 0) << out;
  auto got = DeliveredWhenFlushed(marker);
  ASSERT_EQ(got.size(), 1u) << postfix_->Log();
  EXPECT_NE(testing::Shell(release + qid, &out), 0) << "released twice: " << out;
  auto filed = IncidentsWithOutcome("RELEASED");
  ASSERT_EQ(filed.size(), 1u) << milter_->Log();
  EXPECT_EQ(filed[0].value("mf_action", ""), "WARNED_USER_OVERRODE");
  // Who the admin says they are, and the operating-system account that ran the command.
  EXPECT_EQ(filed[0]["mf_warning"].value("released_by", "").rfind("admin one (run by ", 0), 0u) << filed[0].dump();
  EXPECT_EQ(filed[0]["mf_warning"].value("reason", ""), "checked with the recipient on ##### ######");
  EXPECT_EQ(filed[0]["mf_identifier_counts"]["NHS_NUMBER"].value("distinct", 0), 12) << filed[0].dump();
  bool signalled = false;
  for (const auto& sig : filed[0].value("mf_signals", json::array())) signalled |= sig.value("type", "") == "released_from_quarantine";
  EXPECT_TRUE(signalled) << filed[0].dump();
  ExpectNoClearIdentifier(filed[0].dump(), "the release's incident");
  // The near miss filed when it was quarantined is linked to the release: the same email.
  const std::string hash = filed[0].value("mf_message_id_hash", "");
  ASSERT_EQ(hash.size(), 64u) << filed[0].dump();
  auto shown = core_->Request("GET", "/api/incidents/" + filed[0].value("incident_id", ""), "", kIg).Json();
  ASSERT_EQ(shown["related"].size(), 1u) << shown.dump();
  EXPECT_EQ(shown["related"][0]["mf_action"], "BLOCKED");
  EXPECT_EQ(shown["related"][0]["kind"], "NEAR_MISS");
  auto same = core_->Request("GET", "/api/incidents?message_hash=" + hash, "", kIg).Json();
  EXPECT_EQ(same["incidents"].size(), 2u) << same.dump();
  EXPECT_EQ(core_->Request("GET", "/api/incidents?message_hash=nothex", "", kIg).status, 400);
}

// Quarantine review in the pages: the IG officer sees the held message's record on its near
// miss (when, where to, what was found, masked), decides to release one and delete another with
// a reason; `sendguard quarantine apply` (root, as the timer runs it) carries both out with
// postsuper: the released one is delivered once and filed as a potential breach naming who
// decided in the pages, the deleted one never arrives; the page then says what was done.
TEST_F(HoldE2eTest, AQuarantinedMessageIsReleasedOrDeletedFromThePages) {
  const std::string form = "Content-Type: application/x-www-form-urlencoded";
  std::map<std::string, std::string> queue_ids, incidents;  // by marker
  const std::string release_marker = Marker("q-release"), delete_marker = Marker("q-delete");
  for (const std::string& marker : {release_marker, delete_marker}) {
    auto sent = SendSensitive(marker, {"j.smith@example.org"}, "q.sender@council.example.gov.uk");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(sent.transcript, m, std::regex(R"(queued as ([0-9A-Za-z]+))"))) << sent.transcript;
    queue_ids[marker] = m[1];
  }
  // The near misses, each found by the queue id its page shows.
  std::string csrf, session;
  for (int i = 0; i < 80 && incidents.size() < 2; ++i) {
    for (const auto& summary : core_->Request("GET", "/api/incidents?kind=NEAR_MISS", "", kIg).Json().value("incidents", json::array())) {
      if (summary.value("mf_action", "") != "BLOCKED") continue;
      const std::string id = summary["incident_id"];
      if (session.empty()) session = core_->SignIn("igq", "ig_officer", "/incidents/" + id, &csrf);
      const std::string page = core_->Request("GET", "/incidents/" + id, "", {session}).body;
      for (const auto& [marker, qid] : queue_ids) {
        if (page.find("queue id " + qid + ")") != std::string::npos) incidents[marker] = id;
      }
    }
    if (incidents.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(incidents.size(), 2u) << milter_->Log() << core_->Log();
  const std::string page = core_->Request("GET", "/incidents/" + incidents[release_marker], "", {session}).body;
  EXPECT_NE(page.find("To: example.org"), std::string::npos) << page;
  EXPECT_NE(page.find("Not decided: the message waits."), std::string::npos);
  ExpectNoClearIdentifier(page, "the quarantine review");
  // Each message's form names its scan record (the review may list more than one).
  auto decide = [&](const std::string& marker, const std::string& decision, const std::string& reason) {
    const std::string shown = core_->Request("GET", "/incidents/" + incidents[marker], "", {session}).body;
    std::smatch m;
    std::string record = "0";
    if (std::regex_search(shown, m, std::regex("name=\"record_id\" value=\"([0-9]+)\""))) record = m[1];
    return core_->Request("POST", "/incidents/" + incidents[marker] + "/quarantine",
                          "csrf=" + csrf + "&record_id=" + record + "&decision=" + decision + "&reason=" + reason, {form, session});
  };
  auto released = decide(release_marker, "release", "The+recipient+is+the+family%27s+GP%2C+checked+by+phone.");
  EXPECT_EQ(released.status, 200) << released.body;
  EXPECT_NE(released.body.find("Release recorded"), std::string::npos) << released.body;
  // Decided: the page offers no form, and a decision posted anyway is refused.
  const std::string decided = core_->Request("GET", "/incidents/" + incidents[release_marker], "", {session}).body;
  EXPECT_EQ(decided.find("name=\"record_id\""), std::string::npos) << "no form once decided";
  std::smatch rm;
  ASSERT_TRUE(std::regex_search(page, rm, std::regex("name=\"record_id\" value=\"([0-9]+)\"")));
  auto again = core_->Request("POST", "/incidents/" + incidents[release_marker] + "/quarantine",
                              "csrf=" + csrf + "&record_id=" + std::string(rm[1]) + "&decision=delete&reason=changed+my+mind",
                              {form, session});
  EXPECT_NE(again.body.find("already decided"), std::string::npos) << "a decision is made once: " << again.body;
  // Another case's record cannot be decided through this one.
  auto crossed = core_->Request("POST", "/incidents/" + incidents[delete_marker] + "/quarantine",
                                "csrf=" + csrf + "&record_id=" + std::string(rm[1]) + "&decision=delete&reason=x", {form, session});
  EXPECT_NE(crossed.body.find("no such message"), std::string::npos) << crossed.body;
  EXPECT_EQ(decide(delete_marker, "delete", "Sent+to+the+wrong+school.").status, 200);
  EXPECT_TRUE(DeliveredWhenFlushed(release_marker).empty()) << "nothing happens until the gateway applies it";
  const std::string apply = std::string(SENDGUARD_BIN) + " quarantine apply --config " + milter_->config().string() +
                            " --postfix-config " + postfix_->ConfigDir().string();
  std::string out;
  ASSERT_EQ(testing::Shell(apply + " 2>&1", &out), 0) << out;
  EXPECT_NE(out.find("release " + queue_ids[release_marker] + ": released"), std::string::npos) << out;
  EXPECT_NE(out.find("delete " + queue_ids[delete_marker] + ": deleted"), std::string::npos) << out;
  EXPECT_EQ(testing::Shell(apply + " 2>&1", &out), 0) << out;
  EXPECT_TRUE(out.empty()) << "nothing left to do: " << out;
  EXPECT_EQ(DeliveredWhenFlushed(release_marker).size(), 1u) << postfix_->Log();
  EXPECT_TRUE(DeliveredWhenFlushed(delete_marker).empty()) << "the deleted message never arrives";
  // Other tests of the suite may have filed releases: wait for this one.
  bool filed = false;
  for (int i = 0; i < 80 && !filed; ++i) {
    for (const auto& in : IncidentsWithOutcome("RELEASED")) {
      filed |= in["mf_warning"].value("released_by", "") == "igq (in the IG pages)";
    }
    if (!filed) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_TRUE(filed) << "the release is filed naming who decided";
  const std::string after = core_->Request("GET", "/incidents/" + incidents[release_marker], "", {session}).body;
  EXPECT_NE(after.find("Done: released."), std::string::npos) << after;
  EXPECT_NE(core_->Request("GET", "/incidents/" + incidents[delete_marker], "", {session}).body.find("Done: deleted."),
            std::string::npos);
}

}  // namespace
}  // namespace sendguard
