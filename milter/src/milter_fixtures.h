// SPDX-License-Identifier: Apache-2.0
// Fixtures for milter-module tests: a temporary state directory and a real state database,
// a SQLite file in it or a fresh database on the tests' PostgreSQL server (StateBackendTest
// runs a test on both).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/held_messages.h"
#include "sendguard/milter/scan_records.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/testing/test_database.h"

namespace sendguard::milter::fixtures {

class StateDirTest : public ::testing::Test {
 protected:
  explicit StateDirTest(common::SqlDialect backend = common::SqlDialect::kSqlite) {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("sendguard-state-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    where_ = backend == common::SqlDialect::kSqlite ? (dir_ / "state.db").string()
                                                     : sendguard::testing::NewTestDatabase(backend, dir_);
    auto db = OpenStateDb(where_);
    EXPECT_TRUE(db.ok()) << db.status().message();
    if (db.ok()) db_ = std::move(db).value();
  }
  ~StateDirTest() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Everything stored, as bytes (to check no clear address is kept): the state directory's
  // files, and on PostgreSQL every row of every table as text.
  std::string AllBytes() const {
    std::string out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      std::FILE* f = std::fopen(e.path().c_str(), "rb");
      if (!f) continue;
      char buf[65536];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      std::fclose(f);
    }
    if (db_ && db_->dialect() == common::SqlDialect::kPostgres) {
      std::vector<std::string> tables;
      auto q = db_->Prepare("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
      while (q.ok() && (*q)->Step()) tables.push_back((*q)->Text(0));
      for (const auto& t : tables) {
        auto rows = db_->Prepare("SELECT CAST(t AS TEXT) FROM " + t + " t");
        while (rows.ok() && (*rows)->Step()) out += (*rows)->Text(0) + "\n";
      }
      EXPECT_FALSE(tables.empty());
    }
    return out;
  }

  std::filesystem::path dir_;
  std::string where_;  // the state database, as OpenStateDb takes it
  std::unique_ptr<common::SqlDb> db_;
  common::KeyedHasher hasher_{"milter-test-secret"};
};

// The scan record of an allowed send from `sender` to `recipient`, hashed as `records` hashes
// (tests set what else they need: outcome, findings, time).
inline ScanRecord ASend(const ScanRecords& records, const std::string& message_id, const std::string& sender,
                        const std::string& recipient, const std::string& subject) {
  ScanRecord r;
  r.at = 1000;
  r.queue_id = "4F3A2123";
  r.message_id_hash = records.MessageIdHash(message_id);
  r.message_sha256 = IncidentMessageIdHash(message_id);
  r.sender_hash = records.SenderHash(sender);
  r.sender_domain = sender.substr(sender.find('@') + 1);
  r.recipients_json = R"([{"domain":")" + recipient.substr(recipient.find('@') + 1) + R"(","hash":")" +
                      records.SenderHash(recipient) + R"("}])";
  r.verdict = "allow";
  r.outcome = "accepted";
  r.policies_json = r.signals_json = "[]";
  r.subject_hash = records.SubjectHash(subject);
  return r;
}

// A held message (hold-and-confirm) of a sender's referrals with one NHS number, flagged for
// its recipient outside the council; created at 1000, expiring at `expires`.
inline HeldMessage AHeld(const std::string& id, std::time_t expires,
                         std::vector<std::string> recipients = {"jo@council.example.gov.uk", "j.smith@example.org"}) {
  HeldMessage m;
  m.id = id;
  m.sender = "s.okafor@council.example.gov.uk";
  m.recipients = std::move(recipients);
  m.flagged = {"j.smith@example.org"};
  m.subject = "referrals";
  m.explanation = "This email contains 3 NHS numbers ...";
  m.raw = "Subject: referrals\r\n\r\nNHS number 943 476 5919\r\n";
  m.created = 1000;
  m.expires = expires;
  return m;
}

// A StateDirTest on each backend: TEST_P, then INSTANTIATE_TEST_SUITE_P(Backends, X,
// ::testing::ValuesIn(sendguard::testing::kBackends)).
class StateBackendTest : public StateDirTest, public ::testing::WithParamInterface<common::SqlDialect> {
 protected:
  StateBackendTest() : StateDirTest(GetParam()) {}
};

}  // namespace sendguard::milter::fixtures
