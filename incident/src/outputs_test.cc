// SPDX-License-Identifier: Apache-2.0
// What the IG team sends out, from a worked incident in a real SQLite store: the letter (Art
// 34(2) content, English and Welsh, to a representative, read back from the PDF with poppler),
// the ICO report and its DSPT layout (every section, every field's source, nothing silently
// left out), the retention schedule over a store seeded across seven years (the dry run lists
// exactly what the real run then does; anonymised cases keep their counts and lose every name;
// the audit chain still verifies), and the subject access search.
#include <gtest/gtest.h>
#include <poppler-document.h>
#include <poppler-page.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "sendguard/common/sqlite.h"
#include "sendguard/incident/ico_report.h"
#include "sendguard/incident/incident_service.h"
#include "sendguard/incident/letters.h"
#include "sendguard/incident/outbound.h"
#include "test_actors.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

using test_support::kDpo;
using test_support::kIg;

Organisation Council() {
  Organisation o;
  o.name = "Example Borough Council";
  o.name_cy = "Cyngor Bwrdeistref Enghraifft";
  o.address = "Town Hall\nHigh Street\nEX1 1AA";
  o.ico_registration = "Z1234567";
  o.sector = "Local government";
  o.dpo_name = "Dana Officer";
  o.dpo_email = "dpo@council.example.gov.uk";
  o.dpo_phone = "01234 567890";
  return o;
}

std::string PdfText(const std::string& pdf) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!doc) return "";
  std::string out;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> p(doc->create_page(i));
    auto bytes = p->text().to_utf8();
    out += std::string(bytes.begin(), bytes.end()) + "\n";
  }
  // The letter keeps a telephone number on one line with no-break spaces.
  for (size_t at = out.find("\u00a0"); at != std::string::npos; at = out.find("\u00a0", at)) out.replace(at, 2, " ");
  return out;
}

class OutputsTest : public ::testing::Test {
 protected:
  OutputsTest() : dir_(fs::temp_directory_path() / ("sendguard-outputs-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(*OpenSqliteStore(dir_ / "incidents.db"));
    service_ = std::make_unique<IncidentService>(*store_, CoreConfig{}, [this] { return now_; });
  }
  ~OutputsTest() override { fs::remove_all(dir_); }

  // The worked breach: a referral list about 14 children emailed to the wrong outside address,
  // assessed, decided by the DPO, reported to the ICO in two phases.
  std::string WorkedBreach() {
    now_ = *ParseInstant("2026-06-03T08:00Z");
    auto created = service_->Create({{"title", "Referral list to the wrong address"}, {"kind", "BREACH"},
                                     {"incident_number", "IG-2026-0042"}, {"s1_name", "A Manager"},
                                     {"s1_email", "a.manager@council.example.gov.uk"}, {"s1_aware_local", "2026-06-03T08:30"},
                                     {"investigating_officer", {{"id", "lm1"}, {"name", "Line Manager"}}}},
                                    kIg);
    EXPECT_TRUE(created.ok());
    const std::string id = *created.value;
    auto moved = service_->Transition(id, "UNDER_INVESTIGATION", kIg, "");
    EXPECT_TRUE(moved.ok()) << moved.refusal->errors[0].reason;
    now_ = *ParseInstant("2026-06-03T12:00Z");
    json form = {{"s1_how_found_out", "The recipient phoned."}, {"s2_name", "B Officer"},
                 {"s2_email", "b.officer@council.example.gov.uk"}, {"s2_directorate", "Children's Services"},
                 {"s2_service_area", "Early Help"}, {"s2_gdpr_training_last_year", "NO"}, {"s2_date_of_breach", "2026-06-02"},
                 {"s3_head_of_service_name", "C Head"}, {"s3_head_of_service_email", "c.head@council.example.gov.uk"},
                 {"s4_types", {"INCORRECT_RECIPIENT"}}, {"s4_cyber_related", "NO"},
                 {"s5_what_happened", "A list of referrals was emailed to an outside address by mistake."},
                 {"s5_happened_before", "NO"}, {"s6_data_categories", {"HEALTH", "BASIC_IDENTIFIERS"}},
                 {"s7_subject_categories", {"CHILDREN"}}, {"s7_individuals_affected", 14}, {"records_affected", 14},
                 {"s8_potential_consequences", "Families may be distressed that health details were seen."},
                 {"s8_actual_harm", "None known."}, {"s8_likelihood", "LIKELY"}, {"s8_likelihood_justification", "It was opened."},
                 {"s9_measures_in_place", "Address checks."},
                 {"s9_actions_taken_or_proposed", "The recipient confirmed deletion; the sender has retrained."},
                 {"disclosure_channel", "EMAIL"}, {"root_cause", "HUMAN_ERROR"}, {"cia_categories", {"CONFIDENTIALITY"}},
                 {"containment", {"RECOVERED_OR_DESTROYED_CONFIRMED"}}, {"cross_border", "NO"},
                 {"nhs_likelihood", 3}, {"nhs_impact", 1}, {"nhs_rationale", "Opened by the recipient."}};
    auto u = service_->Update(id, form, kIg, "");
    EXPECT_TRUE(u.ok()) << (u.refusal ? u.refusal->errors[0].field + ": " + u.refusal->errors[0].reason : "");
    moved = service_->Transition(id, "ASSESSED", kIg, "");
    EXPECT_TRUE(moved.ok()) << moved.refusal->errors[0].reason;
    EXPECT_TRUE(service_->Update(id, {{"dpo_ico_decision", "REPORT"}, {"dpo_ico_rationale", "Children's health data."},
                                      {"office_date_discussed_with_dpo", "2026-06-03"},
                                      {"dpo_individuals_decision", "COMMUNICATE_DIRECTLY"}, {"dpo_individuals_rationale", "High risk."}},
                                 kDpo, "")
                    .ok());
    now_ = *ParseInstant("2026-06-05T16:00Z");
    EXPECT_TRUE(service_->Update(id, {{"ico_submissions", {{{"type", "INITIAL"}, {"submitted_at", "2026-06-03T15:00Z"},
                                                            {"ico_reference", "IC-123456-A1B2"}, {"to_follow", {"dpo_contact"}}},
                                                           {{"type", "FOLLOW_UP"}, {"submitted_at", "2026-06-05T10:00Z"}}}}},
                                 kIg, "")
                    .ok());
    return id;
  }
  json Show(const std::string& id) { return *service_->Show(id).value; }

  fs::path dir_;
  Instant now_ = *ParseInstant("2026-06-03T07:05Z");
  std::unique_ptr<IncidentStore> store_;
  std::unique_ptr<IncidentService> service_;
};

TEST_F(OutputsTest, TheLetterSaysWhatArticle34AsksInEnglish) {
  const std::string id = WorkedBreach();
  const json incident = Show(id)["incident"];
  const json draft = LetterDraft(incident, Council(), "en");
  EXPECT_FALSE(draft["saved"]);
  EXPECT_EQ(draft["consequences"], "Families may be distressed that health details were seen.") << "prefilled from section 8";
  EXPECT_EQ(draft["gaps"].size(), 0u) << draft.dump();
  const Addressee to{"Mrs Jane Example", "1 Sample Road\nExampletown\nEX2 2BB", "", "", ""};
  auto pdf = print::ToPdf(BuildLetter(incident, Council(), "en", to, now_));
  ASSERT_TRUE(pdf.ok());
  const std::string text = PdfText(*pdf);
  for (const char* must : {"Dear Mrs Jane Example", "1 Sample Road", "What happened", "emailed to an outside address",
                           "What this could mean", "Families may be distressed", "What we have done",
                           "The recipient confirmed deletion", "Dana Officer", "dpo@council.example.gov.uk", "01234 567890",
                           "IG-2026-0042", "ico.org.uk", "5 June 2026", "Example Borough Council", "Health", "Basic identifiers"}) {
    EXPECT_NE(text.find(must), std::string::npos) << must << "\n" << text;
  }
}

TEST_F(OutputsTest, TheWelshLetterIsInWelshAndToARepresentative) {
  const std::string id = WorkedBreach();
  // The IG team writes the Welsh words and marks the letter final.
  const json cy{{"nature", "Anfonwyd rhestr o atgyfeiriadau i gyfeiriad allanol trwy gamgymeriad."},
                {"data", "Manylion iechyd a manylion adnabod sylfaenol."},
                {"consequences", "Gallai teuluoedd fod yn ofidus."},
                {"measures", "Cadarnhaodd y derbynnydd ei fod wedi dileu'r neges."},
                {"final", true}};
  auto saved = service_->Update(id, {{"letter_draft", {{"cy", cy}}}}, kIg, "");
  ASSERT_TRUE(saved.ok()) << saved.refusal->errors[0].reason;
  const json incident = (*saved.value)["incident"];
  const json draft = LetterDraft(incident, Council(), "cy");
  EXPECT_TRUE(draft["final"]);
  EXPECT_EQ(draft["gaps"].size(), 0u) << draft.dump();
  const Addressee to{"Mr Rhys Enghraifft", "2 Ffordd y Môr\nAberystwyth", "", "PARENT", "Cai Enghraifft"};
  auto pdf = print::ToPdf(BuildLetter(incident, Council(), "cy", to, now_));
  ASSERT_TRUE(pdf.ok());
  const std::string text = PdfText(*pdf);
  for (const char* must : {"Annwyl Mr Rhys Enghraifft", "fel rhiant Cai Enghraifft", "Beth ddigwyddodd", "Anfonwyd rhestr",
                           "Swyddog Diogelu Data", "Dana Officer", "Eich hawl i gwyno", "Yn gywir", "Mehefin 2026",
                           "Cyngor Bwrdeistref Enghraifft", "Ein cyfeirnod: IG-2026-0042", "Tudalen 1"}) {
    EXPECT_NE(text.find(must), std::string::npos) << must << "\n" << text;
  }
  for (const char* english : {"Dear", "What happened", "Your right to complain", "Yours sincerely"}) {
    EXPECT_EQ(text.find(english), std::string::npos) << english;
  }
  // Final means final: the words change only once it is reopened; the record of letters only grows.
  json changed = cy;
  changed["measures"] = "Something else";
  auto refused = service_->Update(id, {{"letter_draft", {{"cy", changed}}}}, kIg, "");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.refusal->errors[0].reason.find("the Welsh letter is final"), std::string::npos) << refused.refusal->errors[0].reason;
  changed["final"] = false;
  EXPECT_FALSE(service_->Update(id, {{"letter_draft", {{"cy", changed}}}}, kIg, "reopen and change at once").ok())
      << "reopening keeps the words; they change in a later edit";
  EXPECT_FALSE(service_->Update(id, {{"letter_draft", json::object()}}, kIg, "").ok()) << "a final letter is not removed";
  json reopened = cy;
  reopened["final"] = false;
  ASSERT_TRUE(service_->Update(id, {{"letter_draft", {{"cy", reopened}}}}, kIg, "reopened to correct").ok());
  EXPECT_TRUE(service_->Update(id, {{"letter_draft", {{"cy", changed}}}}, kIg, "corrected").ok());
  // Letters sent are the core's record: who sent it is the caller, the number and time the core's.
  const json letter{{"ref", "L1"}, {"language", "cy"}, {"channel", "POST"}, {"representative_role", "PARENT"},
                    {"sent_at", "2026-06-05T15:00Z"}, {"by", {{"id", "dpo1"}, {"name", "Jane (DPO)"}}},
                    {"addressee_hash", std::string(64, 'a')}};
  EXPECT_FALSE(service_->Update(id, {{"letters_sent", {letter}}}, kIg, "").ok()) << "not writable by hand";
  EXPECT_FALSE(service_->RecordLetter(id, {{"language", "cy"}, {"channel", "POST"}, {"addressee_hash", std::string(64, 'a')}},
                                      Actor{"s1", "SIRO", Role::kSiro}, "")
                   .ok())
      << "the IG team's and the DPO's";
  auto recorded = service_->RecordLetter(id, {{"language", "cy"}, {"channel", "POST"}, {"representative_role", "PARENT"},
                                              {"addressee_hash", std::string(64, 'a')}},
                                         kIg, "letter posted");
  ASSERT_TRUE(recorded.ok()) << recorded.refusal->errors[0].reason;
  const json sent = (*recorded.value)["incident"]["letters_sent"];
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["ref"], "L1");
  EXPECT_EQ(sent[0]["by"]["id"], "ig1");
  EXPECT_EQ(sent[0]["sent_at"], FormatInstant(now_));
  EXPECT_EQ((*recorded.value)["incident"]["individuals_communicated_at"], FormatInstant(now_));
  EXPECT_FALSE(service_->RecordLetter(id, {{"language", "cy"}, {"channel", "POST"}, {"addressee_hash", "zz"}}, kIg, "").ok())
      << "checked shape";
  EXPECT_FALSE(service_->RecordLetter(id, {{"language", 5}, {"channel", "POST"}, {"addressee_hash", std::string(64, 'a')}}, kIg, "")
                   .ok());
}

TEST_F(OutputsTest, TheLetterDraftSaysWhatIsMissing) {
  now_ = *ParseInstant("2026-06-03T08:00Z");
  const std::string id = *service_->Create({{"title", "Lost papers"}, {"kind", "BREACH"}}, kIg).value;
  Organisation no_dpo = Council();
  no_dpo.dpo_email.clear();
  no_dpo.dpo_phone.clear();
  const json gaps = LetterDraft(Show(id)["incident"], no_dpo, "cy")["gaps"];
  const std::string all = gaps.dump();
  for (const char* must : {"nature of the breach", "likely consequences", "measures taken", "DPO's name and contact",
                           "still holds the English words"}) {
    EXPECT_NE(all.find(must), std::string::npos) << must << " in " << all;
  }
}

TEST_F(OutputsTest, TheIcoReportCarriesEverySectionAndSaysWhereEachFieldComesFrom) {
  const std::string id = WorkedBreach();
  const json report = IcoReport(Show(id), Council(), "ico", now_);
  std::vector<std::string> ids;
  for (const auto& s : report["sections"]) {
    ids.push_back(s["id"]);
    for (const auto& f : s["fields"]) {
      EXPECT_FALSE(f["from"].empty()) << f.dump();
      EXPECT_FALSE(f["value"].get<std::string>().empty()) << f.dump();
    }
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"report", "organisation", "breach", "data", "consequences", "containment",
                                           "individuals", "other"}));
  const std::string all = report.dump();
  for (const char* must : {"Example Borough Council (ICO registration Z1234567)", "Dana Officer, dpo@council.example.gov.uk",
                           "emailed to an outside address", "Incorrect recipient", "Confidentiality", "2026-06-02",
                           "Wed 3 Jun 2026 08:30 BST", "Health; Basic identifiers", "Children", "Families may be distressed",
                           "Recovered or destroyed confirmed", "The recipient confirmed deletion", "IC-123456-A1B2",
                           "Follow up report", "to follow: the DPO's contact details"}) {
    EXPECT_NE(all.find(must), std::string::npos) << must;
  }
  // The Art 33(3) items: every one has a field in the report.
  for (const char* item : {"s5_what_happened", "s7_subject_categories", "s7_individuals_affected", "s6_data_categories",
                           "records_affected", "dpo_contact", "s8_potential_consequences", "s9_actions_taken_or_proposed"}) {
    EXPECT_NE(all.find(std::string("\"") + item + "\""), std::string::npos) << item;
  }
  // Nothing missing is left out silently.
  now_ = *ParseInstant("2026-06-06T08:00Z");
  const std::string bare = *service_->Create({{"title", "Unknown yet"}, {"kind", "BREACH"}}, kIg).value;
  const json empty = IcoReport(Show(bare), Organisation{}, "ico", now_);
  EXPECT_NE(empty.dump().find("Not yet known"), std::string::npos);
  EXPECT_FALSE(empty["missing"].empty());
  // Printable: the PDF reads back with each section's title.
  auto pdf = print::ToPdf(IcoReportDocument(report));
  ASSERT_TRUE(pdf.ok());
  const std::string text = PdfText(*pdf);
  for (const auto& s : report["sections"]) EXPECT_NE(text.find(s["title"].get<std::string>()), std::string::npos) << s["title"];
  EXPECT_NE(text.find("Submission history"), std::string::npos);
}

TEST_F(OutputsTest, TheDsptLayoutCarriesTheGridAndTheSensitivityFactors) {
  const std::string id = WorkedBreach();
  Organisation nhs = Council();
  nhs.ods_code = "RXX";
  const json report = IcoReport(Show(id), nhs, "dspt", now_);
  std::vector<std::string> ids;
  for (const auto& s : report["sections"]) ids.push_back(s["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"reporter", "incident", "sensitivity", "grading", "people", "actions"}));
  const std::string all = report.dump();
  for (const char* must : {"RXX", "\"value\":\"3\"", "\"value\":\"2\"", "6 (Reportable to the ICO)", "Health (section 6); Children (section 7)"}) {
    EXPECT_NE(all.find(must), std::string::npos) << must << " in " << all;
  }
}

// Seven years of closed near misses (one a quarter); retention at six years after closure.
TEST_F(OutputsTest, RetentionOverSevenYearsDryRunMatchesTheRealRunAndTheChainHolds) {
  std::vector<std::string> ids;
  for (int q = 0; q < 28; ++q) {
    const int year = 2019 + q / 4, month = 1 + 3 * (q % 4);
    char at[32];
    std::snprintf(at, sizeof at, "%04d-%02d-10T09:00Z", year, month);
    now_ = *ParseInstant(at);
    char local[32];
    std::snprintf(local, sizeof local, "%04d-%02d-10T08:00", year, month);
    const std::string email = "person" + std::to_string(q) + "@council.example.gov.uk";
    auto created = service_->Create({{"title", "Near miss " + std::to_string(q)}, {"kind", "NEAR_MISS"},
                                     {"incident_number", "NM-" + std::to_string(q)},
                                     {"s1_name", "Person " + std::to_string(q)}, {"s1_email", email}, {"s1_aware_local", local},
                                     {"s4_types", {"INCORRECT_RECIPIENT"}}, {"s7_individuals_affected", 3},
                                     {"investigating_officer", {{"id", "lm"}, {"name", "Line Manager"}}}},
                                    kIg);
    ASSERT_TRUE(created.ok()) << created.refusal->errors[0].reason;
    const std::string id = *created.value;
    auto moved = service_->Transition(id, "UNDER_INVESTIGATION", kIg, "");
    ASSERT_TRUE(moved.ok()) << moved.refusal->errors[0].reason;
    ASSERT_TRUE(service_->Update(id, {{"root_cause", "HUMAN_ERROR"}, {"s5_what_happened", "Caught by " + email}}, kIg, "").ok());
    ASSERT_TRUE(service_->AddNote(id, "Spoke to " + email, kIg).ok());
    ASSERT_TRUE(service_->Transition(id, "ASSESSED", kIg, "").ok());
    ASSERT_TRUE(service_->Transition(id, "NOT_REPORTABLE", kIg, "").ok());
    auto closed = service_->Transition(id, "CLOSED", kIg, "");
    ASSERT_TRUE(closed.ok()) << closed.refusal->errors[0].reason;
    ids.push_back(id);
  }
  now_ = *ParseInstant("2026-02-01T12:00Z");  // six years back: closures before 2020-02-01 are due
  RetentionPolicy policy;
  auto dry = service_->ApplyRetention(policy, true, "dry-1");
  ASSERT_TRUE(dry.ok());
  std::set<std::string> would;
  for (const auto& i : (*dry.value)["incidents"]) would.insert(i["incident_id"]);
  EXPECT_EQ(would, (std::set<std::string>{ids[0], ids[1], ids[2], ids[3], ids[4]})) << dry.value->dump(2);
  EXPECT_EQ((*dry.value)["done"], 0);
  EXPECT_FALSE(Show(ids[0])["incident"].contains("anonymised")) << "a dry run changes nothing";
  auto real = service_->ApplyRetention(policy, false, "real-1");
  ASSERT_TRUE(real.ok());
  EXPECT_EQ((*real.value)["incidents"], (*dry.value)["incidents"]) << "the dry run matches the real run";
  EXPECT_EQ((*real.value)["done"], 5);
  // Anonymised: counts kept, every name and address gone from the document and the audit trail.
  const json gone = Show(ids[0]);
  EXPECT_EQ(gone["incident"]["s7_individuals_affected"], 3);
  EXPECT_EQ(gone["incident"]["kind"], "NEAR_MISS");
  EXPECT_EQ(gone["incident"]["title"], "Anonymised incident");
  EXPECT_EQ(gone.dump().find("person0@"), std::string::npos) << gone.dump(2);
  EXPECT_EQ(gone.dump().find("Person 0"), std::string::npos);
  EXPECT_NE(Show(ids[5]).dump().find("person5@"), std::string::npos) << "not yet due: untouched";
  auto check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem << " at " << check->first_bad_seq;
  // A second run finds nothing more; the runs are recorded.
  EXPECT_EQ((*service_->ApplyRetention(policy, false, "real-2").value)["due"], 0);
  auto runs = store_->RetentionRuns(10);
  ASSERT_TRUE(runs.ok());
  EXPECT_EQ(runs->size(), 3u);
  // The subject access search finds the living cases that name an address, not the anonymised.
  auto found = service_->SubjectAccess("PERSON5@council.example.gov.uk", {});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found.value->size(), 1u);
  EXPECT_EQ((*found.value)[0]["incident_id"], ids[5]);
  const std::string where = (*found.value)[0]["found_in"].dump();
  EXPECT_NE(where.find("s1_email"), std::string::npos) << where;
  EXPECT_NE(where.find("audit: note"), std::string::npos) << where;
  EXPECT_TRUE(service_->SubjectAccess("person0@council.example.gov.uk", {}).value->empty());
  // Deletion: a year later with action delete, the next cases go entirely and the chain still verifies.
  now_ = *ParseInstant("2027-02-01T12:00Z");
  policy.action = "delete";
  auto deleted = service_->ApplyRetention(policy, false, "real-3");
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ((*deleted.value)["done"], 9) << deleted.value->dump(2);  // the 5 anonymised + 4 closed in 2020-21
  EXPECT_EQ(service_->Show(ids[0]).refusal->http_status, 404);
  check = store_->VerifyAudit();
  ASSERT_TRUE(check.ok());
  EXPECT_TRUE(check->ok) << check->problem << " at " << check->first_bad_seq;
}

// Tampering is still caught after retention: an audit value cannot be changed, only redacted
// with everything else the same; an entry cannot be added unchained or already redacted, nor
// deleted without its tombstone; and verify refuses a redaction outside an anonymised incident,
// a tombstone for a live one, and a redacted entry whose hash does not hold (what someone who
// dropped the triggers could do).
TEST_F(OutputsTest, RetentionDoesNotOpenTheAuditToEdits) {
  const std::string id = *service_->Create({{"title", "x"}, {"kind", "NEAR_MISS"}}, kIg).value;
  ASSERT_TRUE(service_->AddNote(id, "a note", kIg).ok());
  const auto db = common::SqliteDb::Open(dir_ / "incidents.db");
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE((*db)->Exec("UPDATE audit SET new_value = '\"other\"'").ok());
  EXPECT_FALSE((*db)->Exec("UPDATE audit SET old_value = NULL, new_value = NULL, reason = '', redacted = 1, by_name = 'x'").ok());
  EXPECT_FALSE((*db)->Exec("DELETE FROM audit").ok());
  EXPECT_FALSE((*db)->Exec("INSERT INTO audit (incident_id, at, by_id, by_name, role, what, doc_hash, prev_hash, hash) "
                           "SELECT incident_id, at, by_id, 'Jane (DPO)', role, what, doc_hash, hash, '' FROM audit LIMIT 1").ok())
      << "no unchained entry";
  EXPECT_FALSE((*db)->Exec("INSERT INTO audit (incident_id, at, by_id, by_name, role, what, doc_hash, prev_hash, hash, redacted) "
                           "SELECT incident_id, at, by_id, 'Jane (DPO)', role, what, doc_hash, hash, 'x', 1 FROM audit LIMIT 1").ok())
      << "no entry added already redacted";
  auto verify = [&] {
    auto check = store_->VerifyAudit();
    EXPECT_TRUE(check.ok());
    return check.ok() ? *check : AuditCheck{};
  };
  EXPECT_TRUE(verify().ok);
  // A tombstone for a live incident's entry hides nothing (on a copy).
  const std::string id2 = *service_->Create({{"title", "y"}, {"kind", "NEAR_MISS"}}, kIg).value;
  ASSERT_TRUE(store_->Backup(dir_ / "copy.db").ok());
  // Redacting is allowed by the schema (retention does it), but not outside an anonymised incident.
  ASSERT_TRUE((*db)->Exec("UPDATE audit SET old_value = NULL, new_value = NULL, reason = '', redacted = 1 WHERE what = 'note'").ok());
  AuditCheck check = verify();
  EXPECT_FALSE(check.ok);
  EXPECT_NE(check.problem.find("not anonymised"), std::string::npos) << check.problem;
  auto copy = common::SqliteDb::Open(dir_ / "copy.db");
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE((*copy)->Exec("INSERT INTO audit_erased SELECT seq, incident_id, hash, prev_hash, 'x', 'fake' FROM audit "
                            "WHERE incident_id = '" + id2 + "'").ok());
  ASSERT_TRUE((*copy)->Exec("DELETE FROM audit WHERE incident_id = '" + id2 + "'").ok());
  auto copied = OpenSqliteStore(dir_ / "copy.db");
  ASSERT_TRUE(copied.ok());
  auto hidden = (*copied)->VerifyAudit();
  ASSERT_TRUE(hidden.ok());
  EXPECT_FALSE(hidden->ok);
  EXPECT_NE(hidden->problem.find("live incident"), std::string::npos) << hidden->problem;
  // With the triggers dropped: a made-up redacted entry at the head fails its hash.
  ASSERT_TRUE((*copy)->Exec("DELETE FROM audit_erased; DROP TRIGGER audit_insert_chained").ok());
  ASSERT_TRUE((*copy)->Exec("INSERT INTO audit (incident_id, at, by_id, by_name, role, what, doc_hash, prev_hash, hash, redacted, "
                            "value_digest) SELECT incident_id, at, by_id, 'Jane (DPO)', role, 'edit', doc_hash, (SELECT hash FROM "
                            "audit ORDER BY seq DESC LIMIT 1), '" + std::string(64, '0') + "', 1, '" + std::string(64, '1') +
                            "' FROM audit ORDER BY seq DESC LIMIT 1").ok());
  auto forged = (*copied)->VerifyAudit();
  ASSERT_TRUE(forged.ok());
  EXPECT_FALSE(forged->ok);
}

TEST_F(OutputsTest, TheDeletionRequestIsInEnglishWelshOrBothWelshFirst) {
  const std::string id = WorkedBreach();
  const json en = *service_->DeletionRequest(id, "en").value;
  const json cy = *service_->DeletionRequest(id, "cy").value;
  const json both = *service_->DeletionRequest(id, "both").value;
  EXPECT_NE(en["body"].get<std::string>().find("Dear recipient"), std::string::npos);
  EXPECT_NE(cy["body"].get<std::string>().find("Annwyl dderbynnydd"), std::string::npos);
  EXPECT_NE(cy["body"].get<std::string>().find("Nodwch ein cyfeirnod IG-2026-0042"), std::string::npos);
  EXPECT_EQ(cy["body"].get<std::string>().find("Dear"), std::string::npos);
  const std::string b = both["body"];
  EXPECT_LT(b.find("Annwyl"), b.find("Dear recipient")) << "Welsh first";
  for (const json* j : {&en, &cy, &both}) {
    const std::string subject = (*j)["subject"];
    EXPECT_TRUE(std::all_of(subject.begin(), subject.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) << subject;
  }
  EXPECT_EQ(service_->DeletionRequest(id, "fr").refusal->http_status, 400);
}

TEST_F(OutputsTest, DigestSchedulesFallOnTheirLondonTimes) {
  DigestSchedule weekly;
  weekly.weekday = 1;  // Monday
  weekly.hour = 8;
  // Sunday 6 December 2026 21:00 GMT: the latest Monday 08:00 is 30 November.
  EXPECT_EQ(FormatInstant(LatestScheduled(weekly, true, *ParseInstant("2026-12-06T21:00Z"))), "2026-11-30T08:00Z");
  EXPECT_EQ(FormatInstant(LatestScheduled(weekly, true, *ParseInstant("2026-12-07T08:00Z"))), "2026-12-07T08:00Z");
  // In summer 08:00 London is 07:00 UTC.
  EXPECT_EQ(FormatInstant(LatestScheduled(weekly, true, *ParseInstant("2026-06-08T07:30Z"))), "2026-06-08T07:00Z");
  DigestSchedule monthly;
  monthly.day_of_month = 1;
  monthly.hour = 9;
  EXPECT_EQ(FormatInstant(LatestScheduled(monthly, false, *ParseInstant("2026-12-06T21:00Z"))), "2026-12-01T09:00Z");
  EXPECT_EQ(FormatInstant(LatestScheduled(monthly, false, *ParseInstant("2027-01-01T08:59Z"))), "2026-12-01T09:00Z");
}

TEST_F(OutputsTest, TheSiroDigestListsOpenCasesNewReportableOnesAndOverdueActions) {
  const std::string id = WorkedBreach();
  ASSERT_TRUE(service_->Update(id, {{"action_plan", {{{"description", "Retrain B"}, {"due", "2026-06-04"}}}}}, kIg, "").ok());
  auto text = SiroWeeklyDigest(*store_, CoreConfig{}, "https://ig.example", now_);
  ASSERT_TRUE(text.ok());
  for (const char* must : {"IG-2026-0042: Breach, assessed", "NHS 6", "https://ig.example/incidents/" , "likely reportable to the ICO (1)",
                           "IG-2026-0042: action 1 due 2026-06-04 (1 day overdue)"}) {
    EXPECT_NE(text->find(must), std::string::npos) << must << "\n" << *text;
  }
  EXPECT_EQ(text->find("Referral list"), std::string::npos) << "no title (people type names into titles)";
  EXPECT_EQ(text->find("b.officer"), std::string::npos);
}

}  // namespace
}  // namespace sendguard::incident
