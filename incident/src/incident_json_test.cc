// SPDX-License-Identifier: Apache-2.0
// The incident document: spec field names in, every bad field named with a reason, and the
// derived results out under the spec's result names.
#include <gtest/gtest.h>

#include "sendguard/incident/incident_json.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

std::map<std::string, std::string> Errors(const json& doc) {
  Incident in;
  CoreConfig config;
  std::map<std::string, std::string> out;
  for (const auto& e : ReadIncidentDocument(doc, &in, &config)) out[e.field] = e.reason;
  return out;
}

TEST(IncidentDocument, UnknownFieldsAndWrongTypesAreNamed) {
  auto e = Errors({{"s7_individuals", 3},
                   {"nhs_likelihood", "3"},
                   {"nhs_impact", 6},
                   {"s4_types", {"INCORRECT_RECIPIENT", "TYPO"}},
                   {"title", std::string(121, 'x')},
                   {"s1_email", "not an address"},
                   {"s1_aware_local", "2024-05-24T16:30Z"}});
  EXPECT_EQ(e["s7_individuals"], "unknown field");
  EXPECT_NE(e["nhs_likelihood"].find("1..5"), std::string::npos);
  EXPECT_NE(e["nhs_impact"].find("1..5"), std::string::npos);
  EXPECT_NE(e["s4_types"].find("'TYPO' is not one of INCORRECT_RECIPIENT"), std::string::npos);
  EXPECT_NE(e["title"].find("longer than 120"), std::string::npos);
  EXPECT_EQ(e["s1_email"], "is not an email address");
  EXPECT_NE(e["s1_aware_local"].find("takes no zone"), std::string::npos);
  EXPECT_EQ(e.size(), 7u);
}

TEST(IncidentDocument, NotAnObjectIsRefused) {
  auto e = Errors(json::array());
  ASSERT_EQ(e.size(), 1u);
}

TEST(IncidentDocument, NullMeansAbsent) {
  Incident in;
  CoreConfig config;
  EXPECT_TRUE(ReadIncidentDocument({{"nhs_likelihood", nullptr}}, &in, &config).empty());
  EXPECT_FALSE(in.nhs_likelihood);
}

TEST(IncidentDocument, AtMostOneInitialSubmission) {
  json sub = {{"type", "INITIAL"}, {"submitted_at", "2024-12-26T09:00Z"}};
  EXPECT_EQ(Errors({{"ico_submissions", {sub, sub}}})["ico_submissions"], "at most one INITIAL submission");
}

TEST(IncidentDocument, ADocumentScoresEndToEnd) {
  // N06 as a document, with the config key in it (the what-if calculator's form).
  json doc = {{"kind", "BREACH"},
              {"s6_data_categories", {"ECONOMIC_FINANCIAL"}},
              {"s7_subject_categories", {"EMPLOYEES"}},
              {"nhs_likelihood", 3},
              {"nhs_impact", 4},
              {"dspt_participant", true},
              {"s1_aware_local", "2024-05-24T16:30"}};
  Incident in;
  CoreConfig config;
  ASSERT_TRUE(ReadIncidentDocument(doc, &in, &config).empty());
  EXPECT_TRUE(config.dspt_participant);
  auto d = Derive(in, config, *ParseInstant("2024-05-25T12:00Z"));
  ASSERT_TRUE(d.ok());
  json out = DerivedToJson(*d);
  EXPECT_EQ(out["nhs_result"]["score"], 12);
  EXPECT_EQ(out["nhs_result"]["region"], "REPORTABLE_ICO_DHSC");
  EXPECT_EQ(out["nhs_result"]["dhsc_flag"], true);
  EXPECT_EQ(out["headline_recommendation"], "REPORT");
  EXPECT_EQ(out["individuals_recommendation"], "COMMUNICATE_DIRECTLY");
  EXPECT_EQ(out["clocks"]["ICO_72H"]["due"], "2024-05-27T15:30Z");
  EXPECT_EQ(out["clocks"]["ICO_72H"]["state"], "RUNNING");
  EXPECT_EQ(out["clocks"]["FORM_24H"]["state"], "DUE_SOON");  // 3.5 h left, within 4
  EXPECT_EQ(out["enisa_result"], nullptr);
  EXPECT_EQ(out["suggested_enisa_dpc_rows"][0]["category"], "FINANCIAL");
}

TEST(IncidentDocument, MailFilterEvidenceBecomesSuggestionsNotAnswers) {
  json doc = {{"source", "MAIL_FILTER"}, {"mf_action", "WARNED_USER_OVERRODE"}, {"mf_event_id", "e1"},
              {"mf_identifier_counts", {{"UNIQUE_PUPIL_NUMBER", {{"distinct", 30}, {"occurrences", 30}}}}},
              {"mf_subject_categories", {"PUPILS_STUDENTS", "CHILDREN"}},
              {"mf_recipients", {{{"domain", "lists.example.org"}, {"field", "TO"}, {"count", 1}, {"classification", "UNKNOWN"}}}},
              {"mf_estimated_individuals", 30}, {"mf_content_protection", "PASSWORD_PROTECTED_FILE"}};
  Incident in;
  CoreConfig config;
  ASSERT_TRUE(ReadIncidentDocument(doc, &in, &config).empty());
  auto d = Derive(in, config, *ParseInstant("2026-11-22T12:00Z"));
  ASSERT_TRUE(d.ok() && d->suggestions);
  const auto& s = *d->suggestions;
  EXPECT_TRUE(s.s6_data_categories.Has(DataCategory::kBasicIdentifiers));
  EXPECT_TRUE(s.sf_vulnerable_children);
  EXPECT_EQ(s.enisa_ei, EiLevel::kLimited);  // only pupil numbers
  EXPECT_EQ(s.enisa_cb_confidentiality, CbConfidentiality::kUnknownRecipients);
  EXPECT_TRUE(s.unintelligible_hint);
  ASSERT_TRUE(s.enisa_result);
  EXPECT_EQ(s.enisa_result->se_q, 1 * 2 + 2);     // SIMPLE 1 x 0.5 + 0.5
  EXPECT_EQ(s.enisa_result->total_q, 4 + 4 * 1);  // 30 people: +1
  // Suggestions are not answers: the form itself is untouched.
  EXPECT_TRUE(in.s6_data_categories.empty());
  EXPECT_FALSE(d->nhs_result);
}

}  // namespace
}  // namespace sendguard::incident
