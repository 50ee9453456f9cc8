// SPDX-License-Identifier: Apache-2.0
// Recipient history in a real SQLite file and in PostgreSQL: recording, the signal lookups, the Postfix log
// import, and that no clear address or name reaches the file.
#include "sendguard/milter/recipient_history.h"

#include <gtest/gtest.h>

#include <sstream>

#include "milter_fixtures.h"
#include "sendguard/milter/state_retention.h"

namespace sendguard::milter {
namespace {

class RecipientHistoryTest : public fixtures::StateBackendTest {};

TEST_P(RecipientHistoryTest, RecordsAndAnswersLookups) {
  RecipientHistory h(*db_, hasher_);
  EXPECT_FALSE(h.KnowsSender("s@bury.gov.uk"));
  ASSERT_TRUE(h.Record("S@Bury.gov.uk", {{"Anita Patel", "a.patel@example.org"}, {"", "gp@nhs.net"}, {"", "x@example.com"}}, 1000).ok());
  ASSERT_TRUE(h.Record("s@bury.gov.uk", {{"", "gp@nhs.net"}}, 2000).ok());
  EXPECT_TRUE(h.KnowsSender("s@bury.gov.uk"));
  EXPECT_TRUE(h.HasSentTo("s@bury.gov.uk", "<A.Patel@example.org>"));
  EXPECT_FALSE(h.HasSentTo("other@bury.gov.uk", "a.patel@example.org"));
  EXPECT_FALSE(h.HasSentTo("s@bury.gov.uk", "b.patel@example.org"));
  EXPECT_TRUE(h.SeenTogether("s@bury.gov.uk", "gp@nhs.net", "a.patel@example.org"));
  EXPECT_TRUE(h.SeenTogether("s@bury.gov.uk", "a.patel@example.org", "gp@nhs.net"));
  EXPECT_FALSE(h.SeenTogether("s@bury.gov.uk", "gp@nhs.net", "nobody@example.org"));
  EXPECT_TRUE(h.KnowsCorrespondentName("s@bury.gov.uk", "Patel"));
  EXPECT_TRUE(h.KnowsCorrespondentName("s@bury.gov.uk", "anita"));
  EXPECT_FALSE(h.KnowsCorrespondentName("s@bury.gov.uk", "jones"));
  auto domains = h.UsedDomains(10);
  ASSERT_EQ(domains->size(), 3u);
  EXPECT_EQ(domains->front(), "nhs.net");  // most used first
  EXPECT_EQ(h.UsedDomains(1)->size(), 1u);
  // Only keyed hashes of addresses and names are stored; domains are clear.
  db_->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
  const std::string bytes = AllBytes();
  for (const char* clear : {"a.patel", "Patel", "patel", "anita", "s@bury", "gp@nhs"}) {
    EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
  }
  EXPECT_NE(bytes.find("example.org"), std::string::npos);
}

// Retention: history unused for recipient_history_days is forgotten (the sender is
// "first-time" again), newer history stays; the dry run counts exactly what the real run removes.
TEST_P(RecipientHistoryTest, RetentionForgetsWhatWasNotUsedForAYear) {
  RecipientHistory h(*db_, hasher_);
  const std::time_t day = 86400, start = 1700000000;
  ASSERT_TRUE(h.Record("old@bury.gov.uk", {{"Anita Patel", "a.patel@example.org"}, {"", "gp@nhs.net"}}, start).ok());
  ASSERT_TRUE(h.Record("new@bury.gov.uk", {{"", "gp@nhs.net"}}, start + 300 * day).ok());
  const std::time_t now = start + 400 * day;
  auto dry = ApplyStateRetention(*db_, 30, 365, now, true);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  EXPECT_EQ(dry->history_senders, 1);
  EXPECT_EQ(dry->history_recipients, 2);
  EXPECT_EQ(dry->history_pairs, 1);
  EXPECT_TRUE(h.KnowsSender("old@bury.gov.uk")) << "a dry run changes nothing";
  auto real = ApplyStateRetention(*db_, 30, 365, now, false);
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->history_senders, dry->history_senders);
  EXPECT_EQ(real->history_recipients, dry->history_recipients);
  EXPECT_EQ(real->history_pairs, dry->history_pairs);
  EXPECT_EQ(real->history_domains, dry->history_domains);
  EXPECT_FALSE(h.KnowsSender("old@bury.gov.uk"));
  EXPECT_FALSE(h.HasSentTo("old@bury.gov.uk", "a.patel@example.org"));
  EXPECT_FALSE(h.KnowsCorrespondentName("old@bury.gov.uk", "patel")) << "name words go with their sender";
  EXPECT_TRUE(h.KnowsSender("new@bury.gov.uk"));
  EXPECT_TRUE(h.HasSentTo("new@bury.gov.uk", "gp@nhs.net"));
  EXPECT_EQ(ApplyStateRetention(*db_, 30, 365, now, false)->history_senders, 0) << "nothing more the second time";
}

TEST_P(RecipientHistoryTest, SurvivesReopening) {
  {
    RecipientHistory h(*db_, hasher_);
    ASSERT_TRUE(h.Record("s@bury.gov.uk", {{"", "x@example.org"}}, 1000).ok());
  }
  db_.reset();
  auto db = OpenStateDb(where_);
  ASSERT_TRUE(db.ok());
  RecipientHistory h(**db, hasher_);
  EXPECT_TRUE(h.HasSentTo("s@bury.gov.uk", "x@example.org"));
  // Another deployment secret cannot read it.
  common::KeyedHasher other("another-secret");
  EXPECT_FALSE(RecipientHistory(**db, other).HasSentTo("s@bury.gov.uk", "x@example.org"));
}

// The list of used domains is read once and shared until a domain never seen before is
// recorded by any history of this process (each worker has its own connection).
TEST_P(RecipientHistoryTest, UsedDomainsAreSharedUntilANewDomainIsRecorded) {
  auto other_db = OpenStateDb(where_);
  ASSERT_TRUE(other_db.ok());
  RecipientHistory reader(*db_, hasher_);
  RecipientHistory writer(**other_db, hasher_);
  ASSERT_TRUE(writer.Record("s@bury.gov.uk", {{"", "a@example.org"}}, 1000).ok());
  auto first = reader.UsedDomains(10);
  ASSERT_EQ(*first, std::vector<std::string>{"example.org"});
  EXPECT_EQ(reader.UsedDomains(10).get(), first.get());
  ASSERT_TRUE(writer.Record("t@bury.gov.uk", {{"", "b@example.org"}}, 1001).ok());  // a known domain
  EXPECT_EQ(reader.UsedDomains(10).get(), first.get());
  ASSERT_TRUE(writer.Record("s@bury.gov.uk", {{"", "c@example.net"}}, 1002).ok());  // a new one
  auto second = reader.UsedDomains(10);
  EXPECT_NE(second.get(), first.get());
  EXPECT_EQ(*second, (std::vector<std::string>{"example.org", "example.net"}));
  EXPECT_EQ(*first, std::vector<std::string>{"example.org"});  // a list once handed out never changes
  EXPECT_EQ(*reader.UsedDomains(1), std::vector<std::string>{"example.org"});  // another limit reads again
}

// A synthetic Postfix log in the shapes Debian writes (syslog and journald short-iso).
std::string SyntheticMailLog() {
  return "Nov 22 09:00:01 gw postfix/smtpd[100]: 1A2B3C4D5E: client=localhost[127.0.0.1], sasl_username=s\n"
         "Nov 22 09:00:01 gw postfix/qmgr[101]: 1A2B3C4D5E: from=<s@bury.gov.uk>, size=2048, nrcpt=3 (queue active)\n"
         "Nov 22 09:00:02 gw postfix/smtp[102]: 1A2B3C4D5E: to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, "
         "delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)\n"
         "Nov 22 09:00:02 gw postfix/smtp[102]: 1A2B3C4D5E: to=<b@example.org>, relay=mx.example.org[192.0.2.1]:25, "
         "delay=1, dsn=4.4.1, status=deferred (connect timed out)\n"
         "Nov 22 09:00:03 gw postfix/lmtp[103]: 1A2B3C4D5E: to=<c@bury.gov.uk>, relay=mail[private/dovecot-lmtp], "
         "delay=2, dsn=2.0.0, status=sent (250 2.0.0 <c@bury.gov.uk> Saved)\n"
         "Nov 22 09:00:03 gw postfix/qmgr[101]: 1A2B3C4D5E: removed\n"
         "2026-11-22T09:05:00.000000+00:00 gw postfix/qmgr[101]: 9F8E7D6C5B: from=<outsider@example.net>, size=10, nrcpt=1 (queue active)\n"
         "2026-11-22T09:05:01.000000+00:00 gw postfix/lmtp[103]: 9F8E7D6C5B: to=<s@bury.gov.uk>, relay=x, status=sent (250 ok)\n"
         "2026-11-22T09:05:01.000000+00:00 gw postfix/qmgr[101]: 9F8E7D6C5B: removed\n"
         "2026-11-22T09:06:00.000000+00:00 gw postfix/qmgr[101]: 0A0B0C0D0E: from=<>, size=10, nrcpt=1 (queue active)\n"
         "2026-11-22T09:06:01.000000+00:00 gw postfix/smtp[102]: 0A0B0C0D0E: to=<s@example.org>, relay=x, status=sent (250 ok)\n"
         "2026-11-22T09:07:00.000000+00:00 gw postfix/qmgr[101]: 7777777777: from=<t@bury.gov.uk>, size=10, nrcpt=1 (queue active)\n"
         "2026-11-22T09:07:01.000000+00:00 gw postfix/smtp[102]: 7777777777: to=<d@example.com>, relay=x, status=sent (250 ok)\n"
         "garbage line\n";
}

TEST_P(RecipientHistoryTest, ImportsOnlySentMailFromInternalSenders) {
  RecipientHistory h(*db_, hasher_);
  rules::Organisation org;
  org.directory.internal = {"bury.gov.uk"};
  std::istringstream log(SyntheticMailLog());
  auto counts = h.ImportPostfixLog(log, org, 5000);
  ASSERT_TRUE(counts.ok()) << counts.status().message();
  EXPECT_EQ(counts->lines, 14u);
  EXPECT_EQ(counts->messages, 2u);    // s@ (removed line) and t@ (flushed at the end)
  EXPECT_EQ(counts->recipients, 3u);  // a@, c@ and d@; b@ was deferred
  EXPECT_EQ(counts->skipped, 2u);     // the inbound message and the bounce
  EXPECT_TRUE(h.HasSentTo("s@bury.gov.uk", "a@example.org"));
  EXPECT_FALSE(h.HasSentTo("s@bury.gov.uk", "b@example.org"));
  EXPECT_TRUE(h.HasSentTo("t@bury.gov.uk", "d@example.com"));
  EXPECT_FALSE(h.KnowsSender("outsider@example.net"));
}

INSTANTIATE_TEST_SUITE_P(Backends, RecipientHistoryTest, ::testing::ValuesIn(sendguard::testing::kBackends),
                         [](const auto& p) { return sendguard::testing::BackendName(p.param); });

}  // namespace
}  // namespace sendguard::milter
