// SPDX-License-Identifier: Apache-2.0
// `sendguard incidents score` driven as the IG team would: a document in, derived JSON out,
// every bad field named on stderr with exit code 1.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "process_harness.h"

namespace sendguard::testing {
namespace {

class IncidentsCliTest : public CliTest {};

TEST_F(IncidentsCliTest, ScoresTheWorkedExampleE16) {
  // E16: refuge address emailed to a wrong recipient, SIMPLE +3.
  std::string doc = Write("e16.json", R"({
    "kind": "BREACH", "s7_individuals_affected": 1,
    "enisa_dpc_rows": [{"category": "SIMPLE", "adjustment": 3, "reason": "critical for personal safety"}],
    "enisa_ei": 1.0, "enisa_cb_confidentiality": "KNOWN_RECIPIENTS", "enisa_cb_integrity": "NONE_EVIDENCED",
    "enisa_cb_availability": "RECOVERABLE_WITHOUT_DIFFICULTY", "enisa_cb_malicious": false,
    "s1_aware_local": "2024-05-24T16:30"})");
  auto run = Sendguard("incidents score --primary-method ENISA_STROUD --now 2024-05-24T18:00Z " + doc);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["enisa_result"]["se"], 4.25);
  EXPECT_EQ(out["enisa_result"]["total_band"], "VERY_HIGH");
  EXPECT_EQ(out["headline_recommendation"], "REPORT");
  EXPECT_EQ(out["individuals_recommendation"], "COMMUNICATE_DIRECTLY");
  EXPECT_EQ(out["nhs_result"], nullptr);
  EXPECT_EQ(out["clocks"]["ICO_72H"]["due_local"], "Mon 27 May 2024 16:30 BST");
  EXPECT_EQ(out["clocks"]["ICO_72H"]["minutes_remaining"], 72 * 60 - 150);  // aware 15:30Z, read at 18:00Z
}

TEST_F(IncidentsCliTest, ReadsStandardInput) {
  auto run = Sendguard("incidents score - < " +
                  Write("n03.json", R"({"nhs_likelihood": 3, "nhs_impact": 1, "s7_subject_categories": ["CHILDREN"]})"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["nhs_result"]["score"], 6);
  EXPECT_EQ(out["nhs_result"]["ico_reportable"], true);
  EXPECT_EQ(out["nhs_result"]["floors_applied"], nlohmann::json::array({"impact"}));
}

TEST_F(IncidentsCliTest, BadDocumentsNameEveryField) {
  auto run = Sendguard("incidents score " + Write("bad.json", R"({"nhs_impact": 0, "enisa_ei": 0.6, "colour": "red"})"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("nhs_impact: must be a whole number 1..5"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("enisa_ei: must be one of NEGLIGIBLE"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("colour: unknown field"), std::string::npos) << run.out;
  run = Sendguard("incidents score " + Write("broken.json", "{\"kind\": "));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("not valid JSON"), std::string::npos) << run.out;
  run = Sendguard("incidents score --now tomorrow " + Write("ok.json", "{}"));
  EXPECT_EQ(run.exit_code, 2);
}

TEST_F(IncidentsCliTest, ListShowAssessTransitionAndReportOnAStore) {
  const std::string db = (dir_ / "incidents.db").string();
  // An empty store lists nothing; the store is created on first use.
  auto run = Sendguard("incidents list --json --db " + db);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(nlohmann::json::parse(run.out).size(), 0u);
  // Without a token the command acts as a REPORTER known by the OS account: it may report, but
  // not classify (kind is the IG team's), and the audit trail names the account that ran it.
  run = Sendguard("incidents create --db " + db + " " +
                  Write("classified.json", R"({"title": "Letter to the wrong address", "kind": "BREACH"})"));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("kind: REPORTER may not change kind (403)"), std::string::npos) << run.out;
  run = Sendguard("incidents create --db " + db + " " +
                  Write("report.json", R"({"title": "Letter to the wrong address", "s1_aware_local": "2026-11-20T09:00"})"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const std::string id = run.out.substr(0, 36);
  auto created = nlohmann::json::parse(Sendguard("incidents show --json " + id + " --db " + db).out);
  EXPECT_EQ(created["audit"][0]["by"]["role"], "REPORTER");
  EXPECT_EQ(created["audit"][0]["by"]["id"].get<std::string>().rfind("os:", 0), 0u) << created["audit"][0].dump();
  // A role is the token's, not a flag's.
  run = Sendguard("incidents list --db " + db + " --role DPO");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.out.find("--role"), std::string::npos) << run.out;
  auto token = [&](const std::string& name, const std::string& role) {
    std::string out;
    const std::string file = (dir_ / (name + ".token")).string();
    EXPECT_EQ(Shell(std::string(SENDGUARD_CORE_BIN) + " --db " + db + " token add " + name + " --role " + role + " --output " + file, &out), 0)
        << out;
    return file;
  };
  const std::string ig = token("ig-cli", "IG_OFFICER"), lm = token("lm-cli", "INVESTIGATING_OFFICER");
  run = Sendguard("incidents assess " + id + " --db " + db + " --token-file " + ig +
                  " --set kind=BREACH --set nhs_likelihood=3 --set nhs_impact=2 --set 'nhs_rationale=it was opened'"
                  " --set 's7_subject_categories=[\"CHILDREN\"]' --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto shown = nlohmann::json::parse(run.out);
  EXPECT_EQ(shown["derived"]["nhs_result"]["score"], 6);
  nlohmann::json likelihood;
  for (const auto& entry : shown["audit"]) {
    if (entry["what"] == "nhs_likelihood") likelihood = entry;
  }
  ASSERT_TRUE(likelihood.is_object()) << shown["audit"].dump();
  EXPECT_EQ(likelihood["by"]["role"], "IG_OFFICER");
  EXPECT_EQ(likelihood["by"]["id"], "token:ig-cli");
  EXPECT_NE(likelihood["by"]["name"].get<std::string>().find("run by "), std::string::npos) << likelihood.dump();
  run = Sendguard("incidents assess " + id + " --db " + db + " --token-file " + lm + " --set enisa_ei=MAXIMUM");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("enisa_ei: INVESTIGATING_OFFICER may not edit the IG assessment (403)"), std::string::npos) << run.out;
  EXPECT_EQ(Shell(std::string(SENDGUARD_CORE_BIN) + " --db " + db + " token revoke lm-cli"), 0);
  run = Sendguard("incidents assess " + id + " --db " + db + " --token-file " + lm + " --set nhs_impact=3");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.out.find("not known or was revoked"), std::string::npos) << run.out;
  run = Sendguard("incidents transition " + id + " REPORTED_TO_ICO --db " + db);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("no transition DRAFT -> REPORTED_TO_ICO (409)"), std::string::npos) << run.out;
  run = Sendguard("incidents show " + id + " --db " + db);
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("NHS grid: L3 x I2 = 6, REPORTABLE_ICO, reportable to the ICO"), std::string::npos) << run.out;
  run = Sendguard("incidents list --db " + db + " --kind BREACH");
  EXPECT_NE(run.out.find(id), std::string::npos) << run.out;
  run = Sendguard("incidents show no-such-id --db " + db);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.out.find("no incident no-such-id (404)"), std::string::npos) << run.out;
  run = Sendguard("incidents report --db " + db + " --from 2026-11-01 --to 2026-12-01 --format csv");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(run.out.rfind("table,metric,current", 0), 0u) << run.out;
  EXPECT_NE(run.out.find("M1,Breaches,1,"), std::string::npos) << run.out;
  run = Sendguard("incidents report --db " + db + " --from 2026-11-01 --to 2026-12-01 --format pdf");
  EXPECT_EQ(run.exit_code, 2);
}

}  // namespace
}  // namespace sendguard::testing
