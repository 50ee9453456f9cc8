// SPDX-License-Identifier: Apache-2.0
// Spec §7.3 (deadlines D01-D07 with their clock-state checks) and the clock parts of §7.5
// (mail-filter kinds M01-M05).
#include <gtest/gtest.h>

#include "sendguard/incident/clocks.h"

namespace sendguard::incident {
namespace {

Instant At(const char* utc) { return *ParseInstant(utc); }
LocalDateTime Local(const char* text) { return *ParseLocalDateTime(text); }

struct DeadlineCase {
  const char* id;
  const char* aware_local;
  const char* aware_utc;
  const char* form_due_local;
  const char* ico_due_local;
};

TEST(DeadlineWorkedExamples, D01ToD05) {
  const DeadlineCase cases[] = {
      {"D01", "2024-05-24T16:30", "2024-05-24T15:30Z", "Sat 25 May 2024 16:30 BST", "Mon 27 May 2024 16:30 BST"},
      {"D02", "2024-03-30T10:00", "2024-03-30T10:00Z", "Sun 31 Mar 2024 11:00 BST", "Tue 2 Apr 2024 11:00 BST"},
      {"D03", "2024-10-25T12:00", "2024-10-25T11:00Z", "Sat 26 Oct 2024 12:00 BST", "Mon 28 Oct 2024 11:00 GMT"},
      {"D04", "2024-10-27T01:30", "2024-10-27T00:30Z", "Mon 28 Oct 2024 00:30 GMT", "Wed 30 Oct 2024 00:30 GMT"},
      {"D05", "2024-03-31T01:30", "2024-03-31T01:00Z", "Mon 1 Apr 2024 02:00 BST", "Wed 3 Apr 2024 02:00 BST"},
      {"D06", "2024-12-23T09:00", "2024-12-23T09:00Z", "Tue 24 Dec 2024 09:00 GMT", "Thu 26 Dec 2024 09:00 GMT"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.id);
    Incident in;
    in.kind = IncidentKind::kBreach;
    in.s1_aware_local = Local(c.aware_local);
    auto clocks = ComputeClocks(in, CoreConfig{}, At("2024-01-01T00:00Z"));
    ASSERT_TRUE(clocks.aware_at);
    EXPECT_EQ(FormatInstant(*clocks.aware_at), c.aware_utc);
    EXPECT_EQ(FormatLondon(*clocks.form.due), c.form_due_local);
    EXPECT_EQ(FormatLondon(*clocks.ico.due), c.ico_due_local);
  }
}

Incident D06() {
  Incident in;
  in.kind = IncidentKind::kBreach;
  in.s1_aware_local = Local("2024-12-23T09:00");
  return in;
}

TEST(DeadlineWorkedExamples, D06LateSubmissionIsMissedBy25Hours) {
  Incident in = D06();
  in.ico_submissions.push_back({SubmissionType::kInitial, At("2024-12-27T10:00Z"), "", "", {}});
  auto c = ComputeClocks(in, CoreConfig{}, At("2025-01-10T00:00Z"));
  EXPECT_EQ(c.ico.state, ClockState::kMissed);
  EXPECT_EQ(c.ico.minutes_overdue, 25 * 60);
  EXPECT_EQ((*c.ico.stopped_at - *c.aware_at).count(), 97 * 60);
}

TEST(DeadlineWorkedExamples, D07SubmissionExactlyAtDueIsMet) {
  Incident in = D06();
  in.ico_submissions.push_back({SubmissionType::kInitial, At("2024-12-26T09:00Z"), "", "", {}});
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2025-01-10T00:00Z")).ico.state, ClockState::kMet);
}

TEST(DeadlineWorkedExamples, D06ClockStates) {
  Incident in = D06();
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2024-12-24T08:59Z")).ico.state, ClockState::kRunning);
  auto soon = ComputeClocks(in, CoreConfig{}, At("2024-12-25T09:00Z"));
  EXPECT_EQ(soon.ico.state, ClockState::kDueSoon);
  EXPECT_EQ(soon.ico.minutes_remaining, 24 * 60);
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2024-12-26T09:00Z")).ico.state, ClockState::kDueSoon);
  auto late = ComputeClocks(in, CoreConfig{}, At("2024-12-26T09:01Z"));
  EXPECT_EQ(late.ico.state, ClockState::kOverdue);
  EXPECT_EQ(late.ico.minutes_overdue, 1);
}

TEST(DeadlineWorkedExamples, NotReportableClosesTheIcoClock) {
  Incident in = D06();
  in.status = IncidentStatus::kNotReportable;
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2025-01-10T00:00Z")).ico.state, ClockState::kClosedNotReported);
  in.status = IncidentStatus::kClosed;
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2025-01-10T00:00Z")).ico.state, ClockState::kClosedNotReported);
}

TEST(DeadlineWorkedExamples, FormClockStopsWhenTheFormIsComplete) {
  Incident in = D06();
  in.form_completed_at = At("2024-12-24T08:00Z");
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2025-01-10T00:00Z")).form.state, ClockState::kMet);
  EXPECT_EQ(ComputeClocks(D06(), CoreConfig{}, At("2024-12-24T05:00Z")).form.state, ClockState::kDueSoon);
}

Incident MailFilter(const char* detected_utc) {
  Incident in;
  in.source = IncidentSource::kMailFilter;
  in.detected_at = At(detected_utc);
  return in;
}

TEST(MailFilterWorkedExamples, M01BlockedNearMissHasNoClocks) {
  Incident in = MailFilter("2024-06-03T07:05Z");
  in.kind = IncidentKind::kNearMiss;
  auto c = ComputeClocks(in, CoreConfig{}, At("2024-06-10T00:00Z"));
  EXPECT_EQ(c.form.state, ClockState::kNotStarted);
  EXPECT_EQ(c.ico.state, ClockState::kNotStarted);
  EXPECT_EQ(c.triage.state, ClockState::kNotStarted);
}

TEST(MailFilterWorkedExamples, M02UndeterminedRunsTheTriageClock) {
  Incident in = MailFilter("2024-06-03T07:05Z");
  auto c = ComputeClocks(in, CoreConfig{}, At("2024-06-03T08:00Z"));
  EXPECT_EQ(c.triage.state, ClockState::kRunning);
  EXPECT_EQ(FormatInstant(*c.triage.due), "2024-06-04T07:05Z");
  EXPECT_FALSE(c.aware_at);
  EXPECT_EQ(c.ico.state, ClockState::kNotStarted);
}

TEST(MailFilterWorkedExamples, M03EarlierAwarenessEnteredAtTriage) {
  Incident in = MailFilter("2024-06-03T07:05Z");  // 08:05 BST
  in.kind = IncidentKind::kBreach;
  in.kind_set_at = At("2024-06-03T09:15Z");         // 10:15 BST
  in.s1_aware_local = Local("2024-06-03T09:40");    // the wrong recipient's reply
  auto c = ComputeClocks(in, CoreConfig{}, At("2024-06-03T10:00Z"));
  EXPECT_EQ(c.triage.state, ClockState::kMet);
  EXPECT_EQ(FormatInstant(*c.aware_at), "2024-06-03T08:40Z");
  EXPECT_EQ(FormatLondon(*c.ico.due), "Thu 6 Jun 2024 09:40 BST");
  EXPECT_EQ(FormatLondon(*c.form.due), "Tue 4 Jun 2024 09:40 BST");
}

TEST(MailFilterWorkedExamples, M03WithoutEarlierAwarenessStartsAtTriage) {
  Incident in = MailFilter("2024-06-03T07:05Z");
  in.kind = IncidentKind::kBreach;
  in.kind_set_at = At("2024-06-03T09:15Z");
  EXPECT_EQ(FormatInstant(*ComputeClocks(in, CoreConfig{}, At("2024-06-03T10:00Z")).aware_at), "2024-06-03T09:15Z");
}

TEST(MailFilterWorkedExamples, M05UntouchedAuditOnlyIsOverdueAfter24Hours) {
  Incident in = MailFilter("2024-06-03T07:00Z");  // 08:00 BST
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2024-06-04T07:00Z")).triage.state, ClockState::kDueSoon);
  EXPECT_EQ(ComputeClocks(in, CoreConfig{}, At("2024-06-04T07:01Z")).triage.state, ClockState::kOverdue);
}

TEST(IndividualsClock, ShowsElapsedTimeOnly) {
  Incident in;
  in.dpo_individuals_decision = IndividualsDecision::kCommunicateDirectly;
  in.dpo_individuals_decided_at = At("2024-06-03T09:00Z");
  auto c = ComputeClocks(in, CoreConfig{}, At("2024-06-03T11:30Z"));
  EXPECT_EQ(c.individuals.state, ClockState::kRunning);
  EXPECT_EQ(c.individuals.minutes_elapsed, 150);
  EXPECT_FALSE(c.individuals.due);
}

}  // namespace
}  // namespace sendguard::incident
