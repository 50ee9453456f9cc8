// SPDX-License-Identifier: Apache-2.0
// Every worked example of spec §7.1 (ENISA), §7.2 (NHS grid) and §7.4 (individuals) as a
// test, plus the inputs §7.1 says must be rejected.
#include <gtest/gtest.h>

#include <vector>

#include "sendguard/incident/incident_json.h"
#include "sendguard/incident/recommendations.h"

namespace sendguard::incident {
namespace {

using C = CbConfidentiality;
using I = CbIntegrity;
using A = CbAvailability;
using E = EnisaCategory;

const Instant kNow = *ParseInstant("2024-06-01T12:00Z");

struct EnisaCase {
  const char* id;
  std::vector<std::pair<E, int>> rows;
  EiLevel ei;
  C c;
  I i;
  A a;
  bool malicious;
  std::optional<long long> n;
  bool unintelligible;
  int dpc;
  int se_q;
  SeverityBand se_band;
  std::optional<int> v;
  std::optional<int> total_q;
  std::optional<SeverityBand> total_band;
  Recommendation rec;
};

using B = SeverityBand;
using R = Recommendation;
constexpr auto kMax = EiLevel::kMaximum, kSig = EiLevel::kSignificant, kLim = EiLevel::kLimited;

const std::vector<EnisaCase> kEnisa = {
    {"E01", {{E::kSimple, 0}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 10, false, 1, 5, B::kLow, 0, 5, B::kLow, R::kNotReportable},
    {"E02", {{E::kSimple, 0}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 11, false, 1, 5, B::kLow, 1, 9, B::kMedium, R::kDpoReview},
    {"E03", {{E::kSimple, 0}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 100, false, 1, 5, B::kLow, 1, 9, B::kMedium, R::kDpoReview},
    {"E04", {{E::kSimple, 0}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 101, false, 1, 5, B::kLow, 2, 13, B::kHigh, R::kReport},
    {"E05", {{E::kSimple, 0}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 1000, false, 1, 5, B::kLow, 2, 13, B::kHigh, R::kReport},
    {"E06", {{E::kSimple, 0}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 1001, false, 1, 5, B::kLow, 3, 17, B::kVeryHigh, R::kReport},
    {"E07", {{E::kSimple, 0}}, kMax, C::kUnknownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, true, 8, false, 1, 8, B::kMedium, 0, 8, B::kMedium, R::kDpoReview},
    {"E08", {{E::kSimple, 0}}, kSig, C::kUnknownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, true, 5, false, 1, 7, B::kLow, 0, 7, B::kLow, R::kNotReportable},
    {"E09", {{E::kSensitive, 0}}, kSig, C::kNoneEvidenced, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 1, false, 4, 12, B::kHigh, 0, 12, B::kHigh, R::kReport},
    {"E10", {{E::kFinancial, 0}}, kSig, C::kUnknownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 4, false, 3, 11, B::kMedium, 0, 11, B::kMedium, R::kDpoReview},
    {"E11", {{E::kSensitive, 0}}, kSig, C::kUnknownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, true, 1, false, 4, 16, B::kVeryHigh, 0, 16, B::kVeryHigh, R::kReport},
    {"E12", {{E::kSensitive, 0}}, kSig, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, true, 1, false, 4, 15, B::kHigh, 0, 15, B::kHigh, R::kReport},
    {"E13", {{E::kSensitive, 0}}, EiLevel::kNegligible, C::kNoneEvidenced, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 1500, true, 4, 4, B::kLow, 3, 16, B::kVeryHigh, R::kDpoReviewExemption},
    {"E14", {{E::kSensitive, 0}}, kMax, C::kNoneEvidenced, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 1500, false, 4, 16, B::kVeryHigh, 3, 28, B::kVeryHigh, R::kReport},
    {"E15", {{E::kSimple, 0}, {E::kFinancial, -1}, {E::kSensitive, -2}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 3, false, 2, 9, B::kMedium, 0, 9, B::kMedium, R::kDpoReview},
    {"E16", {{E::kSimple, 3}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, 1, false, 4, 17, B::kVeryHigh, 0, 17, B::kVeryHigh, R::kReport},
    {"E17", {{E::kBehavioural, 0}}, kLim, C::kUnknownRecipients, I::kNotRecoverable, A::kPermanent, true, 40, false, 2, 12, B::kHigh, 1, 16, B::kVeryHigh, R::kReport},
    {"E18", {{E::kSimple, 0}}, kMax, C::kKnownRecipients, I::kNoneEvidenced, A::kRecoverableWithoutDifficulty, false, std::nullopt, false, 1, 5, B::kLow, std::nullopt, std::nullopt, std::nullopt, R::kNotReportable},
    {"E19", {{E::kSimple, 0}}, kMax, C::kNoneEvidenced, I::kNoneEvidenced, A::kTemporary, true, 5000, false, 1, 7, B::kLow, 3, 19, B::kVeryHigh, R::kReport},
};

Incident FromEnisaCase(const EnisaCase& c) {
  Incident in;
  for (auto [cat, adj] : c.rows) in.enisa_dpc_rows.push_back({cat, adj, adj ? "context" : "", false});
  // E13's EI is the pre-fill from unintelligible data (§3.8), so it is left unset there.
  if (!c.unintelligible) in.enisa_ei = c.ei;
  in.enisa_cb_confidentiality = c.c;
  in.enisa_cb_integrity = c.i;
  in.enisa_cb_availability = c.a;
  in.enisa_cb_malicious = c.malicious;
  in.s7_individuals_affected = c.n;
  in.unintelligible_applies = c.unintelligible;
  if (c.unintelligible) in.key_compromised = YesNoUnknown::kNo;
  return in;
}

TEST(EnisaWorkedExamples, EveryRowOfSection71) {
  CoreConfig config;
  config.primary_method = PrimaryMethod::kEnisaStroud;
  for (const auto& c : kEnisa) {
    SCOPED_TRACE(c.id);
    auto d = Derive(FromEnisaCase(c), config, kNow);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    ASSERT_TRUE(d->enisa_result);
    const auto& e = *d->enisa_result;
    EXPECT_EQ(e.dpc, c.dpc);
    EXPECT_EQ(e.ei, c.ei);
    EXPECT_EQ(e.se_q, c.se_q);
    EXPECT_EQ(e.se_band, c.se_band);
    EXPECT_EQ(e.volume_addition, c.v);
    EXPECT_EQ(e.total_q, c.total_q);
    EXPECT_EQ(e.total_band, c.total_band);
    EXPECT_EQ(e.recommendation, c.rec);
    EXPECT_EQ(d->headline_recommendation, c.rec);
  }
}

TEST(EnisaWorkedExamples, FlagsForUnintelligibleAndUnknownVolume) {
  CoreConfig config;
  auto e13 = Derive(FromEnisaCase(kEnisa[12]), config, kNow);
  ASSERT_TRUE(e13.ok());
  EXPECT_TRUE(e13->enisa_result->ei_prefilled);
  EXPECT_EQ(e13->enisa_result->flags, std::vector<std::string>{"UNINTELLIGIBLE"});
  auto e18 = Derive(FromEnisaCase(kEnisa[17]), config, kNow);
  ASSERT_TRUE(e18.ok());
  EXPECT_EQ(e18->enisa_result->flags, std::vector<std::string>{"PROVISIONAL_VOLUME_UNKNOWN"});
}

TEST(EnisaWorkedExamples, VolumeAdditionsCanBeTurnedOff) {
  CoreConfig config;
  config.volume_additions_enabled = false;
  auto e06 = Derive(FromEnisaCase(kEnisa[5]), config, kNow);
  ASSERT_TRUE(e06.ok());
  EXPECT_EQ(e06->enisa_result->total_q, 5);
  EXPECT_EQ(e06->enisa_result->recommendation, R::kNotReportable);
}

TEST(EnisaWorkedExamples, IncompleteInputsGiveNoResult) {
  Incident in = FromEnisaCase(kEnisa[0]);
  in.enisa_cb_malicious.reset();
  auto d = Derive(in, CoreConfig{}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->enisa_result);
}

TEST(EnisaWorkedExamples, CredentialsNeedTheirOwnRow) {
  Incident in = FromEnisaCase(kEnisa[0]);
  in.s6_data_categories.Add(DataCategory::kIdentificationData);
  auto d = Derive(in, CoreConfig{}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->enisa_result->flags, std::vector<std::string>{"CREDENTIAL_CATEGORY_UNSET"});
  in.enisa_dpc_rows.push_back({E::kFinancial, 0, "", true});
  d = Derive(in, CoreConfig{}, kNow);
  EXPECT_TRUE(d->enisa_result->flags.empty());
}

TEST(EnisaWorkedExamples, SectionSixSuggestsRowsWhenThereAreNone) {
  Incident in;
  in.s6_data_categories = {DataCategory::kBasicIdentifiers, DataCategory::kHealth, DataCategory::kCriminalConvictions,
                           DataCategory::kLocation};
  auto d = Derive(in, CoreConfig{}, kNow);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->suggested_enisa_dpc_rows.size(), 3u);
  EXPECT_EQ(d->suggested_enisa_dpc_rows[0].category, E::kSimple);
  EXPECT_EQ(d->suggested_enisa_dpc_rows[1].category, E::kBehavioural);
  EXPECT_EQ(d->suggested_enisa_dpc_rows[2].category, E::kSensitive);
}

TEST(EnisaWorkedExamples, InvalidInputsAreRejected) {
  // §7.1: SIMPLE -1, SENSITIVE +1, FINANCIAL -3, EI 0.6, malicious 0.25.
  for (auto [cat, adj] : std::vector<std::pair<E, int>>{{E::kSimple, -1}, {E::kSensitive, 1}, {E::kFinancial, -3}}) {
    Incident in = FromEnisaCase(kEnisa[0]);
    in.enisa_dpc_rows = {{cat, adj, "r", false}};
    EXPECT_FALSE(Derive(in, CoreConfig{}, kNow).ok()) << Name(cat) << adj;
  }
  Incident in;
  CoreConfig config;
  auto errors = ReadIncidentDocument(nlohmann::json{{"enisa_ei", 0.6}, {"enisa_cb_malicious", 0.25},
                                                    {"enisa_dpc_rows", {{{"category", "SENSITIVE"}, {"adjustment", 1}}}}},
                                     &in, &config);
  ASSERT_EQ(errors.size(), 3u);
  std::map<std::string, std::string> by_field;
  for (const auto& e : errors) by_field[e.field] = e.reason;
  EXPECT_NE(by_field["enisa_ei"].find("NEGLIGIBLE"), std::string::npos);
  EXPECT_NE(by_field["enisa_cb_malicious"].find("true or false"), std::string::npos);
  EXPECT_NE(by_field["enisa_dpc_rows"].find("not allowed for SENSITIVE"), std::string::npos);
}

struct NhsCase {
  const char* id;
  EnumSet<DataCategory> data;
  EnumSet<SubjectCategory> subjects;
  bool sf;
  int l, i, l_eff, i_eff, score;
  NhsRegion region;
  bool reportable, dhsc, siro;
};

using D = DataCategory;
using S = SubjectCategory;
using N = NhsRegion;

const std::vector<NhsCase> kNhs = {
    {"N01", {D::kBasicIdentifiers}, {S::kCustomers}, false, 2, 2, 2, 2, 4, N::kImpactUnlikely, false, false, false},
    {"N02", {D::kHealth}, {S::kVulnerableAdults}, true, 1, 1, 2, 2, 4, N::kImpactUnlikely, false, false, false},
    {"N03", {D::kBasicIdentifiers}, {S::kChildren}, true, 3, 1, 3, 2, 6, N::kReportableIco, true, false, false},
    {"N04", {D::kBasicIdentifiers}, {S::kCustomers}, false, 3, 2, 3, 2, 6, N::kReportableIco, true, false, false},
    {"N05", {D::kCriminalConvictions}, {}, true, 2, 5, 2, 5, 10, N::kImpactUnlikely, false, false, true},
    {"N06", {D::kEconomicFinancial}, {S::kEmployees}, false, 3, 4, 3, 4, 12, N::kReportableIcoDhsc, true, true, true},
    {"N07", {D::kBasicIdentifiers}, {S::kCustomers}, false, 4, 3, 4, 3, 12, N::kReportableIco, true, false, false},
    {"N08", {}, {}, false, 5, 1, 5, 1, 5, N::kNoImpactOccurred, false, false, false},
    {"N09", {}, {}, false, 5, 5, 5, 5, 25, N::kReportableIcoDhsc, true, true, true},
    {"N10", {D::kHealth}, {}, true, 2, 2, 2, 2, 4, N::kImpactUnlikely, false, false, false},
    {"N11", {}, {}, false, 1, 5, 1, 5, 5, N::kNoImpactOccurred, false, false, true},
    {"N12", {D::kHealth}, {}, true, 3, 3, 3, 3, 9, N::kReportableIco, true, false, false},
    {"N13", {D::kHealth}, {}, true, 2, 3, 2, 3, 6, N::kImpactUnlikely, false, false, false},
};

Incident FromNhsCase(const NhsCase& c) {
  Incident in;
  in.s6_data_categories = c.data;
  in.s7_subject_categories = c.subjects;
  in.nhs_likelihood = c.l;
  in.nhs_impact = c.i;
  return in;
}

TEST(NhsWorkedExamples, EveryRowOfSection72) {
  for (bool dspt : {true, false}) {
    CoreConfig config;
    config.dspt_participant = dspt;
    for (const auto& c : kNhs) {
      SCOPED_TRACE(std::string(c.id) + (dspt ? " dspt" : " no dspt"));
      auto d = Derive(FromNhsCase(c), config, kNow);
      ASSERT_TRUE(d.ok());
      EXPECT_EQ(d->sensitivity_factor.present, c.sf);
      ASSERT_TRUE(d->nhs_result);
      const auto& n = *d->nhs_result;
      EXPECT_EQ(n.l_eff, c.l_eff);
      EXPECT_EQ(n.i_eff, c.i_eff);
      EXPECT_EQ(n.score, c.score);
      EXPECT_EQ(n.region, c.region);
      EXPECT_EQ(n.ico_reportable, c.reportable);
      EXPECT_EQ(n.dhsc_flag, c.dhsc && dspt);  // with dspt_participant = false, never
      EXPECT_EQ(n.siro_flag, c.siro);
      EXPECT_EQ(d->headline_recommendation, c.reportable ? R::kReport : R::kNotReportable);
    }
  }
}

TEST(NhsWorkedExamples, FloorsAreRecordedAndNeverOverwriteTheAssessment) {
  auto d = Derive(FromNhsCase(kNhs[1]), CoreConfig{}, kNow);  // N02: 1,1 -> 2,2
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->nhs_result->floors_applied, (std::vector<std::string>{"likelihood", "impact"}));
  auto n03 = Derive(FromNhsCase(kNhs[2]), CoreConfig{}, kNow);
  EXPECT_EQ(n03->nhs_result->floors_applied, std::vector<std::string>{"impact"});
  EXPECT_EQ(n03->sensitivity_factor.triggers, std::vector<std::string>{"s7_subject_categories:CHILDREN"});
}

TEST(NhsWorkedExamples, ReportabilityIsNotAScoreThreshold) {
  // Every cell: the rule equals the region, and scores 6, 8 and 10 occur on both sides.
  std::map<int, std::set<bool>> sides;
  for (int l = 1; l <= 5; ++l) {
    for (int i = 1; i <= 5; ++i) {
      Incident in;
      in.nhs_likelihood = l;
      in.nhs_impact = i;
      auto n = *ComputeNhs(in, CoreConfig{});
      EXPECT_EQ(n.ico_reportable, n.region == N::kReportableIco || n.region == N::kReportableIcoDhsc);
      sides[n.score].insert(n.ico_reportable);
    }
  }
  for (int score : {6, 8, 10}) EXPECT_EQ(sides[score].size(), 2u) << score;
}

TEST(CrossMethod, E09AndN13Disagree) {
  // The care plan retrieved within the hour, scored both ways.
  Incident in = FromEnisaCase(kEnisa[8]);
  in.s6_data_categories = {D::kHealth};
  in.nhs_likelihood = 2;
  in.nhs_impact = 3;
  CoreConfig config;
  auto d = Derive(in, config, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->enisa_result->recommendation, R::kReport);
  EXPECT_EQ(d->nhs_recommendation, R::kNotReportable);
  EXPECT_TRUE(d->methods_disagree);
  EXPECT_EQ(d->headline_recommendation, R::kNotReportable);  // NHS_GRID is primary
  config.primary_method = PrimaryMethod::kEnisaStroud;
  EXPECT_EQ(Derive(in, config, kNow)->headline_recommendation, R::kReport);
}

TEST(CrossMethod, ContainmentMakesAReportableCellAReviewForExemption) {
  Incident in = FromNhsCase(kNhs[3]);  // N04, reportable
  in.containment.Add(Containment::kRecoveredFromTrustedPartner);
  auto d = Derive(in, CoreConfig{}, kNow);
  EXPECT_TRUE(d->containment_exemption_candidate);
  EXPECT_EQ(d->headline_recommendation, R::kDpoReviewExemption);
}

TEST(CrossMethod, UnintelligibleNeedsAnUncompromisedKey) {
  Incident in;
  in.unintelligible_applies = true;
  in.key_compromised = YesNoUnknown::kUnknown;
  EXPECT_FALSE(Derive(in, CoreConfig{}, kNow).ok());
}

struct IndividualsCase {
  const char* id;
  Incident incident;
  PrimaryMethod method;
  Art34Recommendation expected;
  bool warning;
};

TEST(IndividualsWorkedExamples, EveryRowOfSection74) {
  using AR = Art34Recommendation;
  auto enisa = [](int index) { return FromEnisaCase(kEnisa[static_cast<size_t>(index) - 1]); };
  auto nhs = [](int index) { return FromNhsCase(kNhs[static_cast<size_t>(index) - 1]); };
  Incident a03 = enisa(12);
  a03.exception_b_confirmed = true;
  Incident a04 = enisa(14);
  a04.exception_c_confirmed = true;
  Incident a07 = enisa(13);
  a07.ico_required_communication = true;
  Incident a11 = nhs(6);
  a11.dpo_individuals_decision = IndividualsDecision::kNotInformedOtherGrounds;
  const auto kE = PrimaryMethod::kEnisaStroud, kN = PrimaryMethod::kNhsGrid;
  const std::vector<IndividualsCase> cases = {
      {"A01", enisa(16), kE, AR::kCommunicateDirectly, false},
      {"A02", enisa(13), kE, AR::kExemptTechnicalMeasures, false},
      {"A03", a03, kE, AR::kExemptSubsequentMeasures, false},
      {"A04", a04, kE, AR::kPublicCommunication, false},
      {"A05", enisa(10), kE, AR::kDpoDecisionRequired, false},
      {"A06", enisa(1), kE, AR::kNotRequired, false},
      {"A07", a07, kE, AR::kCommunicateDirectly, false},
      {"A08", nhs(6), kN, AR::kCommunicateDirectly, false},
      {"A09", nhs(4), kN, AR::kDpoDecisionRequired, false},
      {"A10", nhs(1), kN, AR::kNotRequired, false},
      {"A11", a11, kN, AR::kCommunicateDirectly, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    CoreConfig config;
    config.primary_method = c.method;
    auto d = Derive(c.incident, config, kNow);
    ASSERT_TRUE(d.ok()) << d.status().ToString();
    EXPECT_EQ(d->individuals_recommendation, c.expected);
    EXPECT_EQ(!d->warnings.empty() && d->warnings[0] == "NON_STATUTORY_GROUND", c.warning);
  }
}

TEST(IndividualsWorkedExamples, AbsentWithoutAPrimaryResult) {
  auto d = Derive(Incident{}, CoreConfig{}, kNow);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->individuals_recommendation);
  EXPECT_FALSE(d->headline_recommendation);
}

TEST(Escalations, FlagsFollowSection27) {
  Incident in = FromNhsCase(kNhs[5]);  // N06: I_eff 4
  in.s4_types = {IncidentType::kPasswordSharing};
  auto d = Derive(in, CoreConfig{}, kNow);
  const auto& e = d->escalation_suggestions;
  EXPECT_EQ(e.siro_flag, true);
  EXPECT_TRUE(e.caldicott_flag);  // siro
  EXPECT_TRUE(e.comms_flag);
  EXPECT_TRUE(e.ict_flag);
  Incident quiet = FromNhsCase(kNhs[0]);
  auto q = Derive(quiet, CoreConfig{}, kNow);
  EXPECT_FALSE(q->escalation_suggestions.caldicott_flag);
  EXPECT_FALSE(q->escalation_suggestions.comms_flag);
  EXPECT_FALSE(q->escalation_suggestions.ict_flag);
}

}  // namespace
}  // namespace sendguard::incident
