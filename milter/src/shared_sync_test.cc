// SPDX-License-Identifier: Apache-2.0
// Two gateways, each with its own SQLite state file, and one shared PostgreSQL store (the
// tests' server): what one gateway learns (a recipient, a name, a used confirmation code) the
// other knows after a round each; rows pulled are not pushed back; what a gateway knew before
// sync began is shared too; a store that cannot be reached loses nothing (sendguard-sync
// --once fails, the journal waits, and the next round replays it).
#include "sendguard/milter/shared_sync.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "milter_fixtures.h"
#include "sendguard/common/postgres.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/text.h"
#include "sendguard/milter/confirm_code.h"
#include "sendguard/holds/shared_holds.h"
#include "sendguard/milter/held_messages.h"
#include "sendguard/milter/hold_desk.h"
#include "release_worker.h"
#include "sendguard/milter/incident_outbox.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/scan_records.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/testing/test_database.h"

namespace sendguard::milter {
namespace {

namespace fs = std::filesystem;

class SharedSyncTest : public ::testing::Test {
 protected:
  SharedSyncTest() : dir_(fs::temp_directory_path() / ("sendguard-sync-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    shared_where_ = sendguard::testing::NewTestDatabase(common::SqlDialect::kPostgres, dir_);
    EXPECT_FALSE(shared_where_.empty()) << "no test PostgreSQL (the CTest fixture `postgres`)";
    EXPECT_TRUE(OpenStateDb(shared_where_).ok());  // the shared schema, as the first gateway makes it
    auto pg = common::PostgresDb::Open(shared_where_);
    EXPECT_TRUE(pg.ok()) << pg.status().message();
    if (pg.ok()) shared_ = std::move(*pg);
    for (const char* g : {"a", "b"}) {
      auto db = OpenStateDb((dir_ / (std::string(g) + ".db")).string());
      EXPECT_TRUE(db.ok());
      if (db.ok()) local_.push_back(std::move(*db));
    }
  }
  ~SharedSyncTest() override {
    local_.clear();
    fs::remove_all(dir_);
  }
  SyncCounts Round(int gateway) {
    SharedSync sync(*local_[static_cast<size_t>(gateway)], gateway == 0 ? "gw-a" : "gw-b", HeldDir(gateway));
    EXPECT_TRUE(sync.Enable().ok());
    auto r = sync.Round(*shared_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SyncCounts{};
  }
  fs::path HeldDir(int gateway) const { return dir_ / (gateway == 0 ? "held-a" : "held-b"); }
  // The shared store's row for hold `id`: origin, state, release_as, outcome_at, sealed copy.
  std::vector<std::string> SharedHold(const std::string& id) {
    auto q = shared_->Prepare("SELECT origin, state, release_as, outcome_at, sealed FROM holds WHERE id = $1");
    EXPECT_TRUE(q.ok()) << q.status().message();
    std::vector<std::string> row;
    if (q.ok() && (*q)->Bind(1, id).Step()) {
      for (int i = 0; i < 5; ++i) row.push_back((*q)->Text(i));
    }
    return row;
  }
  fs::path dir_;
  std::string shared_where_;
  std::unique_ptr<common::PostgresDb> shared_;
  std::vector<std::unique_ptr<common::SqlDb>> local_;
  common::KeyedHasher hasher_{"one-deployment-secret"};
};

TEST_F(SharedSyncTest, WhatOneGatewayLearnsTheOtherKnowsAfterARoundEach) {
  RecipientHistory a(*local_[0], hasher_), b(*local_[1], hasher_);
  // Learned before sync began on A: shared too.
  ASSERT_TRUE(a.Record("s.okafor@council.example.gov.uk", {{"Jo Smith", "j.smith@example.org"}}, 1000).ok());
  Round(0);
  ASSERT_TRUE(a.Record("s.okafor@council.example.gov.uk", {{"", "p.jones@nhs.example.net"}, {"", "j.smith@example.org"}}, 2000).ok());
  EXPECT_FALSE(b.HasSentTo("s.okafor@council.example.gov.uk", "p.jones@nhs.example.net"));
  const SyncCounts pushed = Round(0);
  EXPECT_GT(pushed.pushed, 0);
  EXPECT_EQ(pushed.backlog, 0);
  const SyncCounts pulled = Round(1);
  EXPECT_GT(pulled.pulled, 0);
  EXPECT_EQ(pulled.pushed, 0) << "B pushed nothing of its own";
  EXPECT_TRUE(b.KnowsSender("s.okafor@council.example.gov.uk"));
  EXPECT_TRUE(b.HasSentTo("s.okafor@council.example.gov.uk", "j.smith@example.org"));
  EXPECT_TRUE(b.HasSentTo("s.okafor@council.example.gov.uk", "p.jones@nhs.example.net"));
  EXPECT_TRUE(b.SeenTogether("s.okafor@council.example.gov.uk", "j.smith@example.org", "p.jones@nhs.example.net"));
  EXPECT_TRUE(b.KnowsCorrespondentName("s.okafor@council.example.gov.uk", "smith"));
  EXPECT_FALSE(b.HasSentTo("s.okafor@council.example.gov.uk", "someone.else@example.org"));
  // Pulled rows are applied quietly: nothing of them waits in B's journal to go back.
  EXPECT_EQ(Round(1).pushed, 0);
  // And back the other way: B learns a recipient, A knows it.
  ASSERT_TRUE(b.Record("t.brown@council.example.gov.uk", {{"", "k.lee@example.com"}}, 3000).ok());
  Round(1);
  Round(0);
  EXPECT_TRUE(a.HasSentTo("t.brown@council.example.gov.uk", "k.lee@example.com"));
  // Both agree on the domains in use.
  const auto da = a.UsedDomains(10), db = b.UsedDomains(10);
  EXPECT_EQ(std::set<std::string>(da->begin(), da->end()), std::set<std::string>(db->begin(), db->end()));
  // Only keyed hashes reach the shared store: no address or name word in any row of any table.
  std::vector<std::string> tables;
  auto names = shared_->Prepare("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  while (names.ok() && (*names)->Step()) tables.push_back((*names)->Text(0));
  ASSERT_GE(tables.size(), 6u);
  int rows = 0;
  for (const auto& t : tables) {
    auto all = shared_->Prepare("SELECT CAST(r AS TEXT) FROM " + t + " r");
    ASSERT_TRUE(all.ok());
    while ((*all)->Step()) {
      ++rows;
      const std::string row = (*all)->Text(0);
      for (const char* clear : {"smith", "okafor", "p.jones", "t.brown", "k.lee"}) EXPECT_EQ(row.find(clear), std::string::npos) << t;
    }
  }
  EXPECT_GT(rows, 10);
}

TEST_F(SharedSyncTest, AConfirmationCodeUsedThroughOneGatewayIsRefusedThroughTheOther) {
  ConfirmLedger a(*local_[0], hasher_), b(*local_[1], hasher_);
  const std::string code = "ABCDE-FGHJK-MNPQR";
  ASSERT_TRUE(*a.Use(code, 5000, 1000));
  Round(0);
  Round(1);
  EXPECT_TRUE(*b.WasUsed(code));
  EXPECT_FALSE(*b.Use(code, 5000, 1001)) << "the code passed twice, once per gateway";
}

// Warn-before-send with two gateways: the warning is given through A, the sender's resend with
// the code arrives through B. B finds the warning (and files its outcome); A's copy goes, so A
// never files it as cancelled when it would have expired.
TEST_F(SharedSyncTest, AWarningGivenThroughOneGatewayIsTakenThroughTheOtherAndGoneEverywhere) {
  IncidentOutbox a(*local_[0]), b(*local_[1]);
  ASSERT_TRUE(a.HoldWarning("warn-key-1", "draft-1", R"({"mf_action":"WARNED"})", 5000).ok());
  ASSERT_TRUE(a.HoldWarning("warn-key-2", "draft-2", R"({"mf_action":"WARNED"})", 5000).ok());
  Round(0);
  Round(1);
  auto taken = b.TakeWarning("warn-key-1");
  ASSERT_TRUE(taken.ok());
  ASSERT_TRUE(taken->has_value()) << "B does not have the warning A gave";
  EXPECT_EQ((*taken)->first, "draft-1");
  Round(1);
  Round(0);
  auto again = a.TakeWarning("warn-key-1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value()) << "A still has the warning B took";
  // The other expires on A: filed once, as cancelled, and gone from B too.
  EXPECT_EQ(*a.ExpireWarnings(6000), 1);
  Round(0);
  Round(1);
  EXPECT_EQ(*b.ExpireWarnings(6000), 0) << "B would file the same warning's outcome again";
  // The shared store keeps no payload of a warning that is gone.
  auto left = shared_->Prepare("SELECT count(*) FROM pending_warnings WHERE gone = 0 OR payload <> ''");
  ASSERT_TRUE(left.ok() && (*left)->Step());
  EXPECT_EQ((*left)->Int(0), 0);
  (*left)->Reset();
}

// A self-report or a recall finds the send whichever gateway carried it; a quarantined send
// stays the carrying gateway's to release (its MTA holds it).
// A repeated warning extends its expiry everywhere; one given again after its end (same key)
// is shared again, also when its end and its new start are pushed in one batch.
TEST_F(SharedSyncTest, AWarningRepeatedOrGivenAgainIsSharedAsItStandsLast) {
  IncidentOutbox a(*local_[0]), b(*local_[1]);
  ASSERT_TRUE(a.HoldWarning("k", "draft-1", R"({"mf_action":"WARNED"})", 5000).ok());
  Round(0);
  Round(1);
  ASSERT_TRUE(a.HoldWarning("k", "draft-1", R"({"mf_action":"WARNED"})", 9000).ok());  // the sender sent it again
  Round(0);
  Round(1);
  EXPECT_EQ(*b.ExpireWarnings(6000), 0) << "B expired it on the first expiry, not the extended one";
  // Taken through A, then the same message warned again, before A's next round.
  ASSERT_TRUE(a.TakeWarning("k")->has_value());
  ASSERT_TRUE(a.HoldWarning("k", "draft-2", R"({"mf_action":"WARNED"})", 20000).ok());
  Round(0);
  Round(1);
  auto taken = b.TakeWarning("k");
  ASSERT_TRUE(taken.ok() && taken->has_value()) << "the warning given again never reached B";
  EXPECT_EQ((*taken)->first, "draft-2");
}

TEST_F(SharedSyncTest, ScanRecordsAreFoundOnEveryGatewayAndARecallSeenAnywhereIsShared) {
  ScanRecords a(*local_[0], hasher_), b(*local_[1], hasher_);
  ScanRecord sent = fixtures::ASend(a, "<m1@council.example.gov.uk>", "s.okafor@council.example.gov.uk", "j@example.org",
                                   "referrals");
  sent.outcome = "quarantined";
  sent.findings = "uk.nhs_number=3";
  ASSERT_TRUE(a.Add(sent).ok());
  Round(0);
  Round(1);
  auto found = b.FindByMessageId("<m1@council.example.gov.uk>");
  ASSERT_TRUE(found) << "B cannot find the send A carried";
  EXPECT_EQ(found->findings, "uk.nhs_number=3");
  EXPECT_EQ(found->queue_id, "4F3A2123");
  EXPECT_TRUE(b.Quarantined(sent.message_sha256).empty()) << "B would offer to release what A's MTA holds";
  EXPECT_FALSE(b.FindByQueueId("4F3A2123")) << "a queue id is the carrying MTA's";
  EXPECT_EQ(a.Quarantined(sent.message_sha256).size(), 1u);
  // The sender recalls it through B: B marks it, A learns it (a second recall files nothing).
  auto target = b.FindRecallTarget("s.okafor@council.example.gov.uk", "referrals", 900);
  ASSERT_TRUE(target);
  ASSERT_TRUE(b.MarkRecalled(target->id).ok());
  Round(1);
  Round(0);
  EXPECT_FALSE(a.FindRecallTarget("s.okafor@council.example.gov.uk", "referrals", 900)) << "A would file the recall again";
  EXPECT_TRUE(a.FindByMessageId("<m1@council.example.gov.uk>")->recalled);
  EXPECT_EQ(Round(0).pulled + Round(1).pulled, 0) << "nothing echoes";
}

// A hold made on A is in the shared store with its sealed copy, which opens under the
// deployment's key (as every core holds it) and nowhere shows the message in clear; each change
// of its state follows; its outcome drops the copy; B never takes it for its own.
TEST_F(SharedSyncTest, AHoldAndItsSealedCopyAreSharedAndItsOutcomeDropsTheCopy) {
  const common::SealKey seal("one-deployment-secret", "milter state");
  HeldMessages a(*local_[0], HeldDir(0), &seal);
  const HeldMessage m = fixtures::AHeld(NewHoldId(), 4'000'000'000, {"j.smith@example.org"});
  ASSERT_TRUE(a.Hold(m).ok());
  Round(0);  // A's first round: a hold made before sync began is journalled by Enable()
  auto row = SharedHold(m.id);
  ASSERT_EQ(row.size(), 5u) << "the hold did not reach the shared store";
  EXPECT_EQ(row[0], "gw-a");
  EXPECT_EQ(row[1], "held");
  const auto sealed = common::HexDecode(row[4]);
  ASSERT_TRUE(sealed) << "the copy is not hex";
  for (const char* clear : {"943 476 5919", "example.org", "referrals"}) {
    EXPECT_EQ(sealed->find(clear), std::string::npos) << clear << " in clear in the shared store";
    EXPECT_EQ(row[4].find(clear), std::string::npos);
  }
  auto plain = seal.Open(*sealed, m.id);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_NE(plain->find(m.raw), std::string::npos) << "the shared copy is not the held message";
  EXPECT_FALSE(common::SealKey("another-secret", "milter state").Open(*sealed, m.id).ok());

  // Released through A's own desk: each step follows, and the copy goes with the outcome.
  ASSERT_TRUE(*a.BeginRelease(m.id, "released", 2000));
  Round(0);
  EXPECT_EQ(SharedHold(m.id)[1], "releasing");
  EXPECT_FALSE(SharedHold(m.id)[4].empty()) << "the copy stays while the release is under way";
  ASSERT_TRUE(*a.MarkReleased(m.id, 2001));
  ASSERT_EQ(*a.EndRelease(m.id, true, 2001), "released");
  Round(0);
  row = SharedHold(m.id);
  EXPECT_EQ(row[1], "released");
  EXPECT_EQ(row[2], "released");
  EXPECT_EQ(row[3], "2001");
  EXPECT_EQ(row[4], "") << "a copy outlived its hold in the shared store";

  // A hold made once sync runs (journalled by the trigger) and cancelled before its first
  // push is shared as cancelled, with no copy at all.
  HeldMessage later = m;
  later.id = NewHoldId();
  ASSERT_TRUE(a.Hold(later).ok());
  ASSERT_TRUE(*a.Cancel(later.id, 3000));
  Round(0);
  EXPECT_EQ(SharedHold(later.id)[1], "cancelled");
  EXPECT_EQ(SharedHold(later.id)[4], "");

  // B pulls no hold of A's as its own, and pushes nothing back.
  EXPECT_EQ(Round(1).pushed, 0);
  auto b_holds = local_[1]->Prepare("SELECT count(*) FROM held_messages");
  ASSERT_TRUE(b_holds.ok() && (*b_holds)->Step());
  EXPECT_EQ((*b_holds)->Int(0), 0);
  EXPECT_EQ(SharedHold(m.id)[0], "gw-a");

  // Retention: a hold that ended longer ago than scan records are kept is gone from the store.
  SharedSync sync(*local_[0], "gw-a", HeldDir(0));
  ASSERT_TRUE(sync.PruneShared(*shared_, 30, 365, 2001 + 31 * 86400).ok());
  EXPECT_TRUE(SharedHold(m.id).empty());
}

// Answers on the core's pages (the shared store) and the release workers that carry them out.
class SharedHoldsTest : public SharedSyncTest {
 protected:
  SharedHoldsTest() : seal_("one-deployment-secret", "milter state"), shared_holds_(hasher_, seal_) {}
  // A hold made on A as HoldDesk makes one: the sealed copy and the incident it files if nothing
  // else happens (the warning waiting under the hold's key); then a round on each gateway.
  HeldMessage HoldOnA(std::time_t expires = 4'000'000'000,
                      std::vector<std::string> recipients = {"jo.bloggs@council.example.gov.uk", "j.smith@example.org"}) {
    const HeldMessage m = fixtures::AHeld(NewHoldId(), expires, std::move(recipients));
    EXPECT_TRUE(HeldMessages(*local_[0], HeldDir(0), &seal_).Hold(m).ok());
    const nlohmann::json draft = {{"draft_id", "d-" + m.id}, {"mf_action", "WARNED_USER_CANCELLED"}};
    EXPECT_TRUE(IncidentOutbox(*local_[0]).HoldWarning(HoldPendingKey(m.id), "d-" + m.id, draft.dump(), expires + 86400).ok());
    Round(0);
    Round(1);
    return m;
  }
  ReleaseWorkerOptions Worker(int gateway, const std::string& smtp_url = "smtp://127.0.0.1:9") {
    ReleaseWorkerOptions o;
    o.gateway = gateway == 0 ? "gw-a" : "gw-b";
    o.holder = o.gateway + "@test";
    o.held_dir = HeldDir(gateway).string();
    o.smtp_url = smtp_url;  // port 9 (discard): nothing listens, so a release cannot be handed over
    o.hasher = &hasher_;
    o.seal = &seal_;
    return o;
  }
  std::string State(int gateway, const std::string& id) {
    auto s = HeldMessages(*local_[static_cast<size_t>(gateway)], HeldDir(gateway), nullptr).State(id);
    return s.ok() ? s->first : "(error)";
  }
  // The worker's clock, stopped at `t`.
  static std::function<std::time_t()> At(std::time_t t) {
    return [t] { return t; };
  }
  int64_t Queued(int gateway) {
    auto n = IncidentOutbox(*local_[static_cast<size_t>(gateway)]).Pending();
    return n.ok() ? *n : -1;
  }
  common::SealKey seal_;
  holds::SharedHolds shared_holds_;
};

TEST_F(SharedHoldsTest, AHoldIsShownFromTheStoreWithItsLinksTokenAndAnsweredOnce) {
  const HeldMessage m = HoldOnA();
  const std::string token = HoldLinkToken(hasher_, m.id);
  auto shown = shared_holds_.Show(*shared_, m.id, token, 2000);
  ASSERT_EQ(shown.http_status, 200) << shown.error;
  const auto view = nlohmann::json::parse(shown.view_json);
  EXPECT_EQ(view["subject"], "referrals");
  EXPECT_EQ(view["recipients"].size(), 2u);
  EXPECT_EQ(view["partial_possible"], true);
  EXPECT_EQ(shared_holds_.Show(*shared_, m.id, std::string(32, '0'), 2000).http_status, 403) << "a link without its token";
  EXPECT_EQ(shared_holds_.Show(*shared_, NewHoldId(), token, 2000).http_status, 403) << "another hold's token";
  const std::string other = NewHoldId();
  EXPECT_EQ(shared_holds_.Show(*shared_, other, HoldLinkToken(hasher_, other), 2000).http_status, 404);

  holds::ConfirmRequest bad{"BECAUSE", "", false};
  EXPECT_EQ(shared_holds_.Request(*shared_, m.id, token, true, bad, 2000).http_status, 422);
  auto asked = shared_holds_.Request(*shared_, m.id, token, true, {"SHARING_AGREEMENT", "DSA 2291", false}, 2000);
  ASSERT_EQ(asked.http_status, 200) << asked.error;
  EXPECT_EQ(asked.state, "release_requested");
  // A second answer, from another core or a second click: one wins.
  auto again = shared_holds_.Request(*shared_, m.id, token, false, {}, 2001);
  EXPECT_EQ(again.http_status, 409);
  EXPECT_EQ(again.state, "release_requested");
  EXPECT_EQ(shared_holds_.Show(*shared_, m.id, token, 2001).http_status, 409);
  // The gateway that made it cannot overwrite the answer with what it still has (held), nor
  // with its own expiry.
  ASSERT_TRUE(HeldMessages(*local_[0], HeldDir(0), nullptr).Expire(4'100'000'000).ok());
  Round(0);
  EXPECT_EQ(SharedHold(m.id)[1], "release_requested");
}

TEST_F(SharedHoldsTest, AnAnswerAfterTheHoldsTimeIsRefusedAndALeftOutEveryoneIs422) {
  const HeldMessage m = HoldOnA(5000);
  const std::string token = HoldLinkToken(hasher_, m.id);
  auto late = shared_holds_.Request(*shared_, m.id, token, false, {}, 5000);
  EXPECT_EQ(late.http_status, 410);
  EXPECT_EQ(SharedHold(m.id)[1], "held");
  const HeldMessage m2 = HoldOnA(4'000'000'000, {"j.smith@example.org"});  // only the flagged recipient
  auto left_out = shared_holds_.Request(*shared_, m2.id, HoldLinkToken(hasher_, m2.id), true, {"RECIPIENTS_CHECKED", "", true}, 2000);
  EXPECT_EQ(left_out.http_status, 422);
  EXPECT_EQ(SharedHold(m2.id)[1], "held");
}

// A cancel answered on a core is carried out by B's worker for a hold A made: B takes the copy
// from the store, cancels it, files the outcome once (from B's copy of the warning), and the
// store says so; A learns it at its next round: its row is closed, its copy swept, its warning
// gone, so its expiry files nothing more.
TEST_F(SharedHoldsTest, BsWorkerCarriesOutACancelOfAHoldAMadeAndItIsFiledOnce) {
  const HeldMessage m = HoldOnA();
  ASSERT_EQ(shared_holds_.Request(*shared_, m.id, HoldLinkToken(hasher_, m.id), false, {}, 2000).http_status, 200);
  const int64_t queued_before = Queued(1);
  auto ended = CarryOutHoldAnswers(*shared_, *local_[1], Worker(1), At(2001));
  ASSERT_TRUE(ended.ok()) << ended.status().message();
  EXPECT_EQ(*ended, 1);
  EXPECT_EQ(SharedHold(m.id)[1], "cancelled");
  EXPECT_EQ(SharedHold(m.id)[4], "") << "the copy outlived the hold in the store";
  EXPECT_EQ(State(1, m.id), "cancelled");
  EXPECT_EQ(Queued(1), queued_before + 1) << "B filed the outcome";
  EXPECT_FALSE(fs::exists(HeldDir(1) / m.id)) << "B's adopted copy deleted";
  EXPECT_EQ(*CarryOutHoldAnswers(*shared_, *local_[1], Worker(1), At(2002)), 0) << "carried out once";
  Round(1);
  Round(0);
  EXPECT_EQ(State(0, m.id), "cancelled");
  auto swept = HeldMessages(*local_[0], HeldDir(0), nullptr).SweepCopies();
  ASSERT_TRUE(swept.ok());
  EXPECT_EQ(*swept, 1);
  EXPECT_FALSE(fs::exists(HeldDir(0) / m.id));
  auto taken = IncidentOutbox(*local_[0]).TakeWarning(HoldPendingKey(m.id));
  ASSERT_TRUE(taken.ok());
  EXPECT_FALSE(*taken) << "A still holds the warning: it would file the outcome again";
  EXPECT_TRUE(HeldMessages(*local_[0], HeldDir(0), nullptr).Expire(4'100'000'000)->empty());
}

// A release whose MTA is away is given back, the hold held again here, and tried again after the
// wait, by the gateway that began sending it and no other; a claim is a lease: nobody else takes
// it until it lapses, and then only one does.
TEST_F(SharedHoldsTest, AClaimIsALeaseAndAFailedReleaseIsGivenBackForLater) {
  const HeldMessage m = HoldOnA();
  ASSERT_EQ(shared_holds_.Request(*shared_, m.id, HoldLinkToken(hasher_, m.id), true, {"RECIPIENTS_CHECKED", "", false}, 2000)
                .http_status,
            200);
  EXPECT_EQ(*CarryOutHoldAnswers(*shared_, *local_[0], Worker(0), At(2001)), 0);
  EXPECT_EQ(SharedHold(m.id)[1], "sending") << "given back, not lost, and still gw-a's to send (it began)";
  EXPECT_EQ(State(0, m.id), "held") << "the copy the MTA refused is held again";
  EXPECT_EQ(*CarryOutHoldAnswers(*shared_, *local_[1], Worker(1), At(2040)), 0)
      << "another gateway took over a release gw-a had begun: the message could go twice";
  auto before = shared_holds_.Claim(*shared_, "gw-a@1", "gw-a", 2010, 300);
  EXPECT_TRUE(before.ok() && !*before) << "tried again before the wait is over";

  auto first = shared_holds_.Claim(*shared_, "gw-a@1", "gw-a", 2032, 300);
  ASSERT_TRUE(first.ok() && *first);
  EXPECT_EQ((*first)->id, m.id);
  EXPECT_TRUE((*first)->release);
  EXPECT_TRUE((*first)->sending);
  EXPECT_TRUE((*first)->signed_ok);
  EXPECT_EQ((*first)->request.reason, "RECIPIENTS_CHECKED");
  EXPECT_FALSE((*first)->sealed.empty());
  auto second = shared_holds_.Claim(*shared_, "gw-a@2", "gw-a", 2100, 300);
  EXPECT_TRUE(second.ok() && !*second) << "taken while the first claim is live";
  auto taken_over = shared_holds_.Claim(*shared_, "gw-a@2", "gw-a", 2333, 300);
  ASSERT_TRUE(taken_over.ok() && *taken_over) << "not taken over once the lease lapsed";
  EXPECT_FALSE(*holds::SharedHolds::Finish(*shared_, m.id, "gw-a@1", "released", 2334)) << "the lapsed holder finished it";
  EXPECT_TRUE(*holds::SharedHolds::Finish(*shared_, m.id, "gw-a@2", "released", 2334));
  EXPECT_EQ(SharedHold(m.id)[1], "released");
}

// Only what a core signed is carried out: an answer written into the store by anyone else
// (the database role alone) ends as failed, nothing is sent, and the gateway that made the hold
// lets it expire as usual.
TEST_F(SharedHoldsTest, AnAnswerNoCoreSignedEndsAsFailedAndNothingIsSent) {
  const HeldMessage m = HoldOnA();
  ASSERT_EQ(shared_holds_.Request(*shared_, m.id, HoldLinkToken(hasher_, m.id), false, {}, 2000).http_status, 200);
  Round(0);  // A learns the hold was answered
  // The cancel turned into a release, by the database alone.
  ASSERT_TRUE(shared_->Exec("UPDATE holds SET state = 'release_requested', request = "
                            "'{\"action\":\"release\",\"reason\":\"OTHER\",\"text\":\"x\",\"except_flagged\":false}' "
                            "WHERE id = '" + m.id + "'").ok());
  EXPECT_EQ(*CarryOutHoldAnswers(*shared_, *local_[0], Worker(0, "smtp://127.0.0.1:9"), At(2001)), 1);
  EXPECT_EQ(SharedHold(m.id)[1], "failed");
  EXPECT_EQ(State(0, m.id), "held") << "a forged answer started a release";
  Round(0);
  EXPECT_EQ(*HeldMessages(*local_[0], HeldDir(0), nullptr).Expire(4'100'000'000), std::vector<std::string>{m.id})
      << "the hold no longer expires as usual";
}

// Once answered on a core, the hold is the release worker's: the gateway that made it does not
// expire it from under the answer, and retention never drops an answer still waiting.
TEST_F(SharedHoldsTest, AnAnsweredHoldIsNotExpiredOrPrunedFromUnderItsAnswer) {
  const HeldMessage m = HoldOnA();
  ASSERT_EQ(shared_holds_.Request(*shared_, m.id, HoldLinkToken(hasher_, m.id), true, {"RECIPIENTS_CHECKED", "", false}, 2000)
                .http_status,
            200);
  Round(0);  // A learns the hold was answered
  EXPECT_TRUE(HeldMessages(*local_[0], HeldDir(0), nullptr).Expire(4'100'000'000)->empty());
  EXPECT_EQ(State(0, m.id), "held");
  SharedSync sync(*local_[0], "gw-a", HeldDir(0));
  ASSERT_TRUE(sync.PruneShared(*shared_, 30, 365, 2000 + 31 * 86400).ok());
  EXPECT_EQ(SharedHold(m.id)[1], "release_requested") << "retention dropped an answer still waiting";
}

// The shared store keeps what the gateways keep, no longer (the retention schedule).
TEST_F(SharedSyncTest, RetentionAppliesToTheSharedStore) {
  RecipientHistory a(*local_[0], hasher_);
  ConfirmLedger codes(*local_[0], hasher_);
  ASSERT_TRUE(a.Record("s.okafor@council.example.gov.uk", {{"", "old.contact@example.org"}}, 1000).ok());
  ASSERT_TRUE(a.Record("s.okafor@council.example.gov.uk", {{"", "new.contact@example.org"}}, 400 * 86400).ok());
  ASSERT_TRUE(*codes.Use("ABCDE-FGHJK-MNPQR", 2000, 1000));
  Round(0);
  SharedSync sync(*local_[0], "gw-a");
  auto removed = sync.PruneShared(*shared_, 30, 365, 400 * 86400);
  ASSERT_TRUE(removed.ok()) << removed.status().message();
  EXPECT_GE(*removed, 2);
  auto count = [&](const std::string& sql) {
    auto q = shared_->Prepare(sql);
    const int64_t n = q.ok() && (*q)->Step() ? (*q)->Int(0) : -1;
    if (q.ok()) (*q)->Reset();
    return n;
  };
  EXPECT_EQ(count("SELECT count(*) FROM history_recipients"), 1) << "the recipient unused for a year is forgotten";
  EXPECT_EQ(count("SELECT count(*) FROM used_confirm_codes"), 0);
}

TEST_F(SharedSyncTest, AnUnreachableStoreLosesNothingAndTheJournalIsReplayed) {
  local_.clear();  // sendguard-sync opens the files itself
  const std::string a_db = (dir_ / "a.db").string(), b_db = (dir_ / "b.db").string();
  auto sync = [&](const std::string& db, const std::string& gw, const std::string& store) {
    return std::system((std::string(SENDGUARD_SYNC_BIN) + " --once --state-db " + db + " --gateway-id " + gw +
                        " --shared-store '" + store + "' 2>>" + (dir_ / "sync.log").string())
                           .c_str());
  };
  {
    auto db = OpenStateDb(a_db);
    ASSERT_TRUE(db.ok());
    RecipientHistory h(**db, hasher_);
    // Now, not a fixed time: sendguard-sync applies retention to the shared store as it runs.
    ASSERT_TRUE(h.Record("s.okafor@council.example.gov.uk", {{"", "j.smith@example.org"}}, std::time(nullptr)).ok());
  }
  // PostgreSQL is not there: the round fails, says so, and keeps the change.
  EXPECT_NE(sync(a_db, "gw-a", "host=127.0.0.1 port=1 dbname=none connect_timeout=2"), 0);
  {
    auto db = OpenStateDb(a_db);
    ASSERT_TRUE(db.ok());
    const SharedStoreHealth h = ReadSharedStoreHealth(**db);
    EXPECT_TRUE(h.enabled);
    EXPECT_FALSE(h.up);
    EXPECT_GT(h.backlog, 0);
    // What the milter's /metrics says meanwhile: degraded, with changes waiting.
    const std::string metrics = SharedStoreMetrics(a_db, std::time(nullptr));
    EXPECT_NE(metrics.find("sendguard_shared_store_up 0\n"), std::string::npos) << metrics;
    EXPECT_EQ(metrics.find("sendguard_shared_store_backlog 0\n"), std::string::npos) << metrics;
    RecipientHistory more(**db, hasher_);  // the gateway carries on meanwhile
    ASSERT_TRUE(more.Record("s.okafor@council.example.gov.uk", {{"", "p.jones@nhs.example.net"}}, std::time(nullptr)).ok());
  }
  // It returns: everything journalled is replayed, and B learns it all.
  EXPECT_EQ(sync(a_db, "gw-a", shared_where_), 0);
  EXPECT_EQ(sync(b_db, "gw-b", shared_where_), 0);
  auto adb = OpenStateDb(a_db), bdb = OpenStateDb(b_db);
  ASSERT_TRUE(adb.ok() && bdb.ok());
  const SharedStoreHealth h = ReadSharedStoreHealth(**adb);
  EXPECT_TRUE(h.up);
  EXPECT_EQ(h.backlog, 0);
  const std::string metrics = SharedStoreMetrics(a_db, std::time(nullptr));
  EXPECT_NE(metrics.find("sendguard_shared_store_up 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("sendguard_shared_store_backlog 0\n"), std::string::npos) << metrics;
  RecipientHistory known(**bdb, hasher_);
  EXPECT_TRUE(known.HasSentTo("s.okafor@council.example.gov.uk", "j.smith@example.org"));
  EXPECT_TRUE(known.HasSentTo("s.okafor@council.example.gov.uk", "p.jones@nhs.example.net"));
}

}  // namespace
}  // namespace sendguard::milter
