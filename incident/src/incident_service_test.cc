// SPDX-License-Identifier: Apache-2.0
// The core's operations over a real SQLite file and a real PostgreSQL database: auto-filed
// drafts (kinds, idempotency), edits with permissions and the audit trail, the lifecycle end
// to end, refusals with the field and the reason, a report from a seeded store, the online
// backup, and two cores on one database.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "sendguard/common/postgres.h"
#include "sendguard/common/sqlite.h"
#include "sendguard/incident/store.h"
#include "sendguard/testing/test_database.h"
#include "sendguard/incident/incident_service.h"
#include "test_actors.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const Actor kSystem{"milter", "sendguard-milter", Role::kSystem};
using test_support::kDpo;
using test_support::kIg;
const Actor kReporter{"r1", "A Reporter", Role::kReporter};

std::string OneWord(std::string name) {
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

class ServiceTest : public ::testing::TestWithParam<common::SqlDialect> {
 protected:
  // One directory per test (a parameterised test's name has a '/': made one word).
  ServiceTest() : dir_(fs::temp_directory_path() / ("sendguard-core-" + std::to_string(::getpid()) + "-" +
                                                     OneWord(::testing::UnitTest::GetInstance()->current_test_info()->name()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    where_ = sendguard::testing::NewTestDatabase(GetParam(), dir_);
    auto opened = OpenStore(where_);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
    service_ = std::make_unique<IncidentService>(*store_, CoreConfig{}, [this] { return now_; });
  }
  ~ServiceTest() override { fs::remove_all(dir_); }

  json MailFilterDraft(const std::string& event, const std::string& action) {
    return {{"source", "MAIL_FILTER"}, {"mf_event_id", event}, {"mf_action", action},
            {"mf_event_at", FormatInstant(now_)}, {"mf_sender", "s.okafor@council.example.gov.uk"},
            {"mf_data_categories", {"HEALTH", "BASIC_IDENTIFIERS"}}, {"mf_estimated_individuals", 14}};
  }
  json Show(const std::string& id) { return *service_->Show(id).value; }

  fs::path dir_;
  std::string where_;  // the store, as OpenStore takes it
  Instant now_ = *ParseInstant("2024-06-03T07:05Z");
  std::unique_ptr<IncidentStore> store_;
  std::unique_ptr<IncidentService> service_;
};

TEST_P(ServiceTest, M01BlockedSendIsANearMissDraftAndRetriesFileItOnce) {
  auto first = service_->Create(MailFilterDraft("ev-1", "BLOCKED"), kSystem);
  ASSERT_TRUE(first.ok()) << first.refusal->errors[0].field << ": " << first.refusal->errors[0].reason;
  auto again = service_->Create(MailFilterDraft("ev-1", "BLOCKED"), kSystem);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*first.value, *again.value);
  EXPECT_EQ(service_->List(ListFilter{}).value->size(), 1u);
  json shown = Show(*first.value);
  EXPECT_EQ(shown["incident"]["kind"], "NEAR_MISS");
  EXPECT_EQ(shown["incident"]["status"], "DRAFT");
  EXPECT_EQ(shown["incident"]["s1_how_found_out"], "Mail filter alert ev-1");
  EXPECT_EQ(shown["derived"]["clocks"]["TRIAGE"]["state"], "NOT_STARTED");
  EXPECT_EQ(shown["derived"]["clocks"]["ICO_72H"]["state"], "NOT_STARTED");
  EXPECT_EQ(shown["audit"][0]["what"], "created");
  EXPECT_EQ(shown["audit"][0]["by"]["role"], "SYSTEM");
}

TEST_P(ServiceTest, M03OverriddenWarningTriagedToABreachWithEarlierAwareness) {
  auto id = *service_->Create(MailFilterDraft("ev-3", "WARNED_USER_OVERRODE"), kSystem).value;
  EXPECT_EQ(Show(id)["derived"]["clocks"]["TRIAGE"]["state"], "RUNNING");
  now_ = *ParseInstant("2024-06-03T09:15Z");  // 10:15 BST
  auto r = service_->Update(id, {{"kind", "BREACH"}}, kIg, "the recipient replied");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r.value)["incident"]["aware_at"], "2024-06-03T09:15Z");
  EXPECT_EQ((*r.value)["incident"]["s1_aware_local"], "2024-06-03T10:15");
  // The IG officer enters the earlier moment the council knew (the reply at 09:40 BST).
  r = service_->Update(id, {{"s1_aware_local", "2024-06-03T09:40"}}, kIg, "reply received 09:40");
  ASSERT_TRUE(r.ok()) << r.refusal->errors[0].reason;
  const json& d = (*r.value)["derived"];
  EXPECT_EQ(d["clocks"]["TRIAGE"]["state"], "MET");
  EXPECT_EQ(d["clocks"]["aware_at"], "2024-06-03T08:40Z");
  EXPECT_EQ(d["clocks"]["ICO_72H"]["due_local"], "Thu 6 Jun 2024 09:40 BST");
  EXPECT_EQ(d["clocks"]["FORM_24H"]["due_local"], "Tue 4 Jun 2024 09:40 BST");
}

TEST_P(ServiceTest, BadRequestsAreRefusedWithTheFieldAndTheReason) {
  auto r = service_->Create({{"s7_individuals", 3}, {"nhs_impact", "high"}}, kIg);
  ASSERT_TRUE(r.refusal);
  EXPECT_EQ(r.refusal->http_status, 400);
  ASSERT_EQ(r.refusal->errors.size(), 2u);
  r = service_->Create({{"status", "CLOSED"}}, kIg);
  EXPECT_EQ(r.refusal->errors[0].field, "status");
  r = service_->Create(MailFilterDraft("ev-x", "BLOCKED"), kIg);
  EXPECT_EQ(r.refusal->http_status, 400);  // mf_ fields from a person
  r = service_->Create({{"source", "HUMAN_REPORT"}}, kSystem);
  EXPECT_EQ(r.refusal->http_status, 403);

  auto id = *service_->Create({{"title", "Letter to wrong address"}}, kReporter).value;
  auto u = service_->Update(id, {{"dpo_ico_decision", "REPORT"}}, kIg, "");
  ASSERT_TRUE(u.refusal);
  EXPECT_EQ(u.refusal->http_status, 403);
  EXPECT_EQ(u.refusal->errors[0].field, "dpo_ico_decision");
  u = service_->Update(id, {{"kind", "SEVERE"}}, kIg, "");
  EXPECT_EQ(u.refusal->http_status, 400);
  EXPECT_NE(u.refusal->errors[0].reason.find("is not one of"), std::string::npos);
  auto t = service_->Transition(id, "REPORTED_TO_ICO", kDpo, "");
  EXPECT_EQ(t.refusal->http_status, 409);
  EXPECT_NE(t.refusal->errors[0].reason.find("no transition DRAFT -> REPORTED_TO_ICO"), std::string::npos);
  EXPECT_EQ(service_->Show("no-such-id").refusal->http_status, 404);
  // Optimistic concurrency.
  EXPECT_EQ(service_->Update(id, {{"title", "x"}}, kIg, "", 7).refusal->http_status, 409);
}

TEST_P(ServiceTest, ReporterEditsOnlyTheirOwnDraft) {
  auto id = *service_->Create({{"title", "Lost folder"}}, kReporter).value;
  EXPECT_TRUE(service_->Update(id, {{"s5_what_happened", "Left on a bus."}}, kReporter, "").ok());
  Actor other{"r2", "Someone Else", Role::kReporter};
  EXPECT_EQ(service_->Update(id, {{"s5_what_happened", "x"}}, other, "").refusal->http_status, 403);
}

TEST_P(ServiceTest, ABreachFromDraftToReportedToIcoWithAnAuditTrail) {
  now_ = *ParseInstant("2024-06-03T08:00Z");  // 09:00 in London: the 08:30 awareness below has happened
  // The reporter reports; classifying it a breach is the IG officer's call.
  auto created = service_->Create({{"title", "Spreadsheet to wrong address"},
                                   {"s1_name", "A Manager"}, {"s1_email", "a.manager@council.example.gov.uk"},
                                   {"s1_aware_local", "2024-06-03T08:30"}}, kReporter);
  ASSERT_TRUE(created.ok()) << created.refusal->errors[0].field << ": " << created.refusal->errors[0].reason;
  const std::string id = *created.value;
  auto u = service_->Update(id, {{"kind", "BREACH"}, {"incident_number", "IG-2024-0001"},
                                 {"investigating_officer", {{"id", "lm1"}, {"name", "Line Manager"}}}}, kIg, "");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u.value)["incident"]["office_logged"], "YES");
  ASSERT_TRUE(service_->Transition(id, "UNDER_INVESTIGATION", kIg, "").ok());
  json form = {{"s1_how_found_out", "The recipient phoned."}, {"s2_name", "B Officer"},
               {"s2_email", "b.officer@council.example.gov.uk"}, {"s2_directorate", "Children's Services"},
               {"s2_service_area", "Early Help"}, {"s2_gdpr_training_last_year", "NO"},
               {"s3_head_of_service_name", "C Head"}, {"s3_head_of_service_email", "c.head@council.example.gov.uk"},
               {"s4_types", {"INCORRECT_RECIPIENT"}}, {"s4_cyber_related", "NO"},
               {"s5_what_happened", "A referral list was emailed to the wrong outside address."},
               {"s5_happened_before", "NO"}, {"s6_data_categories", {"HEALTH", "BASIC_IDENTIFIERS"}},
               {"s7_subject_categories", {"CHILDREN"}}, {"s7_individuals_affected", 14}, {"records_affected", 14},
               {"s8_potential_consequences", "Distress to families."}, {"s8_actual_harm", "None known."},
               {"s8_likelihood", "LIKELY"}, {"s8_likelihood_justification", "It was opened."},
               {"s9_measures_in_place", "Address checks."}, {"s9_actions_taken_or_proposed", "Deletion confirmed."},
               {"disclosure_channel", "EMAIL"}, {"root_cause", "HUMAN_ERROR"}, {"cia_categories", {"CONFIDENTIALITY"}},
               {"nhs_likelihood", 3}, {"nhs_impact", 1}, {"nhs_rationale", "Opened by the recipient."}};
  now_ = *ParseInstant("2024-06-03T12:00Z");
  u = service_->Update(id, form, kIg, "");
  ASSERT_TRUE(u.ok()) << u.refusal->errors[0].field << ": " << u.refusal->errors[0].reason;
  EXPECT_EQ((*u.value)["incident"]["form_completed_at"], "2024-06-03T12:00Z");
  EXPECT_EQ((*u.value)["derived"]["clocks"]["FORM_24H"]["state"], "MET");
  EXPECT_EQ((*u.value)["derived"]["nhs_result"]["score"], 6);  // impact floored to 2 (children)
  EXPECT_EQ((*u.value)["derived"]["headline_recommendation"], "REPORT");
  ASSERT_TRUE(service_->Transition(id, "ASSESSED", kIg, "").ok());
  ASSERT_TRUE(service_->Update(id, {{"dpo_ico_decision", "REPORT"}, {"dpo_ico_rationale", "Children's health data."},
                                    {"office_date_discussed_with_dpo", "2024-06-03"}}, kDpo, "").ok());
  const json submission = {{"ico_submissions", {{{"type", "INITIAL"}, {"submitted_at", "2024-06-03T15:00Z"},
                                                {"to_follow", {"dpo_contact"}}}}}};
  auto early = service_->Update(id, submission, kIg, "");
  ASSERT_FALSE(early.ok()) << "it is 12:00 still: a submission at 15:00 has not happened";
  EXPECT_EQ(early.refusal->errors[0].reason, "[0].submitted_at is in the future");
  now_ = *ParseInstant("2024-06-03T16:00Z");
  ASSERT_TRUE(service_->Update(id, submission, kIg, "").ok());
  auto t = service_->Transition(id, "REPORTED_TO_ICO", kDpo, "");
  ASSERT_TRUE(t.ok()) << t.refusal->errors[0].reason;
  const json& shown = *t.value;
  EXPECT_EQ(shown["incident"]["status"], "REPORTED_TO_ICO");
  EXPECT_EQ(shown["incident"]["office_ico_reporting_needed"], "YES");
  EXPECT_EQ(shown["incident"]["office_date_reported_to_ico"], "2024-06-03");
  EXPECT_EQ(shown["incident"]["dpo_ico_decided_by"]["id"], "dpo1");
  EXPECT_EQ(shown["derived"]["clocks"]["ICO_72H"]["state"], "MET");
  // Every change is in the trail: who, when, old, new.
  bool saw_transition = false, saw_decision = false;
  for (const auto& e : shown["audit"]) {
    if (e["what"] == "transition" && e["new"] == "REPORTED_TO_ICO") saw_transition = e["old"] == "ASSESSED";
    if (e["what"] == "dpo_ico_decision") saw_decision = e["by"]["role"] == "DPO" && e["new"] == "REPORT";
  }
  EXPECT_TRUE(saw_transition);
  EXPECT_TRUE(saw_decision);
  // Kind is frozen now (L05).
  EXPECT_EQ(service_->Update(id, {{"kind", "NEAR_MISS"}}, kDpo, "").refusal->http_status, 403);
}

// Records keep their integrity: a closed incident changes only once reopened with a reason;
// a time recorded as past cannot be in the future; the spec's actor_type and behaviour are
// fields like any other.
TEST_P(ServiceTest, ClosedIsReadOnlyFutureTimesAreRefusedAndEverySpecFieldIsAccepted) {
  auto id = *service_->Create({{"title", "Lost folder"}, {"kind", "NEAR_MISS"}, {"actor_type", "CONTRACTOR_OR_PROCESSOR"},
                               {"behaviour", "ACCIDENTAL"}}, kIg).value;
  EXPECT_EQ(Show(id)["incident"]["behaviour"], "ACCIDENTAL");
  auto bad = service_->Update(id, {{"behaviour", "MALICIOUS"}}, kIg, "");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.refusal->errors[0].field, "behaviour");
  // now_ is 2024-06-03T07:05Z (08:05 in London).
  for (const json& future : {json{{"s1_aware_local", "2024-06-03T09:30"}}, json{{"s2_date_of_breach", "2024-06-04"}},
                             json{{"individuals_communicated_at", "2024-06-03T09:00Z"}},
                             json{{"action_plan", {{{"description", "Refresher training"}, {"due", "2024-07-01"},
                                                    {"completed_at", "2024-06-10T09:00Z"}}}}}}) {
    auto r = service_->Update(id, future, kIg, "typed ahead");
    ASSERT_FALSE(r.ok()) << future.dump();
    EXPECT_NE(r.refusal->errors[0].reason.find("in the future"), std::string::npos) << r.refusal->errors[0].reason;
  }
  EXPECT_TRUE(service_->Update(id, {{"s2_date_of_breach", "2024-06-03"}}, kIg, "").ok()) << "today is not the future";
  EXPECT_TRUE(service_->Update(id, {{"action_plan", {{{"description", "Refresher training"}, {"due", "2024-07-01"}}}}}, kIg, "").ok())
      << "a due date is the future by nature";
  EXPECT_FALSE(service_->Create({{"title", "x"}, {"s2_date_of_breach", "2030-01-01"}}, kIg).ok()) << "create checks it too";
  // Close it; then it is read-only until reopened.
  ASSERT_TRUE(service_->Update(id, {{"kind", "NOT_A_BREACH"}, {"not_breach_reason", "NO_PERSONAL_DATA"}}, kIg, "").ok());
  auto closed = service_->Transition(id, "CLOSED", kIg, "");
  ASSERT_TRUE(closed.ok()) << closed.refusal->errors[0].reason;
  auto edit = service_->Update(id, {{"nhs_likelihood", 5}}, kIg, "re-scored");
  ASSERT_FALSE(edit.ok());
  EXPECT_EQ(edit.refusal->http_status, 409);
  EXPECT_NE(edit.refusal->errors[0].reason.find("reopen it"), std::string::npos);
  EXPECT_FALSE(service_->Transition(id, "UNDER_INVESTIGATION", kIg, "the recipient has come back").ok()) << "reopening is the DPO's";
  ASSERT_TRUE(service_->Transition(id, "UNDER_INVESTIGATION", kDpo, "the recipient has come back").ok());
  EXPECT_TRUE(service_->Update(id, {{"nhs_likelihood", 2}}, kIg, "").ok());
}

TEST_P(ServiceTest, NotesAndTheAppendOnlyAuditLog) {
  auto id = *service_->Create({{"title", "t"}}, kReporter).value;
  ASSERT_TRUE(service_->AddNote(id, "Spoke to the recipient; deletion confirmed by phone.", kIg).ok());
  EXPECT_EQ(Show(id)["audit"].back()["what"], "note");
  EXPECT_EQ(service_->AddNote(id, "x", kReporter).refusal->http_status, 403);
  auto db = common::SqliteDb::Open(dir_ / "incidents.db");
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE((*db)->Exec("UPDATE audit SET reason = 'rewritten'").ok());
  EXPECT_FALSE((*db)->Exec("DELETE FROM audit").ok());
}

TEST_P(ServiceTest, ListOrdersByDeadlineAndFilters) {
  now_ = *ParseInstant("2024-06-03T12:00Z");  // after both awareness times below
  // The IG officer files them classified (a reporter may not set the kind, on create as on edit).
  auto later = *service_->Create({{"title", "later"}, {"kind", "BREACH"}, {"s1_aware_local", "2024-06-03T09:00"}}, kIg).value;
  auto sooner = *service_->Create({{"title", "sooner"}, {"kind", "BREACH"}, {"s1_aware_local", "2024-06-01T09:00"}}, kIg).value;
  ASSERT_TRUE(service_->Create({{"title", "no clock"}, {"kind", "NEAR_MISS"}}, kIg).ok());
  auto list = *service_->List(ListFilter{}).value;
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["incident_id"], sooner);
  EXPECT_EQ(list[1]["incident_id"], later);
  EXPECT_EQ(list[0]["deadline"]["clock"], "ICO_72H");
  ListFilter near;
  near.kind = "NEAR_MISS";
  EXPECT_EQ(service_->List(near).value->size(), 1u);
}

TEST_P(ServiceTest, IncidentsAboutTheSameEmailAreLinked) {
  const std::string email(64, 'a'), other(64, 'b');
  json quarantined = MailFilterDraft("ev-q", "BLOCKED");
  quarantined["mf_message_id_hash"] = email;
  json released = MailFilterDraft("ev-r", "WARNED_USER_OVERRODE");
  released["mf_message_id_hash"] = email;
  json unrelated = MailFilterDraft("ev-u", "BLOCKED");
  unrelated["mf_message_id_hash"] = other;
  const std::string q = *service_->Create(quarantined, kSystem).value;
  now_ = *ParseInstant("2024-06-03T07:30Z");
  const std::string r = *service_->Create(released, kSystem).value;
  const std::string u = *service_->Create(unrelated, kSystem).value;
  // A self-report has no mf_ fields: the scan record's hash comes beside the draft.
  now_ = *ParseInstant("2024-06-03T08:00Z");
  const std::string s = *service_->Create({{"title", "Misdirected email (self-reported)"}}, kReporter, "self-report-x", email).value;
  const json related = Show(q)["related"];
  ASSERT_EQ(related.size(), 2u) << related.dump();
  EXPECT_EQ(related[0]["incident_id"], r);  // oldest first
  EXPECT_EQ(related[0]["mf_action"], "WARNED_USER_OVERRODE");
  EXPECT_EQ(related[1]["incident_id"], s);
  EXPECT_EQ(Show(s)["related"].size(), 2u);
  EXPECT_TRUE(Show(u)["related"].empty());
  // Editing an incident keeps its link (the hash is set when filed, never by an edit).
  ASSERT_TRUE(service_->Update(s, {{"s5_what_happened", "Sent to the wrong Smith"}}, kReporter, "").ok());
  EXPECT_EQ(Show(q)["related"].size(), 2u);
  ListFilter same;
  same.message_hash = email;
  EXPECT_EQ(service_->List(same).value->size(), 3u);
}

TEST_P(ServiceTest, ReportFromASeededStore) {
  now_ = *ParseInstant("2022-10-01T00:00Z");
  for (int i = 0; i < 5; ++i) {
    service_->Create({{"kind", "BREACH"}, {"s2_date_of_breach", "2022-04-1" + std::to_string(i)},
                      {"root_cause", i < 3 ? "HUMAN_ERROR" : "UNAUTHORISED_ACCESS"},
                      {"s2_directorate", "Housing"}}, kIg);
  }
  service_->Create({{"kind", "BREACH"}, {"s2_date_of_breach", "2021-12-01"}, {"root_cause", "HUMAN_ERROR"}}, kIg);
  service_->Create({{"kind", "NEAR_MISS"}, {"s2_date_of_breach", "2022-05-01"}}, kIg);
  ReportParams p;
  p.period_start = *ParseDate("2022-03-01");
  p.period_end = *ParseDate("2022-09-01");
  auto r = service_->BuildCommitteeReport(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value->Find("M1")->rows[0].current, 5);
  EXPECT_EQ(r.value->Find("M1")->rows[0].previous, 1);
  EXPECT_EQ(r.value->Find("M1")->rows[0].change_pct, "+400");
  EXPECT_EQ(r.value->Find("M3")->rows[0].current_pct, "60");
  EXPECT_EQ(r.value->Find("M1")->rows[1].current, 1);
}

// The action plan followed up: open and overdue counts on each list entry (the dashboard), and
// every open action in the committee report whatever the period, with days overdue.
TEST_P(ServiceTest, OpenAndOverdueActionsAreListedAndReported) {
  now_ = *ParseInstant("2026-12-06T12:00Z");
  const json plan = json::array({{{"description", "Refresher training"}, {"owner", {{"id", "lm1"}, {"name", "Lee Manager"}}},
                                  {"due", "2026-12-01"}},
                                 {{"description", "Autocomplete off for outside domains"}, {"owner", {{"id", "ict"}, {"name", "ICT"}}},
                                  {"due", "2026-12-20"}},
                                 {{"description", "Letter to the family"}, {"due", "2026-11-30"}, {"completed_at", "2026-11-29T10:00Z"}},
                                 {{"description", "Policy review"}, {"due", "2026-11-01"}, {"waived_reason", "covered by the annual review"}}});
  auto id = service_->Create({{"kind", "BREACH"}, {"incident_number", "IG-2026-0500"}, {"s2_date_of_breach", "2025-06-01"},
                              {"action_plan", plan}}, kIg);
  ASSERT_TRUE(id.ok());
  auto listed = service_->List(ListFilter{});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed.value->size(), 1u);
  EXPECT_EQ((*listed.value)[0]["open_actions"], 2);
  EXPECT_EQ((*listed.value)[0]["overdue_actions"], 1);
  ReportParams p;
  p.period_start = *ParseDate("2026-04-01");
  p.period_end = *ParseDate("2027-04-01");
  auto r = service_->BuildCommitteeReport(p);
  ASSERT_TRUE(r.ok());
  const ReportTable* actions = r.value->Find("ACTIONS");
  ASSERT_NE(actions, nullptr) << "an incident from another period still has its open actions reported";
  ASSERT_EQ(actions->rows.size(), 2u);
  EXPECT_EQ(actions->rows[0].label, "IG-2026-0500: Refresher training (owner Lee Manager, due 2026-12-01)");
  EXPECT_EQ(actions->rows[0].current, 5) << "days overdue";
  EXPECT_EQ(actions->rows[1].current, 0) << "not yet due";
  EXPECT_NE(RenderCsv(*r.value).find("Refresher training"), std::string::npos);
}

TEST_P(ServiceTest, OnlineBackupIsACompleteCopy) {
  auto id = *service_->Create({{"title", "kept"}}, kReporter).value;
  const mode_t old_mask = ::umask(022);  // a root shell's usual umask
  const Status backed_up = store_->Backup(dir_ / "backup.db");
  ::umask(old_mask);
  if (GetParam() == common::SqlDialect::kPostgres) {
    // PostgreSQL is backed up by its own tools; sendguard says so rather than half-copy it.
    EXPECT_EQ(backed_up.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(backed_up.message().find("pg_dump"), std::string::npos) << backed_up.message();
    return;
  }
  ASSERT_TRUE(backed_up.ok());
  EXPECT_EQ(fs::status(dir_ / "backup.db").permissions(), fs::perms::owner_read | fs::perms::owner_write)
      << "the copy of the store is as private as the store";
  auto copy = OpenSqliteStore(dir_ / "backup.db");
  ASSERT_TRUE(copy.ok());
  auto got = (*copy)->Get(id);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((**got).document["title"], "kept");
}

// Two cores on one database (two connections here, each with its own service, as two
// processes have): filing at once keeps one unbroken audit chain, an edit made from a stale
// read is refused on either, and a notification is claimed by one of them only.
TEST_P(ServiceTest, TwoCoresOnOneDatabaseFileEditAndNotifyOnce) {
  std::vector<std::thread> cores;
  std::atomic<int> failures{0};
  for (int c = 0; c < 2; ++c) {
    cores.emplace_back([&, c] {
      auto store = OpenStore(where_);
      if (!store.ok()) {
        ++failures;
        return;
      }
      IncidentService service(**store, CoreConfig{}, [this] { return now_; });
      for (int i = 0; i < 25; ++i) {
        auto made = service.Create(MailFilterDraft("core" + std::to_string(c) + "-" + std::to_string(i), "BLOCKED"), kSystem);
        if (!made.ok()) ++failures;
      }
    });
  }
  for (auto& t : cores) t.join();
  EXPECT_EQ(failures.load(), 0);
  ListFilter all;
  auto rows = store_->List(all);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 50u);
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem << " at " << check->first_bad_seq;
  EXPECT_EQ(check->entries, 50);

  auto other = OpenStore(where_);
  ASSERT_TRUE(other.ok());
  const StoredIncident one = rows->front();
  IndexColumns index;
  index.kind = "NEAR_MISS";
  index.status = "DRAFT";
  index.source = "MAIL_FILTER";
  AuditEntry edit{0, now_, "u1", "IG officer", "IG_OFFICER", "title", "", "edited", ""};
  ASSERT_TRUE(store_->Update(one.id, one.version, one.document, index, {edit}).ok());
  const Status stale = (*other)->Update(one.id, one.version, one.document, index, {edit});
  EXPECT_EQ(stale.code(), StatusCode::kResourceExhausted) << stale.message();

  EXPECT_TRUE(*store_->ClaimNotification(one.id, "new", now_));
  EXPECT_FALSE(*(*other)->ClaimNotification(one.id, "new", now_)) << "the other core is sending it";
  EXPECT_FALSE(*(*other)->Notified(one.id, "new"));
  // The first core died before sending: after the lease the other takes it, and sends it once.
  const Instant later = now_ + std::chrono::minutes(11);
  EXPECT_TRUE(*(*other)->ClaimNotification(one.id, "new", later));
  ASSERT_TRUE((*other)->MarkNotified(one.id, "new", later).ok());
  EXPECT_TRUE(*store_->Notified(one.id, "new"));
  EXPECT_FALSE(*store_->ClaimNotification(one.id, "new", later + std::chrono::hours(1)));
  // A core gives back only its own claim: the one that lost its lease cannot free the other's.
  EXPECT_TRUE(*store_->ClaimNotification(one.id, "ICO_72H:DUE_SOON", now_));
  EXPECT_TRUE(*(*other)->ClaimNotification(one.id, "ICO_72H:DUE_SOON", later));  // took over the lapsed claim
  ASSERT_TRUE(store_->ReleaseNotification(one.id, "ICO_72H:DUE_SOON").ok());
  EXPECT_FALSE(*store_->ClaimNotification(one.id, "ICO_72H:DUE_SOON", later)) << "the late core freed the other's claim";
  // A claim given back (the send failed) can be taken again at once; jobs work the same way.
  EXPECT_TRUE(*store_->ClaimJob("digest:x", now_));
  EXPECT_FALSE(*(*other)->ClaimJob("digest:x", now_));
  ASSERT_TRUE(store_->ReleaseJob("digest:x").ok());
  EXPECT_TRUE(*(*other)->ClaimJob("digest:x", now_));
  ASSERT_TRUE((*other)->MarkJobDone("digest:x", now_).ok());
  EXPECT_TRUE(*store_->JobDone("digest:x"));
  check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem;
}

// PostgreSQL drops the core's connection (a restart, a failover, an idle session cut): the next
// change either happens whole or not at all, never as separate statements without the audit
// chain's lock; the one after reconnects; the chain still verifies.
TEST_P(ServiceTest, ALostConnectionNeverHalfAppliesAChange) {
  if (GetParam() != common::SqlDialect::kPostgres) GTEST_SKIP() << "SQLite has no connection to lose";
  auto id = *service_->Create({{"title", "before"}}, kIg).value;
  auto killer = common::PostgresDb::Open(where_);
  ASSERT_TRUE(killer.ok());
  auto kill = (*killer)->Prepare(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(kill.ok());
  while ((*kill)->Step()) {
  }
  auto first = service_->Update(id, {{"title", "after"}}, kIg, "", 0);
  auto shown = service_->Show(id);
  if (first.ok()) {
    EXPECT_EQ((*shown.value)["incident"]["title"], "after");
  } else {
    // Refused: then nothing of it was stored (the store answered once the connection was back).
    ASSERT_TRUE(shown.ok());
    EXPECT_EQ((*shown.value)["incident"]["title"], "before") << "the edit was stored although it was refused";
    EXPECT_TRUE(service_->Update(id, {{"title", "after"}}, kIg, "", 0).ok());
  }
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok()) << check.status().message();
  EXPECT_TRUE(check->ok) << check->problem;
}

INSTANTIATE_TEST_SUITE_P(Backends, ServiceTest, ::testing::ValuesIn(sendguard::testing::kBackends),
                         [](const auto& p) { return sendguard::testing::BackendName(p.param); });

}  // namespace
}  // namespace sendguard::incident
