// SPDX-License-Identifier: Apache-2.0
// Need to know: which cases each role sees, and the reason given for the rest.
#include "case_scope.h"

#include <gtest/gtest.h>

#include "test_callers.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

using test_support::As;

json Shown(json incident, json escalation_suggestions = json::object()) {
  return {{"incident", std::move(incident)}, {"derived", {{"escalation_suggestions", std::move(escalation_suggestions)}}}};
}

TEST(CaseScopeTest, AnInvestigatingOfficerSeesOnlyTheirOwnCases) {
  const Caller lee = As(Role::kInvestigatingOfficer, "lee.manager@council.example.gov.uk");
  EXPECT_TRUE(LimitedToSomeCases(lee));
  EXPECT_EQ(HiddenReason(lee, Shown({{"investigating_officer", {{"id", "Lee.Manager@council.example.gov.uk"}, {"name", "Lee"}}}})), "");
  EXPECT_EQ(HiddenReason(lee, Shown({{"investigating_officer", {{"id", "another@council.example.gov.uk"}}}})),
            "this case is not assigned to you as investigating officer");
  EXPECT_NE(HiddenReason(lee, Shown(json::object())), "") << "an unassigned case is nobody's";
}

TEST(CaseScopeTest, TheSiroAndTheCaldicottGuardianSeeWhatIsEscalatedToThem) {
  const Caller siro = As(Role::kSiro, "siro1"), cg = As(Role::kCaldicottGuardian, "cg1");
  const json told_siro = {{"escalations", {{"siro_informed_at", "2026-11-21T10:00Z"}}}};
  EXPECT_EQ(HiddenReason(siro, Shown(told_siro)), "");
  EXPECT_EQ(HiddenReason(siro, Shown(json::object(), {{"siro_flag", true}})), "") << "flagged by the grid";
  EXPECT_EQ(HiddenReason(siro, Shown(json::object(), {{"siro_flag", nullptr}})), "this case has not been escalated to the SIRO");
  EXPECT_NE(HiddenReason(cg, Shown(told_siro)), "") << "told the SIRO is not told the Caldicott Guardian";
  EXPECT_EQ(HiddenReason(cg, Shown(json::object(), {{"caldicott_flag", true}})), "");
  EXPECT_EQ(HiddenReason(cg, Shown({{"escalations", {{"caldicott_informed_at", "2026-11-21T10:00Z"}}}})), "");
}

TEST(CaseScopeTest, AScopedIgOfficerSeesTheirDirectoratesAndUnassignedCases) {
  const Caller scoped = As(Role::kIgOfficer, "ig2", {"Children's Services"});
  EXPECT_EQ(HiddenReason(scoped, Shown({{"s2_directorate", "children's services"}})), "");
  EXPECT_EQ(HiddenReason(scoped, Shown(json::object())), "") << "not yet given a directorate: someone must triage it";
  EXPECT_EQ(HiddenReason(scoped, Shown({{"s2_directorate", "Adult Social Care"}})), "this case belongs to another directorate");
  const Caller everyone = As(Role::kIgOfficer, "ig1");
  EXPECT_FALSE(LimitedToSomeCases(everyone));
  EXPECT_EQ(HiddenReason(everyone, Shown({{"s2_directorate", "Adult Social Care"}})), "");
  EXPECT_FALSE(LimitedToSomeCases(As(Role::kDpo, "dpo1")));
}

}  // namespace
}  // namespace sendguard::incident
