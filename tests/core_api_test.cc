// SPDX-License-Identifier: Apache-2.0
// The assessment core's HTTP API against the real sendguard-core process and a real SQLite
// file: a breach from draft to reported over HTTP, and bad requests answered with a 4xx that
// names the field and the reason (unknown field, wrong type, illegal status change, wrong
// role, oversized body, bad JSON, no identity, unknown routes and methods).
#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <sstream>

#include "core/core_harness.h"
#include "sendguard/common/http_server.h"

namespace sendguard::testing {
namespace {

using nlohmann::json;

// Each role's token, made when the suite's core starts.
std::vector<std::string> kIg, kDpo, kIo;

class CoreApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    core_ = new CoreServer("api", "dpo_contact: {name: The DPO, email: dpo@council.example.gov.uk}\n");
    kIg = core_->As("IG_OFFICER", "ig1");
    kDpo = core_->As("DPO", "dpo1");
    kIo = core_->As("INVESTIGATING_OFFICER", "lm1");
  }
  static void TearDownTestSuite() {
    delete core_;
    core_ = nullptr;
  }
  std::string CreateBreach(const std::string& title) {
    auto r = core_->Request("POST", "/api/incidents", json{{"title", title}, {"kind", "BREACH"},
                                                           {"s1_aware_local", "2026-11-20T09:00"}}.dump(), kIg);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json()["incident"]["incident_id"];
  }
  static std::string FirstReason(const HttpResult& r) { return r.Json()["errors"][0]["reason"]; }
  static std::string FirstField(const HttpResult& r) { return r.Json()["errors"][0]["field"]; }
  static inline CoreServer* core_ = nullptr;
};

TEST_F(CoreApiTest, ABreachOverHttpFromDraftToUnderInvestigation) {
  std::string id = CreateBreach("Referral list to the wrong address");
  auto shown = core_->Request("GET", "/api/incidents/" + id, "", kIg);
  ASSERT_EQ(shown.status, 200);
  EXPECT_EQ(shown.Json()["derived"]["clocks"]["ICO_72H"]["due"], "2026-11-23T09:00Z");
  auto patched = core_->Request("PATCH", "/api/incidents/" + id,
                                json{{"set", {{"incident_number", "IG-2026-0101"}, {"s1_name", "A Manager"},
                                              {"s1_email", "a.manager@council.example.gov.uk"},
                                              {"investigating_officer", {{"id", "token:lm1"}, {"name", "Line Manager"}}}}}}.dump(),
                                kIg);
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json()["incident"]["office_logged"], "YES");
  auto moved = core_->Request("POST", "/api/incidents/" + id + "/transition", R"({"to": "UNDER_INVESTIGATION"})", kIg);
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.Json()["incident"]["status"], "UNDER_INVESTIGATION");
  // The investigating officer proposes likelihood and impact; an assessment field is refused.
  EXPECT_EQ(core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"nhs_likelihood": 3, "nhs_impact": 2, "nhs_rationale": "opened"}})", kIo).status, 200);
  auto refused = core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"enisa_ei": "MAXIMUM"}})", kIo);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(FirstField(refused), "enisa_ei");
  auto noted = core_->Request("POST", "/api/incidents/" + id + "/notes", R"({"text": "Recipient phoned back."})", kIg);
  EXPECT_EQ(noted.status, 200);
  auto action = core_->Request("POST", "/api/incidents/" + id + "/actions",
                               R"({"description": "Refresher training for the team", "due": "2026-12-15"})", kIg);
  ASSERT_EQ(action.status, 200) << action.body;
  EXPECT_EQ(action.Json()["incident"]["action_plan"].size(), 1u);
  auto list = core_->Request("GET", "/api/incidents?status=UNDER_INVESTIGATION", "", kIg);
  ASSERT_EQ(list.status, 200);
  bool found = false;
  const json listed = list.Json();
  for (const auto& i : listed["incidents"]) found |= i["incident_id"] == id;
  EXPECT_TRUE(found) << list.body;
}

TEST_F(CoreApiTest, UnknownFieldsAndWrongTypesAreNamed) {
  auto r = core_->Request("POST", "/api/incidents", R"({"title": "x", "s7_individuals": 3})", kIg);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FirstField(r), "s7_individuals");
  EXPECT_EQ(FirstReason(r), "unknown field");
  std::string id = CreateBreach("types");
  r = core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"s7_individuals_affected": "many"}})", kIg);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FirstField(r), "s7_individuals_affected");
  EXPECT_NE(FirstReason(r).find("whole number"), std::string::npos);
  r = core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {}, "colour": "red"})", kIg);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FirstField(r), "colour");
  r = core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"title": "y"}, "version": "one"})", kIg);
  EXPECT_EQ(FirstField(r), "version");
}

TEST_F(CoreApiTest, IllegalStatusChangesAndWrongRolesAreRefused) {
  std::string id = CreateBreach("lifecycle");
  auto r = core_->Request("POST", "/api/incidents/" + id + "/transition", R"({"to": "CLOSED"})", kIg);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(FirstReason(r).find("guard 3"), std::string::npos) << r.body;
  r = core_->Request("POST", "/api/incidents/" + id + "/transition", R"({"to": "FINISHED"})", kIg);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(FirstField(r), "status");
  r = core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"dpo_ico_decision": "REPORT"}})", kIg);
  EXPECT_EQ(r.status, 403);
  EXPECT_NE(FirstReason(r).find("only the DPO"), std::string::npos);
  r = core_->Request("PATCH", "/api/incidents/" + id,
                     R"({"set": {"dpo_ico_decision": "REPORT", "dpo_ico_rationale": "Health data of children."}})", kDpo);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["incident"]["dpo_ico_decided_by"]["name"], "dpo1 (token)");
  EXPECT_EQ(r.Json()["incident"]["dpo_ico_decided_by"]["id"], "token:dpo1");
  r = core_->Request("PATCH", "/api/incidents/" + id, R"({"set": {"ico_submissions": []}})", kIo);
  EXPECT_EQ(r.status, 403);
}

TEST_F(CoreApiTest, MalformedRequests) {
  EXPECT_EQ(core_->Request("POST", "/api/incidents", std::string(2 << 20, 'x'), kIg).status, 413);
  auto r = core_->Request("POST", "/api/incidents", "{not json", kIg);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(FirstReason(r).find("not valid JSON"), std::string::npos);
  EXPECT_EQ(core_->Request("POST", "/api/incidents", "[1,2]", kIg).status, 400);
  EXPECT_EQ(core_->Request("POST", "/api/incidents", "", kIg).status, 400);
  r = core_->Request("GET", "/api/incidents", "", {});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", {"Authorization: Bearer sgt_" + std::string(64, '0')}).status, 401);
  EXPECT_EQ(core_->Request("GET", "/api/incidents", "", {"Authorization: Basic aWcxOnB3"}).status, 401);
  EXPECT_EQ(core_->Request("GET", "/api/incidents/00000000-0000-4000-8000-000000000000", "", kIg).status, 404);
  EXPECT_EQ(core_->Request("DELETE", "/api/incidents", "", kIg).status, 405);
  EXPECT_EQ(core_->Request("GET", "/api/nothing-here", "", kIg).status, 404);
  EXPECT_EQ(core_->Request("GET", "/api/incidents?status=OPEN", "", kIg).status, 400);
  EXPECT_EQ(core_->Request("GET", "/api/reports/committee?from=2026-01-01&to=2025-01-01", "", kIg).status, 400);
}

TEST_F(CoreApiTest, CommitteeReportInEveryFormat) {
  CreateBreach("report row");
  auto j = core_->Request("GET", "/api/reports/committee?from=2026-11-01&to=2026-12-01", "", kIg);
  ASSERT_EQ(j.status, 200) << j.body;
  EXPECT_EQ(j.Json()["tables"][0]["id"], "M1");
  EXPECT_GE(j.Json()["tables"][0]["rows"][0]["current"].get<int>(), 1);
  auto csv = core_->Request("GET", "/api/reports/committee?from=2026-11-01&to=2026-12-01&format=csv", "", kIg);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("table,metric,current", 0), 0u);
  auto html = core_->Request("GET", "/api/reports/committee?from=2026-11-01&to=2026-12-01&format=html", "", kIg);
  EXPECT_NE(html.body.find("<svg"), std::string::npos);
  EXPECT_EQ(core_->Request("GET", "/api/reports/committee?from=2026-11-01&to=2026-12-01&format=pdf", "", kIg).status, 400);
}

TEST_F(CoreApiTest, RecallAssistDraftsTheDeletionRequestAndRecordsTheConfirmation) {
  std::string id = CreateBreach("Wrong recipient");
  auto r = core_->Request("GET", "/api/incidents/" + id + "/deletion-request", "", kIg);
  EXPECT_EQ(r.status, 409);  // not marked as an email to the wrong recipient yet
  ASSERT_EQ(core_->Request("PATCH", "/api/incidents/" + id,
                           R"({"set": {"s4_types": ["INCORRECT_RECIPIENT"], "incident_number": "IG-2026-0202"}})", kIg).status, 200);
  r = core_->Request("GET", "/api/incidents/" + id + "/deletion-request", "", kIg);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.Json()["subject"].get<std::string>().find("IG-2026-0202"), std::string::npos);
  EXPECT_NE(r.Json()["body"].get<std::string>().find("reply to this message to confirm"), std::string::npos);
  r = core_->Request("POST", "/api/incidents/" + id + "/deletion-confirmed",
                     R"({"confirmation": "Deleted from inbox and deleted items, 10:12."})", kIg);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["incident"]["containment"][0], "RECOVERED_OR_DESTROYED_CONFIRMED");
  EXPECT_NE(r.Json()["audit"].back()["reason"].get<std::string>().find("recipient confirmed deletion"), std::string::npos);
  EXPECT_EQ(core_->Request("POST", "/api/incidents/" + id + "/deletion-confirmed", R"({})", kIg).status, 400);
}

TEST_F(CoreApiTest, WhatIfScoreEndpoint) {
  auto r = core_->Request("POST", "/api/score", R"({"nhs_likelihood": 3, "nhs_impact": 4, "s6_data_categories": ["HEALTH"]})", kIg);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["nhs_result"]["region"], "REPORTABLE_ICO_DHSC");
  EXPECT_EQ(core_->Request("POST", "/api/score", R"({"nhs_likelihood": 7})", kIg).status, 400);
}

// The core's log, as a SIEM reads it: every event one line, with time and program (here a
// start, a warning about a missing token file, a page that fails, and the stop).
TEST(CoreLog, EveryEventIsOneLineWithTimeAndProgram) {
  CoreServer core("log", "desk_url: http://127.0.0.1:9\n", 0, /*start=*/false);
  std::filesystem::remove(core.milter_token_file());  // warned about at start, on one line
  core.Start();
  EXPECT_EQ(core.Request("GET", "/healthz").status, 200);
  core.Stop();
  std::istringstream lines(core.Log());
  std::string line;
  int n = 0;
  bool warned = false, stopped = false;
  const std::regex event(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:?\d\d sendguard-core\[\d+\] (info|warning|error): .+$)");
  while (std::getline(lines, line)) {
    ++n;
    EXPECT_TRUE(std::regex_match(line, event)) << "not one event with time and program: " << line;
    warned |= line.find("warning: milter_token_file:") != std::string::npos;
    stopped |= line.find("info: stopping on signal") != std::string::npos;
  }
  EXPECT_GE(n, 3) << core.Log();
  EXPECT_TRUE(warned) << core.Log();
  EXPECT_TRUE(stopped) << core.Log();
}

TEST(CoreNotifications, AWebhookHearsOfANewDraft) {
  std::mutex mu;
  std::vector<std::string> bodies;
  auto receiver = common::HttpServer::Start("127.0.0.1:0", [&](const common::HttpRequest& r) {
    std::lock_guard lock(mu);
    bodies.push_back(r.body);
    return common::HttpResponse{};
  });
  ASSERT_TRUE(receiver.ok());
  CoreServer core("notify", "notifications:\n  poll_seconds: 5\n  webhooks: [{url: \"http://127.0.0.1:" +
                                std::to_string((*receiver)->port()) + "/hook\", format: slack}]\n");
  auto r = core.Request("POST", "/api/incidents", R"({"title": "Lost bag", "kind": "NEAR_MISS"})", core.As("IG_OFFICER", "ig1"));
  ASSERT_EQ(r.status, 201);
  bool heard = false;
  for (int i = 0; i < 100 && !heard; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::lock_guard lock(mu);
    for (const auto& b : bodies) heard |= b.find("New NEAR_MISS draft") != std::string::npos;
  }
  EXPECT_TRUE(heard) << core.Log();
}

// What the IG team sends out, over HTTP: the letter draft and the letter (the IG team and the
// DPO only; a final letter before it is recorded; bad bodies named), the ICO report (any role
// that may see the case; a bad layout or format named), the subject access search (POST only,
// the IG team only).
TEST_F(CoreApiTest, LettersTheIcoReportAndTheSubjectAccessSearchAreGuardedAndChecked) {
  const std::string id = CreateBreach("Letters over HTTP");
  const std::string base = "/api/incidents/" + id;
  const auto siro = core_->As("SIRO", "siro-letters"), reader = core_->As("READER", "reader-letters");
  EXPECT_EQ(core_->Request("GET", base + "/letter-draft", "", siro).status, 403);
  EXPECT_EQ(core_->Request("GET", base + "/letter-draft", "", reader).status, 403);
  auto draft = core_->Request("GET", base + "/letter-draft?language=cy", "", kIg);
  ASSERT_EQ(draft.status, 200) << draft.body;
  EXPECT_EQ(draft.Json()["language"], "cy");
  EXPECT_FALSE(draft.Json()["gaps"].empty());
  EXPECT_EQ(core_->Request("GET", base + "/letter-draft?language=fr", "", kIg).status, 400);
  const json to = {{"name", "Mrs A Example"}, {"address", "1 Road\nTown"}};
  auto preview = core_->Request("POST", base + "/letter", json{{"format", "pdf"}, {"addressee", to}}.dump(), kIg);
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(preview.body.rfind("%PDF-", 0), 0u);
  EXPECT_NE(preview.headers.find("Content-Disposition: attachment"), std::string::npos) << preview.headers;
  auto early = core_->Request("POST", base + "/letter", json{{"record", "POST"}, {"addressee", to}}.dump(), kIg);
  EXPECT_EQ(early.status, 409) << "a draft cannot be sent";
  EXPECT_EQ(FirstField(early), "letter_draft");
  for (const json& bad : {json{{"format", "docx"}}, json{{"record", "FAX"}}, json{{"addressee", "Mrs A"}},
                          json{{"addressee", {{"phone", "1"}}}}, json{{"representative_role", "UNCLE"}},
                          json{{"representative_role", "PARENT"}, {"addressee", to}}, json{{"colour", "red"}}}) {
    auto r = core_->Request("POST", base + "/letter", bad.dump(), kIg);
    EXPECT_EQ(r.status, 400) << bad.dump() << " " << r.body;
  }
  EXPECT_EQ(core_->Request("POST", base + "/letter", json{{"addressee", to}}.dump(), siro).status, 403);
  // Final, then posted: recorded with a keyed hash; the email version needs the core's email.
  json words = {{"en", {{"nature", "x"}, {"consequences", "y"}, {"measures", "z"}, {"final", true}}}};
  ASSERT_EQ(core_->Request("PATCH", base, json{{"set", {{"letter_draft", words}}}}.dump(), kIg).status, 200);
  auto undecided = core_->Request("POST", base + "/letter", json{{"record", "POST"}, {"addressee", to}}.dump(), kIg);
  EXPECT_EQ(undecided.status, 409) << "letters follow the DPO's decision to tell people";
  EXPECT_EQ(FirstField(undecided), "dpo_individuals_decision");
  auto preview_final = core_->Request("POST", base + "/letter", json{{"format", "text"}, {"addressee", to}}.dump(), kIg);
  EXPECT_NE(preview_final.body.find("PREVIEW (not recorded)"), std::string::npos) << "a preview is never the letter to send";
  ASSERT_EQ(core_->Request("PATCH", base, json{{"set", {{"dpo_individuals_decision", "COMMUNICATE_DIRECTLY"},
                                                         {"dpo_individuals_rationale", "High risk to the families."}}}}.dump(), kDpo)
                .status,
            200);
  auto posted = core_->Request("POST", base + "/letter", json{{"record", "POST"}, {"addressee", to}}.dump(), kIg);
  ASSERT_EQ(posted.status, 200) << posted.body;
  EXPECT_NE(posted.headers.find("X-Sendguard-Letter: L1"), std::string::npos) << posted.headers;
  auto emailed = core_->Request("POST", base + "/letter",
                                json{{"record", "EMAIL"}, {"addressee", {{"email", "a@example.org"}}}}.dump(), kIg);
  EXPECT_EQ(emailed.status, 503) << emailed.body;
  auto shown = core_->Request("GET", base, "", kIg).Json();
  ASSERT_EQ(shown["incident"]["letters_sent"].size(), 1u);
  EXPECT_EQ(shown["incident"]["letters_sent"][0]["addressee_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(shown.dump().find("1 Road"), std::string::npos) << "the address is not kept";
  // The ICO report.
  auto report = core_->Request("GET", base + "/ico-report", "", reader);
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(report.Json()["layout"], "ico");
  EXPECT_EQ(core_->Request("GET", base + "/ico-report?layout=fbi", "", kIg).status, 400);
  EXPECT_EQ(core_->Request("GET", base + "/ico-report?format=xls", "", kIg).status, 400);
  EXPECT_EQ(core_->Request("GET", base + "/ico-report?format=pdf&layout=dspt", "", kIg).body.rfind("%PDF-", 0), 0u);
  EXPECT_EQ(core_->Request("GET", base + "/ico-report", "", kIo).status, 403) << "not the officer's case";
  // The subject access search.
  EXPECT_EQ(core_->Request("GET", "/api/subject-access?address=a@b.c", "", kIg).status, 405);
  EXPECT_EQ(core_->Request("POST", "/api/subject-access", R"({"address": "a@b.c"})", siro).status, 403);
  EXPECT_EQ(core_->Request("POST", "/api/subject-access", R"({"address": "x"})", kIg).status, 400);
  EXPECT_EQ(core_->Request("POST", "/api/subject-access", R"({"name": "x"})", kIg).status, 400);
  auto found = core_->Request("POST", "/api/subject-access", R"({"address": "1 Road Town"})", kDpo);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_NE(found.body.find(id), std::string::npos) << "the posted letter's address, by keyed hash: " << found.body;
}

TEST(CoreConfigFile, BadKeysCarryFileAndLine) {
  auto dir = std::filesystem::temp_directory_path() / ("sendguard-core-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "core.yaml") << "listen: 127.0.0.1:1\nassessment:\n  primary_method: COIN_TOSS\n  colour: red\n"
                                      "notifications:\n  webhooks: [{url: ftp://x, format: pager}]\n"
                                      "  email: {smtp_url: \"http://mail\", from: a@b.c, to: d@e.f}\n"
                                      "single_sign_on:\n  user_header: \"X Forwarded User\"\ntrusted_proxies: [10.0.0.0/8]\n";
  std::string out;
  int rc = Shell(std::string(SENDGUARD_CORE_BIN) + " --check-config --config " + (dir / "core.yaml").string() + " 2>&1", &out);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("core.yaml:4: unknown key 'colour'"), std::string::npos) << out;
  EXPECT_NE(out.find("core.yaml:3: primary_method must be NHS_GRID or ENISA_STROUD"), std::string::npos) << out;
  EXPECT_NE(out.find("core.yaml:6: format must be generic, teams or slack"), std::string::npos) << out;
  EXPECT_NE(out.find("core.yaml:6: a webhook url starts with http:// or https://"), std::string::npos) << out;
  EXPECT_NE(out.find("core.yaml:7: smtp_url starts with smtp:// or smtps://"), std::string::npos) << out;
  EXPECT_NE(out.find("core.yaml:9: user_header is a header name"), std::string::npos) << out;
  EXPECT_NE(out.find("core.yaml:10: '10.0.0.0/8' is not an IP address"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sendguard::testing
