// SPDX-License-Identifier: Apache-2.0
// The IG pages in a real browser: starts sendguard-core with local accounts, files an
// auto-filed draft through the API as the milter would, and runs tests/browser/pages.mjs
// (playwright-core driving Debian's Chromium headless), which checks login, the dashboard, the
// incident page's grid and reportability, the DPO-only ICO decision, the report download and
// the admin page (with a real sendguard-milter behind it).
// Refusals without a session or with a bad CSRF token are checked here with plain HTTP.
// Screenshots are kept in <build>/tests/browser-artifacts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "core/core_harness.h"
#include "milter/daemon_harness.h"

namespace sendguard {
namespace {

using nlohmann::json;
using testing::CoreServer;

const char* kPassword = "correct horse battery staple";
const char* kProxySecret = "proxy-secret-for-the-browser-tests";

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "install Debian's chromium (scripts/install-deps.sh)";
    ASSERT_TRUE(std::filesystem::exists(std::string(SENDGUARD_BROWSER_DIR) + "/node_modules/playwright-core"))
        << "run npm ci in tests/browser (scripts/test.sh does)";
  }
  void AddUser(CoreServer& core, const std::string& name, const std::string& role, const std::string& more = "") {
    std::string out;
    const int rc = testing::Shell("echo '" + std::string(kPassword) + "' | " + SENDGUARD_CORE_BIN + " --config " +
                                      (core.dir() / "core.yaml").string() + " user add " + name + " --role " + role + " " + more +
                                      " 2>&1",
                                  &out);
    ASSERT_EQ(rc, 0) << out;
  }
  // An account with no password, for single sign-on.
  void AddSsoUser(CoreServer& core, const std::string& name, const std::string& role) {
    std::string out;
    ASSERT_EQ(testing::Shell(std::string(SENDGUARD_CORE_BIN) + " --config " + (core.dir() / "core.yaml").string() + " user add " +
                                 name + " --role " + role + " --sso 2>&1", &out), 0) << out;
  }
  // Files the incident the pages work on, after a near miss about the same email (the pages link them).
  std::string FileDraft(CoreServer& core) {
    const std::string email = std::string(64, 'e');
    std::string token;
    std::getline(std::ifstream(core.milter_token_file()) >> std::ws, token);
    const std::vector<std::string> system = {"Authorization: Bearer " + token};
    const json near_miss = {{"title", "Mail filter: BLOCKED (quarantine)"}, {"source", "MAIL_FILTER"}, {"mf_event_id", "sg-browser-0"},
                            {"mf_action", "BLOCKED"}, {"mf_event_at", "2026-11-20T08:55Z"}, {"mf_message_id_hash", email}};
    EXPECT_EQ(core.Request("POST", "/api/incidents", near_miss.dump(), system).status, 201);
    const json draft = {{"title", "Mail filter: WARNED_USER_OVERRODE (warn)"},
                        {"source", "MAIL_FILTER"},
                        {"mf_message_id_hash", email},
                        {"mf_event_id", "sg-browser-1"},
                        {"mf_action", "WARNED_USER_OVERRODE"},
                        {"mf_sender", "sam.okafor@council.example.gov.uk"},
                        {"mf_estimated_individuals", 12},
                        {"mf_data_categories", {"HEALTH", "BASIC_IDENTIFIERS"}},
                        {"mf_subject_categories", {"CHILDREN"}},
                        {"mf_warning", {{"mode", "HOLD_AND_CONFIRM"}, {"outcome", "CONFIRMED"}, {"justification_reason", "RECIPIENTS_CHECKED"}}},
                        {"mf_event_at", "2026-11-20T09:00Z"},
                        {"mf_identifier_counts", {{"NHS_NUMBER", {{"distinct", 12}, {"occurrences", 12}}}}},
                        {"mf_recipients", {{{"domain", "example.org"}, {"field", "TO"}, {"count", 1}, {"classification", "EXTERNAL"}}}},
                        {"mf_signals", json::array({{{"type", "first_time_recipient"}, {"domain", "example.org"}}})},
                        {"mf_redacted_evidence", json::array({{{"location", "BODY"}, {"snippet", "NHS number [NHS_NUMBER#1] depression"}}})}};
    auto r = core.Request("POST", "/api/incidents", draft.dump(),
                          {system[0], "Idempotency-Key: sg-browser-1"});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json()["incident"].value("incident_id", "");
  }
  int RunNode(const std::string& scenario, const json& config, std::string* out) {
    const std::filesystem::path file = std::filesystem::temp_directory_path() / ("sendguard-browser-" + scenario + "-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << config.dump();
    return testing::Shell("cd " + std::string(SENDGUARD_BROWSER_DIR) + " && timeout 300 node pages.mjs " + scenario + " " +
                              file.string() + " 2>&1",
                          out);
  }
};

TEST_F(BrowserTest, IgOfficerAssessesAndOnlyTheDpoRecordsTheIcoDecision) {
  testing::MilterDaemon milter("browser");  // for the admin page's live rule set
  CoreServer core("browser", "accounts_db: " + (std::filesystem::temp_directory_path() / ("sendguard-accounts-" +
                                                 std::to_string(::getpid()) + ".db")).string() +
                                 "\nmilter_url: http://127.0.0.1:" + std::to_string(milter.metrics_port()) +
                                 "\ndesk_url: http://127.0.0.1:" + std::to_string(milter.desk_port()) + "\n");
  AddUser(core, "ig1", "ig_officer");
  AddUser(core, "dpo1", "dpo");
  const std::string id = FileDraft(core);
  ASSERT_FALSE(id.empty());
  // Triaged a breach (over the API): its awareness is set to now, so correcting it in the form
  // needs a reason (the page must offer one).
  ASSERT_EQ(core.Request("PATCH", "/api/incidents/" + id, R"({"set": {"kind": "BREACH"}})", core.As("IG_OFFICER", "triage")).status,
            200);
  std::string out;
  const int rc = RunNode("ig",
                         {{"base", "http://127.0.0.1:" + std::to_string(core.port())},
                          {"password", kPassword},
                          {"chromium", "/usr/bin/chromium"},
                          {"artifacts", SENDGUARD_BROWSER_ARTIFACTS},
                          {"incident_title", "Email: Warned, then sent anyway"},
                          {"milter", true}},
                         &out);
  EXPECT_EQ(rc, 0) << out << core.Log();
  EXPECT_NE(out.find("ig: all checks passed"), std::string::npos) << out;
  EXPECT_TRUE(std::filesystem::exists(std::string(SENDGUARD_BROWSER_ARTIFACTS) + "/ig-dashboard.png"));
  EXPECT_TRUE(std::filesystem::exists(std::string(SENDGUARD_BROWSER_ARTIFACTS) + "/ig-admin.png"));
}

// A breach that did not come by email, filed and assessed in the pages alone.
TEST_F(BrowserTest, IgOfficerFilesANonEmailIncidentInThePages) {
  CoreServer core("browser-new", "accounts_db: " + (std::filesystem::temp_directory_path() / ("sendguard-accounts-new-" +
                                                     std::to_string(::getpid()) + ".db")).string() + "\n");
  AddUser(core, "ig1", "ig_officer");
  std::string out;
  const int rc = RunNode("new",
                         {{"base", "http://127.0.0.1:" + std::to_string(core.port())},
                          {"password", kPassword},
                          {"chromium", "/usr/bin/chromium"},
                          {"artifacts", SENDGUARD_BROWSER_ARTIFACTS}},
                         &out);
  EXPECT_EQ(rc, 0) << out << core.Log();
  EXPECT_NE(out.find("new: all checks passed"), std::string::npos) << out;
  auto listed = core.Request("GET", "/api/incidents", "", core.As("READER", "check")).Json();
  ASSERT_EQ(listed["incidents"].size(), 1u) << listed.dump();
  auto shown = core.Request("GET", "/api/incidents/" + listed["incidents"][0].value("incident_id", ""), "", core.As("READER", "check")).Json();
  EXPECT_EQ(shown["incident"]["behaviour"], "DELIBERATE");
  EXPECT_EQ(shown["incident"]["source"], "HUMAN_REPORT");
  EXPECT_EQ(shown["audit"][0]["by"]["id"], "ig1") << "filed as the signed-in officer";
}

// A case filed over the API by the IG team (a human report), with `fields` set; its id.
std::string FileCase(CoreServer& core, const json& fields) {
  json doc = {{"source", "HUMAN_REPORT"}};
  doc.update(fields);
  auto r = core.Request("POST", "/api/incidents", doc.dump(), core.As("IG_OFFICER", "setup"));
  EXPECT_EQ(r.status, 201) << r.body;
  return r.Json()["incident"].value("incident_id", "");
}

// The procedure from first report to closure, in the pages alone, each role signing in in turn
// (IG officer, the investigating officer by the link they were sent, the SIRO, the Caldicott
// Guardian, the DPO, an auditor). Screenshots of each step go to docs/IG-GUIDE.md.
TEST_F(BrowserTest, EveryRoleTakesAMailFilterDraftFromDraftToClosedInThePages) {
  const int smtp_port = testing::FreePort();
  // The staff directory the admin exports (synthetic people): the sender's directorate, service
  // and line manager, whom the pages suggest as the investigating officer.
  const auto directory = std::filesystem::temp_directory_path() / ("sendguard-directory-" + std::to_string(::getpid()) + ".csv");
  std::ofstream(directory)
      << "email,name,directorate,service_area,line_manager_name,line_manager_email,employee_id\r\n"
         "sam.okafor@council.example.gov.uk,Sam Okafor,Children's Services,Early Help,Lee Manager,"
         "lee.manager@council.example.gov.uk,E1001\r\n"
         "pat.jones@council.example.gov.uk,\"Jones, Pat\",Resources,Payroll,Lee Manager,lee.manager@council.example.gov.uk,E1002\r\n";
  CoreServer core("browser-walk", "accounts_db: " + (std::filesystem::temp_directory_path() / ("sendguard-accounts-walk-" +
                                                      std::to_string(::getpid()) + ".db")).string() +
                                      "\ndpo_contact: {name: Data Protection Officer, email: dpo@council.example.gov.uk, phone: "
                                      "\"01234 567890\"}\norganisation: {name: Example Borough Council, name_cy: Cyngor "
                                      "Bwrdeistref Enghraifft, address: \"Town Hall, High Street\", ico_registration: Z1234567}\n"
                                      "directory_file: " + directory.string() +
                                      // The officer's link goes by email: to the scenario's own SMTP sink.
                                      "\nnotifications:\n  email: {smtp_url: \"smtp://127.0.0.1:" + std::to_string(smtp_port) +
                                      "\", from: sendguard@council.example.gov.uk, to: ig-team@council.example.gov.uk}\n");
  for (const auto& [name, role] : std::vector<std::pair<std::string, std::string>>{
           {"ig1", "ig_officer"}, {"dpo1", "dpo"}, {"siro1", "siro"}, {"cg1", "caldicott_guardian"}, {"aud1", "auditor"}}) {
    AddUser(core, name, role);
  }
  const std::string id = FileDraft(core);
  ASSERT_FALSE(id.empty());
  const std::string other = FileCase(core, {{"title", "Letter to the wrong address"},
                                            {"investigating_officer", {{"id", "another.manager@council.example.gov.uk"},
                                                                       {"name", "Another Manager"}}}});
  std::string out;
  const int rc = RunNode("walk",
                         {{"base", "http://127.0.0.1:" + std::to_string(core.port())},
                          {"password", kPassword},
                          {"chromium", "/usr/bin/chromium"},
                          {"artifacts", SENDGUARD_BROWSER_ARTIFACTS},
                          {"incident", id},
                          {"other_incident", other},
                          {"smtp_port", smtp_port},
                          {"officer", "lee.manager@council.example.gov.uk"}},
                         &out);
  EXPECT_EQ(rc, 0) << out << core.Log();
  EXPECT_NE(out.find("walk: all checks passed"), std::string::npos) << out;
  // What the pages did, as the store has it: closed, each step by its own person.
  auto shown = core.Request("GET", "/api/incidents/" + id, "", core.As("READER", "check")).Json();
  EXPECT_EQ(shown["incident"]["status"], "CLOSED") << shown.dump();
  std::set<std::string> who;
  for (const auto& a : shown["audit"]) who.insert(a["by"].value("id", ""));
  for (const char* person : {"ig1", "dpo1", "siro1", "cg1", "lee.manager@council.example.gov.uk"}) {
    EXPECT_TRUE(who.count(person)) << person << " is in the audit trail";
  }
  // Two letters recorded, whom they went to as keyed hashes only; the families told.
  ASSERT_EQ(shown["incident"]["letters_sent"].size(), 2u) << shown.dump();
  EXPECT_TRUE(shown["incident"].contains("individuals_communicated_at"));
  EXPECT_EQ(shown.dump().find("Sample Road"), std::string::npos);
  EXPECT_EQ(shown.dump().find("rhys.parent@"), std::string::npos);
  // The PDFs the walk downloaded, turned into images (pdftoppm): pages with ink on them.
  for (const char* pdf : {"walk-letter-en", "walk-ico-report"}) {
    const std::string base = std::string(SENDGUARD_BROWSER_ARTIFACTS) + "/" + pdf;
    std::string log;
    ASSERT_EQ(testing::Shell("pdftoppm -png -r 60 " + base + ".pdf " + base + " 2>&1", &log), 0) << log;
    const auto first = std::filesystem::path(base + "-1.png");
    ASSERT_TRUE(std::filesystem::exists(first)) << log;
    EXPECT_GT(std::filesystem::file_size(first), 8000u) << "a page with text on it, not a blank";
  }
}

// Need to know for a scoped IG officer (user add --directorate).
TEST_F(BrowserTest, AScopedIgOfficerSeesOnlyTheirDirectoratesCases) {
  CoreServer core("browser-scoped", "accounts_db: " + (std::filesystem::temp_directory_path() / ("sendguard-accounts-scoped-" +
                                                        std::to_string(::getpid()) + ".db")).string() + "\n");
  AddUser(core, "igchildren", "ig_officer", "--directorate \"Children's Services\"");
  FileCase(core, {{"title", "Case notes left on a train"}, {"s2_directorate", "Children's Services"}});
  const std::string other = FileCase(core, {{"title", "Care plan posted to a neighbour"}, {"s2_directorate", "Adult Social Care"}});
  std::string out;
  const int rc = RunNode("scoped",
                         {{"base", "http://127.0.0.1:" + std::to_string(core.port())},
                          {"password", kPassword},
                          {"chromium", "/usr/bin/chromium"},
                          {"artifacts", SENDGUARD_BROWSER_ARTIFACTS},
                          {"mine_title", "Case notes left on a train"},
                          {"other_title", "Care plan posted to a neighbour"},
                          {"other_incident", other}},
                         &out);
  EXPECT_EQ(rc, 0) << out << core.Log();
  EXPECT_NE(out.find("scoped: all checks passed"), std::string::npos) << out;
}

// Single sign-on: the proxy's header names the user, the local account gives the role; the
// header counts only on a request carrying the proxy's shared secret, and a changed header is a
// new session.
std::string SsoConfig(const std::string& name, const std::string& extra) {
  const auto secret = std::filesystem::temp_directory_path() / ("sendguard-sso-secret-" + name + "-" + std::to_string(::getpid()));
  std::ofstream(secret) << kProxySecret << "\n";
  return "accounts_db: " + (std::filesystem::temp_directory_path() / ("sendguard-accounts-" + name + "-" + std::to_string(::getpid()) + ".db")).string() +
         "\nsingle_sign_on:\n  user_header: X-Forwarded-User\n  proxy_secret_file: " + secret.string() + "\n" + extra;
}

TEST_F(BrowserTest, SingleSignOnBelievesTheProxysHeaderOnlyWithTheProxysSecret) {
  CoreServer core("browser-sso", SsoConfig("sso", "  logout_url: https://sso.council.example.gov.uk/oauth2/sign_out\n"));
  const std::string ig = "ig.one@council.example.gov.uk", dpo = "dpo.one@council.example.gov.uk";
  AddSsoUser(core, ig, "ig_officer");
  AddSsoUser(core, dpo, "dpo");
  const std::string id = FileDraft(core);
  const std::string form = "Content-Type: application/x-www-form-urlencoded";
  const std::string proxy = std::string("X-Sso-Proxy-Secret: ") + kProxySecret;
  EXPECT_EQ(core.Request("GET", "/", "", {proxy}).status, 401) << "no header, no session";
  EXPECT_EQ(core.Request("GET", "/login", "", {proxy}).status, 303) << "no password form under single sign-on";
  auto stranger = core.Request("GET", "/", "", {proxy, "X-Forwarded-User: someone.else@council.example.gov.uk"});
  EXPECT_EQ(stranger.status, 403);
  EXPECT_NE(stranger.body.find("has no role in sendguard"), std::string::npos) << stranger.body;
  // The IG officer: straight in, a session cookie, and forms that carry its token.
  auto page = core.Request("GET", "/incidents/" + id, "", {proxy, "X-Forwarded-User: " + ig});
  ASSERT_EQ(page.status, 200) << page.body << core.Log();
  EXPECT_NE(page.body.find("(IG officer)"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page.headers, m, std::regex("sg_session=([0-9a-f]{64}); Path=/; HttpOnly; SameSite=Strict")))
      << page.headers;
  const std::string cookie = "Cookie: sg_session=" + std::string(m[1]);
  ASSERT_TRUE(std::regex_search(page.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  const std::string csrf = m[1];
  auto assessed = core.Request("POST", "/incidents/" + id + "/grid", "csrf=" + csrf + "&cell=4,4&nhs_rationale=Twelve+NHS+numbers",
                               {form, cookie, proxy, "X-Forwarded-User: " + ig});
  EXPECT_EQ(assessed.status, 303) << assessed.body;
  auto shown = core.Request("GET", "/api/incidents/" + id, "", core.As("IG_OFFICER", "reader")).Json();
  EXPECT_EQ(shown["incident"].value("nhs_likelihood", 0), 4) << shown.dump();
  EXPECT_NE(shown["audit"].dump().find(ig), std::string::npos) << "the audit trail names the signed-in user";
  // The same cookie with the header naming someone else is their session, not the old one's.
  auto switched = core.Request("GET", "/", "", {cookie, proxy, "X-Forwarded-User: " + dpo});
  ASSERT_EQ(switched.status, 200);
  EXPECT_NE(switched.body.find("(DPO)"), std::string::npos);
  EXPECT_EQ(core.Request("POST", "/incidents/" + id + "/grid", "csrf=" + csrf + "&cell=1,1&nhs_rationale=x",
                         {form, cookie, proxy, "X-Forwarded-User: " + dpo}).status, 403)
      << "the old session's token is not the new one's";
  // Log out goes to the proxy's sign-out.
  ASSERT_TRUE(std::regex_search(switched.headers, m, std::regex("sg_session=([0-9a-f]{64})")));
  const std::string dpo_cookie = "Cookie: sg_session=" + std::string(m[1]);
  ASSERT_TRUE(std::regex_search(switched.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  auto out = core.Request("POST", "/logout", "csrf=" + std::string(m[1]), {form, dpo_cookie, proxy, "X-Forwarded-User: " + dpo});
  EXPECT_EQ(out.status, 303);
  EXPECT_NE(out.headers.find("Location: https://sso.council.example.gov.uk/oauth2/sign_out"), std::string::npos) << out.headers;
}

// Any local process can connect from loopback: without the proxy's secret the header names
// nobody, whatever the address.
TEST_F(BrowserTest, SingleSignOnRefusesTheHeaderWithoutTheProxysSecret) {
  CoreServer core("browser-sso-untrusted", SsoConfig("sso-u", ""));
  AddSsoUser(core, "ig.one@council.example.gov.uk", "ig_officer");
  for (const std::string secret : {"", "X-Sso-Proxy-Secret: not-the-secret-at-all"}) {
    std::vector<std::string> headers = {"X-Forwarded-User: ig.one@council.example.gov.uk"};
    if (!secret.empty()) headers.push_back(secret);
    auto direct = core.Request("GET", "/", "", headers);
    EXPECT_EQ(direct.status, 403) << direct.body;
    EXPECT_EQ(direct.headers.find("sg_session="), std::string::npos) << "no session without the proxy's secret";
  }
  EXPECT_EQ(core.Request("GET", "/login").status, 403) << "no password form either unless password_login is kept";
}

// With password_login kept, a password account still logs in (break-glass), and a single
// sign-on account has no password to log in with.
TEST_F(BrowserTest, SingleSignOnKeepsABreakGlassPasswordButSsoAccountsHaveNone) {
  CoreServer core("browser-sso-glass", SsoConfig("sso-g", "  password_login: true\n"));
  AddSsoUser(core, "ig.one@council.example.gov.uk", "ig_officer");
  AddUser(core, "dpo-glass", "dpo");
  auto login = core.Request("GET", "/login");
  ASSERT_EQ(login.status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(login.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  const std::string csrf = m[1];
  ASSERT_TRUE(std::regex_search(login.headers, m, std::regex("sg_login=([0-9a-f]+)")));
  const std::vector<std::string> headers = {"Content-Type: application/x-www-form-urlencoded", "Cookie: sg_login=" + std::string(m[1])};
  EXPECT_EQ(core.Request("POST", "/login", "csrf=" + csrf + "&name=ig.one%40council.example.gov.uk&password=%21sso", headers).status,
            401);
  auto glass = core.Request("POST", "/login", "csrf=" + csrf + "&name=dpo-glass&password=correct+horse+battery+staple", headers);
  ASSERT_EQ(glass.status, 303) << glass.body;
  ASSERT_TRUE(std::regex_search(glass.headers, m, std::regex("sg_session=([0-9a-f]{64})")));
  auto page = core.Request("GET", "/", "", {"Cookie: sg_session=" + std::string(m[1])});
  EXPECT_EQ(page.status, 200) << "the password session works without the proxy's header";
  EXPECT_NE(page.body.find("(DPO)"), std::string::npos);
  auto spoofed = core.Request("GET", "/", "", {"X-Forwarded-User: ig.one@council.example.gov.uk"});
  EXPECT_EQ(spoofed.status, 303) << "without the proxy's secret the header is ignored: the login form, not a session";
  EXPECT_EQ(spoofed.headers.find("sg_session="), std::string::npos);
}

TEST_F(BrowserTest, PagesRefuseRequestsWithoutASessionOrWithABadCsrfToken) {
  CoreServer core("browser-refuse", "accounts_db: " + (std::filesystem::temp_directory_path() / ("sendguard-accounts-r-" +
                                                        std::to_string(::getpid()) + ".db")).string() +
                                        "\ntrusted_proxies: [127.0.0.1]\n");
  AddUser(core, "ig1", "ig_officer");
  const std::string id = FileDraft(core);
  const std::vector<std::string> form = {"Content-Type: application/x-www-form-urlencoded"};
  // No session: pages redirect to the login, actions are refused.
  auto page = core.Request("GET", "/incidents/" + id);
  EXPECT_EQ(page.status, 303);
  EXPECT_NE(page.headers.find("Location: /login"), std::string::npos) << page.headers;
  EXPECT_EQ(core.Request("POST", "/incidents/" + id + "/grid", "cell=4,4&nhs_rationale=x", form).status, 401);
  // Login needs the form's token to match its cookie.
  auto login = core.Request("GET", "/login");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(login.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\"")));
  const std::string login_csrf = m[1];
  ASSERT_TRUE(std::regex_search(login.headers, m, std::regex("sg_login=([0-9a-f]+)")));
  const std::string login_cookie = m[1];
  EXPECT_EQ(core.Request("POST", "/login", "csrf=" + login_csrf + "&name=ig1&password=" + std::string(kPassword), form).status,
            403)
      << "no cookie";
  auto in = core.Request("POST", "/login", "csrf=" + login_csrf + "&name=ig1&password=correct+horse+battery+staple",
                         {form[0], "Cookie: sg_login=" + login_cookie});
  ASSERT_EQ(in.status, 303) << in.body;
  ASSERT_TRUE(std::regex_search(in.headers, m, std::regex("sg_session=([0-9a-f]{64}); Path=/; HttpOnly; SameSite=Strict")))
      << in.headers;
  const std::string session = "Cookie: sg_session=" + std::string(m[1]);
  // With a session but a bad CSRF token: refused, nothing changed.
  auto forged = core.Request("POST", "/incidents/" + id + "/grid", "csrf=00&cell=4,4&nhs_rationale=x", {form[0], session});
  EXPECT_EQ(forged.status, 403);
  auto shown = core.Request("GET", "/api/incidents/" + id, "", core.As("IG_OFFICER", "reader"));
  EXPECT_FALSE(shown.Json()["incident"].contains("nhs_likelihood")) << "the forged form changed nothing";
  // Five wrong passwords from one address make that address wait before trying the name again,
  // even with the right one; the same name from another address is not held back.
  for (int i = 0; i < 5; ++i) {
    core.Request("POST", "/login", "csrf=" + login_csrf + "&name=ig1&password=wrong", {form[0], "Cookie: sg_login=" + login_cookie});
  }
  EXPECT_EQ(core.Request("POST", "/login", "csrf=" + login_csrf + "&name=ig1&password=correct+horse+battery+staple",
                         {form[0], "Cookie: sg_login=" + login_cookie})
                .status,
            401);
  EXPECT_EQ(core.Request("POST", "/login", "csrf=" + login_csrf + "&name=ig1&password=correct+horse+battery+staple",
                         {form[0], "Cookie: sg_login=" + login_cookie, "X-Forwarded-For: 203.0.113.50"})
                .status,
            303)
      << "another address (as the trusted proxy forwards it) logs in";
  // Twenty failures from one address (as the trusted proxy forwards it), across names, stop that
  // address trying any name for a while; other addresses are not affected.
  AddUser(core, "ig2", "ig_officer");
  auto try_login = [&](const std::string& name, const std::string& password, const std::string& address) {
    return core.Request("POST", "/login", "csrf=" + login_csrf + "&name=" + name + "&password=" + password,
                        {form[0], "Cookie: sg_login=" + login_cookie, "X-Forwarded-For: 198.51.100.1, " + address}).status;
  };
  for (int i = 0; i < 20; ++i) EXPECT_EQ(try_login("guess" + std::to_string(i), "Summer2026!!!", "203.0.113.7"), 401);
  EXPECT_EQ(try_login("ig2", "correct+horse+battery+staple", "203.0.113.7"), 401) << "the address is throttled";
  EXPECT_EQ(try_login("ig2", "correct+horse+battery+staple", "203.0.113.8"), 303) << "another address is not";
}

}  // namespace
}  // namespace sendguard
