// SPDX-License-Identifier: Apache-2.0
// The attacks of the authentication issue, each tried against the real sendguard-core and
// sendguard-milter processes as a local attacker would (any process on the host can reach
// their loopback ports): each test fails if the attack succeeds. And the audit chain: a row
// edited in the SQLite file is named by `sendguard-core audit verify`.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>

#include <regex>
#include <tuple>

#include "core/core_harness.h"
#include "milter/daemon_harness.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/sqlite.h"

namespace sendguard::testing {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "correct horse battery staple";
const std::string kForm = "Content-Type: application/x-www-form-urlencoded";

class SecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core_ = std::make_unique<CoreServer>("security", "trusted_proxies: [127.0.0.1]\n");
    ig_ = core_->As("IG_OFFICER", "ig1");
    dpo_ = core_->As("DPO", "dpo1");
    reporter_ = core_->As("REPORTER", "rep1");
  }
  std::string Create(const json& doc, const std::vector<std::string>& who) {
    auto r = core_->Request("POST", "/api/incidents", doc.dump(), who);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json()["incident"].value("incident_id", "");
  }
  void AddUser(const std::string& name, const std::string& role, const std::string& password = kPassword) {
    int rc = 0;
    const std::string out = core_->Command("user add " + name + " --role " + role + " --password-file " + PasswordFile(*core_, password), &rc);
    ASSERT_EQ(rc, 0) << out;
  }
  // A file holding `password`, in the core's directory.
  static std::string PasswordFile(const CoreServer& core, const std::string& password) {
    const auto path = core.dir() / "password";
    std::ofstream(path) << password << "\n";
    return path.string();
  }
  // POST /login through the proxy with X-Forwarded-For `address`; the session cookie, or "".
  std::string Login(const std::string& name, const std::string& password, const std::string& address, long* status = nullptr) {
    auto page = core_->Request("GET", "/login");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(page.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
    const std::string csrf = m[1];
    EXPECT_TRUE(std::regex_search(page.headers, m, std::regex("sg_login=([0-9a-f]+)")));
    auto r = core_->Request("POST", "/login", "csrf=" + csrf + "&name=" + name + "&password=" + password,
                            {kForm, "Cookie: sg_login=" + std::string(m[1]), "X-Forwarded-For: " + address});
    if (status) *status = r.status;
    if (!std::regex_search(r.headers, m, std::regex("sg_session=([0-9a-f]{64})"))) return "";
    return "Cookie: sg_session=" + std::string(m[1]);
  }
  std::unique_ptr<CoreServer> core_;
  std::vector<std::string> ig_, dpo_, reporter_;
};

TEST_F(SecurityTest, ForgedIdentityHeadersAreNobody) {
  const std::string id = Create({{"title", "Letter to the wrong address"}}, ig_);
  const json decision = {{"set", {{"dpo_ico_decision", "DO_NOT_REPORT"}, {"dpo_ico_rationale", "forged"}}}};
  // Headers alone: not a caller at all.
  auto forged = core_->Request("PATCH", "/api/incidents/" + id, decision.dump(),
                               {"X-Sendguard-User: dpo", "X-Sendguard-User-Name: The DPO", "X-Sendguard-Role: DPO"});
  EXPECT_EQ(forged.status, 401) << forged.body;
  // A fake mail-filter incident under a forged SYSTEM role.
  auto fake = core_->Request("POST", "/api/incidents",
                             json{{"source", "MAIL_FILTER"}, {"mf_event_id", "x"}, {"mf_action", "BLOCKED"}}.dump(),
                             {"X-Sendguard-User: sendguard-milter", "X-Sendguard-Role: SYSTEM"});
  EXPECT_EQ(fake.status, 401);
  // A valid IG officer's token with a forged DPO role: still the IG officer.
  auto with_token = ig_;
  with_token.insert(with_token.end(), {"X-Sendguard-Role: DPO", "X-Sendguard-User: dpo", "X-Sendguard-User-Name: The DPO"});
  auto escalated = core_->Request("PATCH", "/api/incidents/" + id, decision.dump(), with_token);
  EXPECT_EQ(escalated.status, 403) << escalated.body;
  auto shown = core_->Request("GET", "/api/incidents/" + id, "", ig_).Json();
  EXPECT_FALSE(shown["incident"].contains("dpo_ico_decision")) << shown.dump();
  EXPECT_EQ(shown["audit"].dump().find("The DPO"), std::string::npos) << "no chosen display name reached the audit trail";
}

TEST_F(SecurityTest, ATokenActsOnlyWithinItsRole) {
  const std::string id = Create({{"title", "Folder left on a train"}}, ig_);
  std::string milter_token;
  std::getline(std::ifstream(core_->milter_token_file()), milter_token);
  const std::vector<std::string> milter = {"Authorization: Bearer " + milter_token};
  // The milter's token files drafts and nothing else.
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", milter).status, 403);
  EXPECT_EQ(core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"title": "x"}})", milter).status, 403);
  EXPECT_EQ(core_->Request("POST", "/api/incidents", json{{"title", "not a mail-filter draft"}}.dump(), milter).status, 403);
  // A READER reads, and changes nothing.
  auto reader = core_->As("READER", "siem");
  EXPECT_EQ(core_->Request("GET", "/api/incidents/" + id, "", reader).status, 200);
  EXPECT_EQ(core_->Request("POST", "/api/incidents/" + id + "/notes", R"({"text": "hello"})", reader).status, 403);
  // A reporter cannot look up someone else's send by its Message-ID (the IG team files those).
  EXPECT_EQ(core_->Request("POST", "/api/self-reports", R"({"message_id": "<someone.else@council.example.gov.uk>"})", reporter_).status,
            403);
  // A revoked token is refused at once.
  int rc = 0;
  core_->Command("token revoke siem", &rc);
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(core_->Request("GET", "/api/incidents/" + id, "", reader).status, 401);
}

// Need to know on the API itself (the pages only call it): an investigating officer, the SIRO
// and the Caldicott Guardian are refused the cases that are not theirs, by id and in lists,
// whatever they ask of them; related incidents do not leak them either.
TEST_F(SecurityTest, NeedToKnowHoldsOnEveryApiRoute) {
  const auto officer = core_->As("INVESTIGATING_OFFICER", "lm1");
  const auto siro = core_->As("SIRO", "siro1"), cg = core_->As("CALDICOTT_GUARDIAN", "cg1");
  const std::string mine = Create({{"title", "Mine"}, {"investigating_officer", {{"id", "token:lm1"}, {"name", "LM"}}}}, ig_);
  const std::string theirs = Create({{"title", "Theirs"}, {"investigating_officer", {{"id", "token:lm2"}, {"name", "LM2"}}},
                                     {"escalations", {{"siro_informed_at", "2026-11-21T10:00Z"}}}}, ig_);
  EXPECT_EQ(core_->Request("GET", "/api/incidents/" + mine, "", officer).status, 200);
  for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/api/incidents/" + theirs, ""},
           {"PATCH", "/api/incidents/" + theirs, R"({"set": {"s5_what_happened": "x"}})"},
           {"POST", "/api/incidents/" + theirs + "/notes", R"({"text": "x"})"},
           {"GET", "/api/incidents/" + theirs + "/deletion-request", ""},
           {"POST", "/api/incidents/" + theirs + "/transition", R"({"to": "ASSESSED"})"}}) {
    auto r = core_->Request(method, path, body, officer);
    EXPECT_EQ(r.status, 403) << method << " " << path << ": " << r.body;
    EXPECT_NE(r.body.find("not assigned to you"), std::string::npos) << r.body;
  }
  auto listed = core_->Request("GET", "/api/incidents", "", officer).Json()["incidents"];
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["incident_id"], mine);
  EXPECT_EQ(core_->Request("GET", "/api/reports/committee?from=2026-01-01&to=2027-01-01", "", officer).status, 403);
  // The SIRO: the case told to them, not the other.
  EXPECT_EQ(core_->Request("GET", "/api/incidents/" + theirs, "", siro).status, 200);
  EXPECT_EQ(core_->Request("GET", "/api/incidents/" + mine, "", siro).status, 403);
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", siro).Json()["incidents"].size(), 1u);
  EXPECT_EQ(core_->Request("PATCH", "/api/incidents/" + theirs, R"({"set": {"kind": "BREACH"}})", siro).status, 403)
      << "the SIRO reads; the IG team changes";
  // The Caldicott Guardian: neither (no health data flagged, nobody told them).
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", cg).Json()["incidents"].size(), 0u);
  EXPECT_EQ(core_->Request("GET", "/api/incidents/" + theirs, "", cg).status, 403);
  // A filing key used before returns that incident: not to someone who may not see it.
  auto keyed = core_->Request("POST", "/api/incidents", R"({"title": "Filed by the helpdesk integration"})",
                              {ig_[0], "Idempotency-Key: helpdesk-7"});
  ASSERT_EQ(keyed.status, 201) << keyed.body;
  auto replayed = core_->Request("POST", "/api/incidents", R"({"title": "x"})", {officer[0], "Idempotency-Key: helpdesk-7"});
  EXPECT_EQ(replayed.status, 409) << replayed.body;
  EXPECT_EQ(replayed.body.find("helpdesk integration"), std::string::npos) << replayed.body;
  EXPECT_EQ(core_->Request("POST", "/api/incidents", R"({"title": "x"})", {dpo_[0], "Idempotency-Key: helpdesk-7"}).status, 201)
      << "the DPO sees every case";
  // The committee report's outstanding actions name cases: only those the caller may see.
  ASSERT_EQ(core_->Request("PATCH", "/api/incidents/" + mine,
                           R"({"set": {"action_plan": [{"description": "Retrain the payroll team", "due": "2026-01-10"}]}})", ig_).status,
            200);
  const std::string report = "/api/reports/committee?from=2026-01-01&to=2027-01-01&format=csv";
  EXPECT_NE(core_->Request("GET", report, "", dpo_).body.find("Retrain the payroll team"), std::string::npos);
  EXPECT_EQ(core_->Request("GET", report, "", cg).body.find("Retrain the payroll team"), std::string::npos);
  EXPECT_EQ(core_->Request("GET", report, "", siro).body.find("Retrain the payroll team"), std::string::npos);
  // The action plan is the IG team's; the SIRO and the Caldicott Guardian file nothing.
  auto waived = core_->Request("PATCH", "/api/incidents/" + mine, R"({"set": {"action_plan": []}})", officer);
  EXPECT_EQ(waived.status, 403) << waived.body;
  EXPECT_EQ(core_->Request("POST", "/api/incidents", "{}", siro).status, 403);
  EXPECT_EQ(core_->Request("POST", "/api/incidents", "{}", cg).status, 403);
}

// The pages keep to each role too: a read-only role cannot send the deletion request (an email
// in the council's name), and the Mail filter page is for the admin and the IG team.
TEST_F(SecurityTest, ReadOnlyAndOfficerSessionsCannotActThroughThePages) {
  const std::string id = Create({{"title", "Referral to the wrong address"}, {"incident_number", "IG-2026-0900"},
                                 {"s4_types", {"INCORRECT_RECIPIENT"}},
                                 {"investigating_officer", {{"id", "lm9@council.example.gov.uk"}, {"name", "LM"}}}}, ig_);
  std::string csrf;
  const std::string auditor = core_->SignIn("aud1", "auditor", "/incidents/" + id, &csrf);
  ASSERT_FALSE(auditor.empty());
  auto sent = core_->Request("POST", "/incidents/" + id + "/deletion-send", "csrf=" + csrf + "&to=outsider%40example.net",
                             {kForm, auditor});
  EXPECT_NE(sent.body.find("only the IG team and the DPO send the deletion request"), std::string::npos) << sent.body;
  std::string officer_csrf;
  const std::string officer = core_->SignIn("lm9@council.example.gov.uk", "investigating_officer", "/incidents/" + id, &officer_csrf);
  ASSERT_FALSE(officer.empty());
  EXPECT_EQ(core_->Request("GET", "/admin", "", {officer}).status, 403);
  EXPECT_EQ(core_->Request("GET", "/admin", "", {auditor}).status, 200);
  auto waive = core_->Request("POST", "/incidents/" + id + "/action-add",
                              "csrf=" + officer_csrf + "&description=x&owner_name=y&owner_id=z%40example.net&due=2026-12-31",
                              {kForm, officer});
  EXPECT_NE(waive.body.find("may not change the action plan"), std::string::npos) << waive.body;
}

TEST_F(SecurityTest, CreateChecksEveryFieldAsEditDoes) {
  const json dpo_only = {{"title", "Breach"}, {"dpo_ico_decision", "DO_NOT_REPORT"}, {"dpo_ico_rationale", "minor"},
                         {"nhs_likelihood", 1}, {"nhs_impact", 1}, {"incident_number", "IG-2026-9999"}};
  auto r = core_->Request("POST", "/api/incidents", dpo_only.dump(), reporter_);
  EXPECT_EQ(r.status, 403) << r.body;
  for (const char* field : {"dpo_ico_decision", "nhs_likelihood", "incident_number"}) {
    EXPECT_NE(r.body.find(field), std::string::npos) << field << " is named: " << r.body;
  }
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", ig_).Json()["incidents"].size(), 0u) << "nothing was filed";
  // The DPO may file with a decision, and it is stamped with who decided, as an edit would be.
  const std::string id = Create({{"title", "Breach"}, {"dpo_ico_decision", "DO_NOT_REPORT"}, {"dpo_ico_rationale", "minor"}}, dpo_);
  auto shown = core_->Request("GET", "/api/incidents/" + id, "", ig_).Json()["incident"];
  EXPECT_EQ(shown["dpo_ico_decided_by"]["id"], "token:dpo1") << shown.dump();
  EXPECT_TRUE(shown.contains("dpo_ico_decided_at"));
  EXPECT_EQ(shown["office_ico_reporting_needed"], "NO");
}

TEST_F(SecurityTest, NobodyCanLockSomeoneElseOutAndForwardedForIsBelievedOnlyFromTheProxy) {
  AddUser("dpo.person", "dpo");
  // Through the proxy, an attacker at one address fails many times against the DPO's name...
  for (int i = 0; i < 12; ++i) EXPECT_EQ(Login("dpo.person", "Guess" + std::to_string(i), "203.0.113.66"), "");
  long status = 0;
  EXPECT_EQ(Login("dpo.person", kPassword, "203.0.113.66", &status), "") << "that address waits";
  // ...and the DPO, from their own address, is not locked out.
  EXPECT_NE(Login("dpo.person", kPassword, "198.51.100.20", &status), "") << "status " << status;

  // A core with no trusted proxy believes no X-Forwarded-For: changing it does not dodge the
  // per-address limit.
  CoreServer direct("security-direct", "");
  int rc = 0;
  direct.Command("user add ig.person --role ig_officer --password-file " + PasswordFile(direct, kPassword), &rc);
  ASSERT_EQ(rc, 0);
  auto page = direct.Request("GET", "/login");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  const std::string csrf = m[1];
  ASSERT_TRUE(std::regex_search(page.headers, m, std::regex("sg_login=([0-9a-f]+)")));
  const std::string cookie = "Cookie: sg_login=" + std::string(m[1]);
  auto attempt = [&](const std::string& name, const std::string& password, int i) {
    return direct.Request("POST", "/login", "csrf=" + csrf + "&name=" + name + "&password=" + password,
                          {kForm, cookie, "X-Forwarded-For: 192.0.2." + std::to_string(i)}).status;
  };
  for (int i = 0; i < 20; ++i) EXPECT_EQ(attempt("guess" + std::to_string(i), "Summer2026!!!", i), 401);
  EXPECT_EQ(attempt("ig.person", "correct+horse+battery+staple", 99), 401) << "a new X-Forwarded-For is still the same caller";
}

TEST_F(SecurityTest, AResetOrDisableEndsTheUsersSessions) {
  AddUser("ig.reset", "ig_officer");
  const std::string session = Login("ig.reset", kPassword, "198.51.100.30");
  ASSERT_NE(session, "");
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", {session}).status, 200);
  AddUser("ig.reset", "ig_officer", "a brand new passphrase");
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", {session}).status, 401) << "the reset ended the old session";
  EXPECT_EQ(core_->Request("GET", "/", "", {session}).status, 303) << "the pages send it to the login";
  const std::string again = Login("ig.reset", "a+brand+new+passphrase", "198.51.100.30");
  ASSERT_NE(again, "");
  int rc = 0;
  core_->Command("user disable ig.reset", &rc);
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", {again}).status, 401) << "disable ended it";
  EXPECT_EQ(Login("ig.reset", "a+brand+new+passphrase", "198.51.100.31"), "") << "and refuses new logins";
  const std::string listed = core_->Command("user list", &rc);
  EXPECT_NE(listed.find("disabled"), std::string::npos) << listed;
  core_->Command("user remove ig.reset", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(core_->Command("user list").find("ig.reset"), std::string::npos);
}

TEST_F(SecurityTest, ASessionCookieChangesNothingWithoutItsCsrfToken) {
  AddUser("ig.csrf", "ig_officer");
  const std::string session = Login("ig.csrf", kPassword, "198.51.100.40");
  ASSERT_NE(session, "");
  auto r = core_->Request("POST", "/api/incidents", json{{"title", "cross-site"}}.dump(), {session});
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", ig_).Json()["incidents"].size(), 0u);
}

TEST_F(SecurityTest, CommitteeCsvNeutralisesFormulaCells) {
  Create({{"title", "Breach"}, {"kind", "BREACH"}, {"s1_aware_local", "2026-12-02T09:00"},
          {"s2_service_area", "=HYPERLINK(\"http://attacker.example/\",\"x\")"}},
         ig_);
  Create({{"title", "Breach"}, {"kind", "BREACH"}, {"s1_aware_local", "2026-12-02T10:00"}, {"s2_service_area", "@SUM(1+1)"}}, ig_);
  auto csv = core_->Request("GET", "/api/reports/committee?from=2026-12-01&to=2027-01-01&format=csv", "", ig_);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.body.find("'=HYPERLINK"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("'@SUM"), std::string::npos) << csv.body;
  std::smatch m;
  // No cell starts a formula; a signed number (the report's changes, "+2") is a number, not one.
  EXPECT_FALSE(std::regex_search(csv.body, m, std::regex("(^|,|\n)\"?([=@]|[+\\-](?![0-9.]+(,|\n|$)))")))
      << "a cell starts a formula: " << csv.body;
}

TEST_F(SecurityTest, DashboardFiltersCannotInjectQueryParameters) {
  AddUser("ig.filter", "ig_officer");
  Create({{"title", "A near miss"}, {"kind", "NEAR_MISS"}}, ig_);
  const std::string session = Login("ig.filter", kPassword, "198.51.100.50");
  ASSERT_NE(session, "");
  // "DRAFT&kind=BREACH" is one status value, not two filters.
  auto page = core_->Request("GET", "/?status=DRAFT%26kind%3DBREACH", "", {session});
  EXPECT_EQ(page.status, 400) << page.body;
  EXPECT_NE(page.body.find("status"), std::string::npos);
  auto plain = core_->Request("GET", "/?status=DRAFT", "", {session});
  EXPECT_EQ(plain.status, 200);
  EXPECT_NE(plain.body.find("A near miss"), std::string::npos);
  EXPECT_EQ(plain.body.find("TRIAGED"), std::string::npos) << "no status that does not exist is offered";
}

TEST_F(SecurityTest, EveryDeskEndpointNeedsTheGatewaysTokenAndTheMilterServesNone) {
  MilterDaemon milter("security", "core_token_file: " + core_->milter_token_file().string() + "\n");
  std::string token;
  std::getline(std::ifstream(core_->milter_token_file()), token);
  const std::string base = "http://127.0.0.1:" + std::to_string(milter.desk_port());
  const std::string hold = "/holds/" + std::string(32, 'a') + "?t=" + std::string(64, 'b');
  struct Call {
    const char* method;
    std::string path, body;
  };
  const std::vector<Call> calls = {{"GET", "/scan-records?message_id=%3Cx%40y%3E", ""},
                                   {"GET", hold, ""},
                                   {"POST", "/holds/" + std::string(32, 'a') + "/confirm?t=" + std::string(64, 'b'), "{}"},
                                   {"POST", "/self-reports", R"({"email": "a@council.example.gov.uk"})"},
                                   {"GET", "/self-reports/" + std::string(32, 'a') + "?t=" + std::string(64, 'b'), ""}};
  for (const auto& c : calls) {
    for (const std::vector<std::string>& headers :
         {std::vector<std::string>{}, {"Authorization: Bearer " + std::string("sgt_") + std::string(64, '0')}, ig_}) {
      const long status = common::Perform({c.method, base + c.path, c.body, headers, 2000, 10000}).status;
      EXPECT_EQ(status, 401) << c.method << " " << c.path << " with " << (headers.empty() ? "no token" : headers[0]);
    }
    const long with = common::Perform({c.method, base + c.path, c.body, {"Authorization: Bearer " + token}, 2000, 10000}).status;
    EXPECT_NE(with, 401) << c.method << " " << c.path << " with the gateway's token";
    // The mail path's process serves its metrics and nothing else, with the token or without.
    const std::string metrics = "http://127.0.0.1:" + std::to_string(milter.metrics_port());
    EXPECT_EQ(common::Perform({c.method, metrics + c.path, c.body, {"Authorization: Bearer " + token}, 2000, 10000}).status,
              c.method == std::string("GET") ? 404 : 405)
        << c.method << " " << c.path << " on sendguard-milter";
  }
  // No token configured: the endpoints are closed to everyone.
  MilterDaemon closed("security-closed");
  const std::string closed_base = "http://127.0.0.1:" + std::to_string(closed.desk_port());
  EXPECT_EQ(common::Perform({"GET", closed_base + "/scan-records?message_id=x", "", {"Authorization: Bearer " + token}, 2000, 10000}).status,
            503);
  EXPECT_EQ(common::Perform({"GET", closed_base + "/healthz", "", {}, 2000, 10000}).status, 200) << "liveness stays open";
}

TEST_F(SecurityTest, SingleSignOnHeaderIsNobodyOnTheApiAndWithoutTheProxysSecret) {
  const auto secret = core_->dir() / "sso.secret";
  std::ofstream(secret) << "a-proxy-secret-of-some-length\n";
  CoreServer sso("security-sso", "single_sign_on:\n  user_header: X-Forwarded-User\n  proxy_secret_file: " + secret.string() + "\n");
  int rc = 0;
  sso.Command("user add dpo@council.example.gov.uk --role dpo --sso", &rc);
  ASSERT_EQ(rc, 0);
  EXPECT_EQ(sso.Request("GET", "/", "", {"X-Forwarded-User: dpo@council.example.gov.uk"}).status, 403);
  EXPECT_EQ(sso.Request("GET", "/api/incidents", "", {"X-Forwarded-User: dpo@council.example.gov.uk"}).status, 401);
  EXPECT_EQ(sso.Request("GET", "/api/incidents", "",
                        {"X-Forwarded-User: nobody@council.example.gov.uk", "X-Sso-Proxy-Secret: a-proxy-secret-of-some-length"})
                .status,
            401)
      << "the API takes no name from a header, with the proxy's secret or without";
  EXPECT_EQ(sso.Request("GET", "/", "",
                        {"X-Forwarded-User: dpo@council.example.gov.uk", "X-Sso-Proxy-Secret: a-proxy-secret-of-some-length"})
                .status,
            200);
  // Single sign-on without a proxy secret is refused at start, with the reason.
  std::ofstream(sso.dir() / "bad.yaml") << "single_sign_on:\n  user_header: X-Forwarded-User\n";
  std::string out;
  EXPECT_NE(Shell(std::string(SENDGUARD_CORE_BIN) + " --check-config --config " + (sso.dir() / "bad.yaml").string(), &out), 0);
  EXPECT_NE(out.find("proxy_secret_file"), std::string::npos) << out;
}

TEST_F(SecurityTest, SecretFilesAreTheServicesWhoeverCreatesThem) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to show a root-run command hands the files over";
  CoreServer owned("security-owner", "service_user: nobody\n", 0, /*start=*/false);
  int rc = 0;
  const std::string out = owned.Command("user add ig.owner --role ig_officer --password-file " + PasswordFile(owned, kPassword), &rc);
  ASSERT_EQ(rc, 0) << out;
  struct stat st {};
  ASSERT_EQ(stat((owned.dir() / "accounts.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_uid, getpwnam("nobody")->pw_uid) << out;
  ASSERT_EQ(stat(owned.milter_token_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(st.st_gid, getpwnam("nobody")->pw_gid);
  EXPECT_NE(out.find("owner nobody:"), std::string::npos) << "the command says what it did: " << out;
}

TEST_F(SecurityTest, AuditVerifyNamesAnEditedEntryAndAnEditedDocument) {
  const std::string id = Create({{"title", "Letter to the wrong address"}}, ig_);
  ASSERT_EQ(core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"nhs_likelihood": 3, "nhs_impact": 2}})", ig_).status, 200);
  ASSERT_EQ(core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"dpo_ico_decision": "REPORT", "dpo_ico_rationale": "children"}})",
                           dpo_).status, 200);
  int rc = 0;
  std::string out = core_->Command("audit verify", &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("ok: "), std::string::npos) << out;
  core_->Stop();
  const auto db_path = core_->dir() / "incidents.db";
  {
    auto db = common::SqliteDb::Open(db_path);
    ASSERT_TRUE(db.ok());
    // The attacker removes the append-only trigger and rewrites the DPO's decision in the trail.
    ASSERT_TRUE((*db)->Exec("DROP TRIGGER audit_no_update").ok());
    ASSERT_TRUE((*db)->Exec("UPDATE audit SET new_value = '\"DO_NOT_REPORT\"' WHERE what = 'dpo_ico_decision'").ok());
  }
  out = core_->Command("audit verify", &rc);
  EXPECT_EQ(rc, 1) << out;
  std::smatch m;
  EXPECT_TRUE(std::regex_search(out, m, std::regex("TAMPERED: .* audit entry [0-9]+: incident " + id + ": .*edited"))) << out;
  {
    auto db = common::SqliteDb::Open(db_path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE audit SET new_value = '\"REPORT\"' WHERE what = 'dpo_ico_decision'").ok());
    ASSERT_TRUE((*db)->Exec("UPDATE incidents SET document = json_set(document, '$.dpo_ico_decision', 'DO_NOT_REPORT')").ok());
  }
  out = core_->Command("audit verify", &rc);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("incident " + id + ": the incident's document differs"), std::string::npos) << out;
}

}  // namespace
}  // namespace sendguard::testing
