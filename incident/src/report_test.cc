// SPDX-License-Identifier: Apache-2.0
// Spec §7.6: the committee report's worked example, built from synthetic incidents whose
// aggregates are the example's inputs; every figure of the expected table is checked.
#include <gtest/gtest.h>

#include "sendguard/incident/report.h"

namespace sendguard::incident {
namespace {

Date D(const char* text) { return *ParseDate(text); }

Incident Breach(const char* date, RootCause cause, const char* directorate) {
  Incident in;
  in.kind = IncidentKind::kBreach;
  in.s2_date_of_breach = D(date);
  in.root_cause = cause;
  in.s2_directorate = directorate;
  return in;
}

std::vector<Incident> Section76() {
  std::vector<Incident> all;
  using RC = RootCause;
  // Current period (Mar-Aug 2022): 20 breaches.
  const std::vector<RC> cur_causes = {RC::kHumanError, RC::kHumanError, RC::kHumanError, RC::kHumanError, RC::kHumanError,
                                      RC::kHumanError, RC::kHumanError, RC::kHumanError, RC::kHumanError, RC::kHumanError,
                                      RC::kHumanError, RC::kHumanError, RC::kHumanError, RC::kHumanError,
                                      RC::kNonComplianceWithPolicy, RC::kNonComplianceWithPolicy, RC::kNonComplianceWithPolicy,
                                      RC::kUnauthorisedAccess, RC::kUnauthorisedAccess, RC::kTechnicalOrSystemFailure};
  const std::vector<const char*> cur_dirs = {"Children's Services", "Children's Services", "Children's Services",
                                             "Children's Services", "Children's Services", "Children's Services",
                                             "Children's Services", "Children's Services", "Adult Social Care",
                                             "Adult Social Care", "Adult Social Care", "Adult Social Care",
                                             "Adult Social Care", "Housing", "Housing", "Housing", "Housing",
                                             "Resources", "Resources", "Resources"};
  // Types: T01 on 12 (9 by email), T04 on 4 (3 of them also T01), T05 2, T07 2, T09 1, T13 2.
  using T = IncidentType;
  const std::vector<EnumSet<T>> cur_types = {
      {T::kIncorrectRecipient, T::kLackOfChecksBeforeDisclosure}, {T::kIncorrectRecipient, T::kLackOfChecksBeforeDisclosure},
      {T::kIncorrectRecipient, T::kLackOfChecksBeforeDisclosure}, {T::kIncorrectRecipient}, {T::kIncorrectRecipient},
      {T::kIncorrectRecipient}, {T::kIncorrectRecipient}, {T::kIncorrectRecipient}, {T::kIncorrectRecipient},
      {T::kIncorrectRecipient}, {T::kIncorrectRecipient}, {T::kIncorrectRecipient}, {T::kLackOfChecksBeforeDisclosure},
      {T::kLostInformation}, {T::kLostInformation}, {T::kUnauthorisedAccess}, {T::kUnauthorisedAccess},
      {T::kSystemConfigurationError}, {T::kInsecureLocation}, {T::kInsecureLocation}};
  for (size_t i = 0; i < 20; ++i) {
    Incident in = Breach(i % 2 ? "2022-04-15" : "2022-07-01", cur_causes[i], cur_dirs[i]);
    in.s4_types = cur_types[i];
    if (i < 9) in.disclosure_channel = Channel::kEmail;  // 9 of the 12 T01 breaches
    else if (in.s4_types.Has(T::kIncorrectRecipient)) in.disclosure_channel = Channel::kPost;
    in.s2_gdpr_training_last_year = i < 6 ? YesNoUnknown::kNo : YesNoUnknown::kYes;
    in.s7_individuals_affected = 3;
    if (i < 2) {  // reported to the ICO, one on time and one late
      in.s1_aware_local = *ParseLocalDateTime("2022-04-15T09:00");
      in.ico_submissions.push_back({SubmissionType::kInitial,
                                    *ParseInstant(i == 0 ? "2022-04-16T09:00Z" : "2022-04-20T09:00Z"), "", "", {}});
    }
    all.push_back(in);
  }
  // Previous period (Sep 2021 - Feb 2022): 16 breaches.
  const std::vector<std::pair<RC, const char*>> prev = {
      {RC::kHumanError, "Children's Services"}, {RC::kHumanError, "Children's Services"}, {RC::kHumanError, "Children's Services"},
      {RC::kHumanError, "Children's Services"}, {RC::kHumanError, "Children's Services"}, {RC::kHumanError, "Children's Services"},
      {RC::kHumanError, "Children's Services"}, {RC::kHumanError, "Adult Social Care"}, {RC::kHumanError, "Adult Social Care"},
      {RC::kHumanError, "Adult Social Care"}, {RC::kHumanError, "Adult Social Care"}, {RC::kHumanError, "Housing"},
      {RC::kNonComplianceWithPolicy, "Housing"}, {RC::kUnauthorisedAccess, "Resources"}, {RC::kUnauthorisedAccess, "Resources"},
      {RC::kTechnicalOrSystemFailure, "Resources"}};
  for (size_t i = 0; i < prev.size(); ++i) {
    Incident in = Breach("2021-11-30", prev[i].first, prev[i].second);
    if (i == 0) in.ico_submissions.push_back({SubmissionType::kInitial, *ParseInstant("2021-12-01T09:00Z"), "", "", {}});
    all.push_back(in);
  }
  // Near misses: 9 now (6 filed by the mail filter), none before; out-of-period and excluded kinds.
  for (int i = 0; i < 9; ++i) {
    Incident in;
    in.kind = IncidentKind::kNearMiss;
    in.s2_date_of_breach = D("2022-05-02");
    if (i < 6) in.source = IncidentSource::kMailFilter;
    all.push_back(in);
  }
  all.push_back(Breach("2022-09-01", RC::kHumanError, "Housing"));  // period end is exclusive
  all.push_back(Breach("2021-08-31", RC::kHumanError, "Housing"));  // before the previous period
  Incident not_breach = Breach("2022-05-05", RC::kHumanError, "Housing");
  not_breach.kind = IncidentKind::kNotABreach;
  all.push_back(not_breach);
  return all;
}

const ReportRow& RowOf(const Report& r, const std::string& table, const std::string& label) {
  const ReportTable* t = r.Find(table);
  EXPECT_NE(t, nullptr) << table;
  for (const auto& row : t->rows) {
    if (row.label == label) return row;
  }
  ADD_FAILURE() << table << " has no row " << label;
  static ReportRow none;
  return none;
}

void ExpectRow(const ReportRow& r, long long cur, const char* cur_pct, long long prev, const char* prev_pct,
               const char* change, const char* change_pct) {
  SCOPED_TRACE(r.label);
  EXPECT_EQ(r.current, cur);
  EXPECT_EQ(r.current_pct, cur_pct);
  EXPECT_EQ(r.previous, prev);
  EXPECT_EQ(r.previous_pct, prev_pct);
  EXPECT_EQ(r.change, change);
  EXPECT_EQ(r.change_pct, change_pct);
}

class CommitteeReport : public ::testing::Test {
 protected:
  void SetUp() override {
    params_.period_start = D("2022-03-01");
    params_.period_end = D("2022-09-01");
    params_.now = *ParseInstant("2022-10-01T00:00Z");
    incidents_ = Section76();
    report_ = BuildReport(incidents_, params_);
  }
  ReportParams params_;
  std::vector<Incident> incidents_;
  Report report_;
};

TEST_F(CommitteeReport, PreviousPeriodIsTheSixMonthsBefore) {
  EXPECT_EQ(FormatDate(report_.previous_start), "2021-09-01");
  EXPECT_EQ(FormatDate(report_.previous_end), "2022-03-01");
  auto days = PreviousPeriod(D("2022-03-10"), D("2022-03-20"));
  EXPECT_EQ(FormatDate(days.first), "2022-02-28");
}

TEST_F(CommitteeReport, TheExpectedTableOfSection76) {
  ExpectRow(RowOf(report_, "M1", "Breaches"), 20, "–", 16, "–", "+4", "+25");
  ExpectRow(RowOf(report_, "M3", "Human error"), 14, "70", 12, "75", "+2", "+17");
  ExpectRow(RowOf(report_, "M3", "Non compliance with policy"), 3, "15", 1, "6", "+2", "+200");
  ExpectRow(RowOf(report_, "M3", "Unauthorised access"), 2, "10", 2, "13", "0", "0");
  ExpectRow(RowOf(report_, "M3", "Technical or system failure"), 1, "5", 1, "6", "0", "0");
  ExpectRow(RowOf(report_, "M6a", "Children's Services"), 8, "40", 7, "44", "+1", "+14");
  ExpectRow(RowOf(report_, "M6a", "Adult Social Care"), 5, "25", 4, "25", "+1", "+25");
  ExpectRow(RowOf(report_, "M6a", "Housing"), 4, "20", 2, "13", "+2", "+100");
  ExpectRow(RowOf(report_, "M6a", "Resources"), 3, "15", 3, "19", "0", "0");
  ExpectRow(RowOf(report_, "M7", "Reported to ICO"), 2, "–", 1, "–", "+1", "+100");
  ExpectRow(RowOf(report_, "M1", "Near misses"), 9, "–", 0, "–", "+9", "n/a (new)");
  EXPECT_EQ(RowOf(report_, "M5", "Emails to wrong recipient").current, 9);
  EXPECT_EQ(RowOf(report_, "M5", "Emails to wrong recipient").current_pct, "45");
  EXPECT_EQ(RowOf(report_, "M9", "Training not completed").current, 6);
  EXPECT_EQ(RowOf(report_, "M9", "Training not completed").current_pct, "30");
}

TEST_F(CommitteeReport, TypeSharesTotalMoreThan100AndSaySo) {
  const std::vector<std::pair<const char*, const char*>> shares = {
      {"Incorrect recipient", "60"}, {"Lack of checks before disclosure", "20"}, {"Lost information", "10"},
      {"Unauthorised access", "10"}, {"System configuration error", "5"}, {"Insecure location", "10"}};
  long long total = 0;
  for (auto [label, pct] : shares) {
    EXPECT_EQ(RowOf(report_, "M4", label).current_pct, pct) << label;
    total += RowOf(report_, "M4", label).current;
  }
  EXPECT_EQ(total, 23);
  EXPECT_NE(report_.Find("M4")->note.find("multi-select"), std::string::npos);
}

TEST_F(CommitteeReport, PreviousDirectorateSharesRoundTo101AsIs) {
  int total = 0;
  for (const auto& row : report_.Find("M6a")->rows) total += std::stoi(row.previous_pct);
  EXPECT_EQ(total, 101);
}

TEST_F(CommitteeReport, SendguardPreventionsTimelinessAndIndividuals) {
  EXPECT_EQ(RowOf(report_, "M1", "Near misses prevented by sendguard").current, 6);
  EXPECT_EQ(RowOf(report_, "M8", "Reported within 72 hours").current, 1);
  EXPECT_EQ(RowOf(report_, "M8", "Reported late").current, 1);
  EXPECT_EQ(RowOf(report_, "M10", "Individuals affected (known)").current, 60);
  EXPECT_EQ(RowOf(report_, "M10", "Breaches with the number unknown").previous, 16);
  EXPECT_EQ(RowOf(report_, "M12", "2022-04 breaches").current, 10);
  EXPECT_EQ(RowOf(report_, "M12", "2022-05 near misses").current, 9);
}

TEST_F(CommitteeReport, FocusUnit) {
  params_.focus_org_unit = "Housing";
  Report r = BuildReport(incidents_, params_);
  ExpectRow(RowOf(r, "M11", "Breaches"), 4, "–", 2, "–", "+2", "+100");
}

TEST(Percent, RoundsHalfUpAwayFromZero) {
  EXPECT_EQ(Percent(1, 8, 0), "13");     // 12.5
  EXPECT_EQ(Percent(-1, 8, 0), "-13");
  EXPECT_EQ(Percent(1, 3, 2), "33.33");
  EXPECT_EQ(Percent(2, 3, 1), "66.7");
  EXPECT_EQ(Percent(1, 0, 0), "–");
  EXPECT_EQ(Percent(0, 5, 1), "0.0");
}

TEST_F(CommitteeReport, RendersMarkdownCsvAndHtml) {
  std::string md = RenderMarkdown(report_);
  EXPECT_NE(md.find("| Human error | 14 | 70 | 12 | 75 | +2 | +17 |"), std::string::npos) << md;
  std::string csv = RenderCsv(report_);
  EXPECT_NE(csv.find("M3,Human error,14,70,12,75,+2,+17\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("M1,Near misses,9,–,0,–,+9,n/a (new)\n"), std::string::npos) << csv;
  // A label or cell a spreadsheet would run as a formula stays text; a signed number stays a number.
  Report hostile = report_;
  ASSERT_FALSE(hostile.tables.empty() || hostile.tables[0].rows.empty());
  hostile.tables[0].rows[0].label = "=HYPERLINK(\"http://attacker.example/\",\"x\")";
  hostile.tables[0].rows[0].change = "-2+3";
  hostile.tables[0].rows[0].change_pct = "@SUM(1)";
  const std::string neutral = RenderCsv(hostile);
  EXPECT_NE(neutral.find(",\"'=HYPERLINK("), std::string::npos) << neutral;
  EXPECT_NE(neutral.find(",'-2+3,'@SUM(1)\n"), std::string::npos) << neutral;
  std::string html = RenderHtml(report_);
  EXPECT_NE(html.find("<svg role=\"img\""), std::string::npos);
  EXPECT_NE(html.find("<td>Children&#39;s Services</td><td>8</td><td>40</td>"), std::string::npos) << html;
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

}  // namespace
}  // namespace sendguard::incident
