// SPDX-License-Identifier: Apache-2.0
// The milter hands incident drafts to the real assessment core through its durable outbox:
// blocked sends become near-miss drafts; with the core stopped under load nothing is lost,
// and after it returns every draft is filed exactly once; no identifier reaches the core's
// database, the milter's state or either log. A sender's self-report becomes a breach draft.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>

#include "core/core_harness.h"
#include "e2e/no_identifiers.h"
#include "milter/daemon_harness.h"
#include "milter/milter_lua.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

using namespace testing::lua;
using nlohmann::json;



class IncidentHandoverTest : public ::testing::Test {
 protected:
  IncidentHandoverTest() {
    synth::Rng rng(8088);
    for (int i = 0; i < 6; ++i) nhs_.push_back(synth::NhsNumber(rng));
    sensitive_ = "Dear Jo,\r\nThe safeguarding referrals, with their mental health notes:\r\n";
    for (const auto& n : nhs_) sensitive_ += "NHS number " + synth::Grouped(n, {3, 3, 4}, ' ') + " diagnosis: psychosis\r\n";
  }
  // `count` blocked sends (identifiers to a lookalike of the council's domain), one connection.
  int SendBlocked(testing::MilterDaemon& d, int first, int count) {
    std::string lua = Connect();
    for (int i = first; i < first + count; ++i) {
      Msg m;
      m.to = {"jo@counci1.example.gov.uk"};
      m.body = sensitive_;
      m.qid = "H" + std::to_string(i);
      lua += SendLua(m) + kRejected;
    }
    lua += "mt.disconnect(conn)\n";
    std::string out;
    int rc = d.RunScript(lua, &out);
    EXPECT_EQ(rc, 0) << out << d.Log();
    return rc;
  }
  std::vector<json> Incidents(testing::CoreServer& core) {
    auto r = core.Request("GET", "/api/incidents?sort=created", "", core.As("IG_OFFICER", "ig1"));
    EXPECT_EQ(r.status, 200) << r.body;
    const json listed = r.Json();
    std::vector<json> out;
    if (listed.contains("incidents")) out.assign(listed["incidents"].begin(), listed["incidents"].end());
    return out;
  }
  void ExpectNoIdentifier(const std::string& text, const std::string& where) {
    testing::ExpectNoNhsNumber(text, nhs_, where);
    for (const auto& n : nhs_) {
      // Nor a masked value (masks keep the last four digits): four bare digits alone would
      // match timestamps and binary pages by chance, so the mask's stars are part of the search.
      for (const char* before : {"*", "* ", "*-"}) {
        EXPECT_EQ(text.find(before + n.substr(6)), std::string::npos) << where << ": a masked value, last four digits";
      }
    }
  }
  std::vector<std::string> nhs_;
  std::string sensitive_;
};

// The outage lasts SENDGUARD_OUTAGE_SECONDS (default 4, with the retry backoff capped at 2 s so
// the suite stays quick). Set it to 600 for the issue's ten minutes under load: the milter then
// keeps its shipped backoff (doubling to 300 s) and mail keeps arriving throughout.
TEST_F(IncidentHandoverTest, CoreStoppedUnderLoadLosesNothingAndFilesNothingTwice) {
  const char* env = std::getenv("SENDGUARD_OUTAGE_SECONDS");
  const int outage = env ? std::max(1, std::atoi(env)) : 4;
  const bool shipped_backoff = outage >= 60;
  testing::CoreServer core("handover");
  testing::MilterDaemon milter("handover",
                               "organisation:\n  internal_domains: [council.example.gov.uk]\ncore_url: http://127.0.0.1:" +
                                   std::to_string(core.port()) + "\ncore_token_file: " + core.milter_token_file().string() + "\n",
                               shipped_backoff ? "" : "  outbox_retry_max_seconds: 2\n");
  ASSERT_EQ(SendBlocked(milter, 0, 8), 0);
  for (int i = 0; i < 100 && Incidents(core).size() < 8; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(Incidents(core).size(), 8u) << milter.Log();

  // The core goes away while mail keeps flowing: the milter still answers every message.
  core.Stop();
  const auto back = std::chrono::steady_clock::now() + std::chrono::seconds(outage);
  int sent = 8;
  do {
    const int batch = shipped_backoff ? 4 : 12;
    ASSERT_EQ(SendBlocked(milter, sent, batch), 0);
    sent += batch;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(back - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(left, std::chrono::seconds(20)));  // retries meet a closed port
  } while (std::chrono::steady_clock::now() < back);
  EXPECT_NE(milter.Log().find("incident hand-over to"), std::string::npos) << milter.Log();
  core.Start();
  const int wait_tenths = shipped_backoff ? 3300 : 200;  // the shipped backoff may wait 300 s
  for (int i = 0; i < wait_tenths && Incidents(core).size() < static_cast<size_t>(sent); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // any duplicate would have arrived by now
  auto incidents = Incidents(core);
  ASSERT_EQ(incidents.size(), static_cast<size_t>(sent)) << milter.Log();

  std::set<std::string> events;
  for (const auto& summary : incidents) {
    auto shown = core.Request("GET", "/api/incidents/" + summary["incident_id"].get<std::string>(), "", core.As("IG_OFFICER", "ig1")).Json();
    const json& in = shown["incident"];
    EXPECT_EQ(in["source"], "MAIL_FILTER");
    EXPECT_EQ(in["mf_action"], "BLOCKED");
    EXPECT_EQ(in["kind"], "NEAR_MISS");  // spec §1.9
    EXPECT_EQ(in["mf_identifier_counts"]["NHS_NUMBER"]["distinct"], 6);
    EXPECT_EQ(in["mf_estimated_individuals"], 6);
    EXPECT_EQ(in["mf_recipients"][0]["domain"], "counci1.example.gov.uk");
    EXPECT_EQ(in["mf_signals"][0]["type"], "lookalike_domain");
    std::set<std::string> tokens;  // one token per distinct value: [NHS_NUMBER#1] .. [NHS_NUMBER#6]
    for (const auto& e : in["mf_redacted_evidence"]) {
      if (e["snippet"].get<std::string>().rfind("[NHS_NUMBER#", 0) == 0) tokens.insert(e["snippet"]);
    }
    EXPECT_EQ(tokens.size(), 6u);
    EXPECT_TRUE(tokens.count("[NHS_NUMBER#6]"));
    events.insert(in["mf_event_id"].get<std::string>());
    // The pre-fills the IG officer confirms or changes (spec §1.7).
    const json& sug = shown["derived"]["suggestions"];
    EXPECT_EQ(sug["s6_data_categories"], json({"HEALTH", "BASIC_IDENTIFIERS"})) << sug;
    EXPECT_EQ(sug["s4_types"], json({"INCORRECT_RECIPIENT"}));
    EXPECT_EQ(sug["s7_individuals_affected"], 6);
    EXPECT_EQ(sug["enisa_ei"], "MAXIMUM");
    EXPECT_EQ(sug["enisa_cb_confidentiality"], "KNOWN_RECIPIENTS");
    EXPECT_EQ(sug["enisa_score"]["total"], 4.25);  // SENSITIVE 4 x 1.0 + 0.25, 6 people: no volume addition
    EXPECT_EQ(sug["enisa_score"]["recommendation"], "REPORT");
  }
  EXPECT_EQ(events.size(), static_cast<size_t>(sent)) << "every draft filed once";
  EXPECT_NE(milter.Metrics().find("sendguard_incident_handovers_total{result=\"delivered\"} " + std::to_string(sent)),
            std::string::npos)
      << milter.Metrics();

  // No identifier anywhere it was handed to or through.
  ExpectNoIdentifier(core.Log(), "core log");
  ExpectNoIdentifier(milter.Log(), "milter log");

  // The sender of H3 reports it as misdirected: a breach draft from its scan record.
  std::string out;
  int rc = testing::Shell(std::string(SENDGUARD_BIN) + " report-misdirected --message-id '<H3@council.example.gov.uk>'" +
                              " --reporter staff@council.example.gov.uk --secret " + (milter.dir() / "secret").string() +
                              " --state-db " + (milter.dir() / "state" / "state.db").string() + " --incidents-db " +
                              (core.dir() / "incidents.db").string(),
                          &out);
  ASSERT_EQ(rc, 0) << out;
  auto all = Incidents(core);
  ASSERT_EQ(all.size(), static_cast<size_t>(sent) + 1);
  json self;
  for (const auto& i : all) {
    if (i["source"] == "HUMAN_REPORT") self = core.Request("GET", "/api/incidents/" + i["incident_id"].get<std::string>(), "", core.As("IG_OFFICER", "ig1")).Json();
  }
  ASSERT_TRUE(self.is_object());
  EXPECT_EQ(self["incident"]["kind"], "BREACH");
  EXPECT_EQ(self["incident"]["s4_types"][0], "INCORRECT_RECIPIENT");
  EXPECT_NE(self["incident"]["s5_what_happened"].get<std::string>().find("counci1.example.gov.uk"), std::string::npos);
  EXPECT_EQ(self["derived"]["clocks"]["ICO_72H"]["state"], "RUNNING");  // awareness = now
  EXPECT_NE(testing::Shell(std::string(SENDGUARD_BIN) + " report-misdirected --message-id '<nope@x>' --reporter a@b.c --secret " +
                               (milter.dir() / "secret").string() + " --state-db " + (milter.dir() / "state" / "state.db").string() +
                               " --incidents-db " + (core.dir() / "incidents.db").string()),
            0);
  for (const auto& e : std::filesystem::directory_iterator(milter.dir() / "state")) {
    if (e.is_regular_file()) ExpectNoIdentifier(testing::ReadFile(e.path()), e.path().string());
  }
  for (const auto& e : std::filesystem::directory_iterator(core.dir())) {
    if (e.is_regular_file()) ExpectNoIdentifier(testing::ReadFile(e.path()), e.path().string());  // db, -wal, log
  }
}

TEST_F(IncidentHandoverTest, AnOutlookRecallOfADeliveredMessageFilesAPotentialBreachOnce) {
  testing::CoreServer core("recall");
  testing::MilterDaemon milter("recall",
                               "organisation:\n  internal_domains: [council.example.gov.uk]\ncore_url: http://127.0.0.1:" +
                                   std::to_string(core.port()) + "\ncore_token_file: " + core.milter_token_file().string() + "\n");
  auto send = [&](const std::string& qid, const std::string& subject, const std::string& body, const char* expect) {
    Msg m;
    m.to = {"colleague@council.example.gov.uk"};
    m.qid = qid;
    m.body = body;
    m.headers = {{"From", m.from}, {"To", m.to[0]}, {"Subject", subject}, {"Message-ID", "<" + qid + "@council.example.gov.uk>"}};
    std::string out;
    EXPECT_EQ(milter.RunScript(Connect() + SendLua(m) + expect + "mt.disconnect(conn)\n", &out), 0) << out << milter.Log();
  };
  // Delivered (internal), then recalled by its sender.
  send("R1", "Case list for Tuesday", sensitive_, kAccepted);
  send("R2", "Recall: Case list for Tuesday", "Staff Member would like to recall the message.\r\n", kAccepted);
  for (int i = 0; i < 100 && Incidents(core).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto incidents = Incidents(core);
  ASSERT_EQ(incidents.size(), 1u) << milter.Log();
  auto shown = core.Request("GET", "/api/incidents/" + incidents[0]["incident_id"].get<std::string>(), "", core.As("IG_OFFICER", "ig1")).Json();
  const json& in = shown["incident"];
  EXPECT_EQ(in["mf_action"], "AUDIT_ONLY");
  EXPECT_EQ(in["kind"], "UNDETERMINED");  // a potential breach, for triage
  EXPECT_EQ(in["mf_identifier_counts"]["NHS_NUMBER"]["distinct"], 6);
  EXPECT_EQ(in["mf_signals"].back()["type"], "recall_attempted");
  EXPECT_EQ(shown["derived"]["clocks"]["TRIAGE"]["state"], "RUNNING");
  // A second recall, or a recall of something never sent, files nothing more.
  send("R3", "Recall: Case list for Tuesday", "Again.\r\n", kAccepted);
  send("R4", "Recall: Something else", "Nothing.\r\n", kAccepted);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(Incidents(core).size(), 1u);
  EXPECT_NE(milter.Log().find("incident=RECALL"), std::string::npos);
}

}  // namespace
}  // namespace sendguard
