// SPDX-License-Identifier: Apache-2.0
// The shared PostgreSQL store goes away while mail flows: two gateways (sendguard-milter with
// their own state files, each with sendguard-sync) and the core (its incident store on the
// same PostgreSQL) keep going. Every message is answered, none later than the milter's
// timeout; the milter's metrics say degraded; when PostgreSQL returns the journals are
// replayed (what gateway A learned during the outage gateway B knows), and every incident
// drafted meanwhile is filed exactly once. The PostgreSQL here is the test's own (it is
// stopped and started), not the suite's shared one.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <set>

#include "core/core_harness.h"
#include "milter/daemon_harness.h"
#include "milter/milter_lua.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

using namespace testing::lua;
using nlohmann::json;
namespace fs = std::filesystem;

// The test's own PostgreSQL server: made, stopped ("halted") and started again at will.
class PrivatePostgres {
 public:
  PrivatePostgres() : dir_("/tmp/sendguard-pg-fault-" + std::to_string(::getpid())), port_(testing::FreePort()) {
    EXPECT_EQ(Script("start"), 0);
    conninfo_ = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=postgres connect_timeout=2";
  }
  ~PrivatePostgres() { Script("stop"); }
  int Halt() { return Script("halt"); }
  int Resume() { return Script("resume"); }
  const std::string& conninfo() const { return conninfo_; }

 private:
  int Script(const std::string& action) {
    return testing::Shell("bash " + std::string(SENDGUARD_PG_SERVER_SCRIPT) + " " + action + " " + dir_ + " " +
                          std::to_string(port_) + " 2>&1");
  }
  std::string dir_;
  int port_;
  std::string conninfo_;
};

class Gateway {
 public:
  Gateway(const std::string& name, testing::CoreServer& core, const std::string& shared)
      : name_(name),
        milter_("fault-" + name,
                "organisation:\n  internal_domains: [council.example.gov.uk]\ncore_url: http://127.0.0.1:" +
                    std::to_string(core.port()) + "\ncore_token_file: " + core.milter_token_file().string() + "\n",
                "  outbox_retry_max_seconds: 2\n") {
    sync_ = testing::Spawn({SENDGUARD_SYNC_BIN, "--state-db", state_db(), "--gateway-id", name, "--interval-ms", "200",
                            "--shared-store", shared},
                           milter_.dir() / "sync.log");
  }
  ~Gateway() { testing::Terminate(&sync_); }
  std::string state_db() const { return (milter_.dir() / "state" / "state.db").string(); }
  testing::MilterDaemon& milter() { return milter_; }
  std::string SyncLog() const { return testing::ReadFile(milter_.dir() / "sync.log"); }

  // One connection: `clean` messages from `sender` to new recipients (accepted: learned), and
  // `blocked` ones with identifiers to a lookalike domain (rejected: an incident each). How
  // long the milter took to answer them all.
  std::chrono::milliseconds Send(const std::string& sender, int first, int clean, int blocked, const std::string& sensitive) {
    std::string lua = Connect();
    for (int i = first; i < first + clean; ++i) {
      Msg m;
      m.from = sender;
      m.to = {"partner" + std::to_string(i) + "@agency.example.org"};
      m.body = "Minutes of the meeting, as agreed.\r\n";
      m.qid = name_ + "-C" + std::to_string(i);  // the Message-ID too: one per message, per gateway
      lua += SendLua(m) + kAccepted;
    }
    for (int i = first; i < first + blocked; ++i) {
      Msg m;
      m.from = sender;
      m.to = {"jo@counci1.example.gov.uk"};
      m.body = sensitive;
      m.qid = name_ + "-B" + std::to_string(i);
      lua += SendLua(m) + kRejected;
    }
    lua += "mt.disconnect(conn)\n";
    std::string out;
    const auto start = std::chrono::steady_clock::now();
    const int rc = milter_.RunScript(lua, &out);
    EXPECT_EQ(rc, 0) << out << milter_.Log();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  }

 private:
  std::string name_;
  testing::MilterDaemon milter_;
  pid_t sync_ = -1;
};

bool Knows(const std::string& state_db, const std::string& sender, const std::string& recipient) {
  auto db = milter::OpenStateDb(state_db);
  if (!db.ok()) return false;
  common::KeyedHasher hasher("milter-test-secret");  // the harness's secret, the same on both gateways
  return milter::RecipientHistory(**db, hasher).HasSentTo(sender, recipient);
}

size_t Incidents(testing::CoreServer& core, std::set<std::string>* events) {
  auto r = core.Request("GET", "/api/incidents", "", core.As("IG_OFFICER", "ig-fault"));
  if (r.status != 200) return 0;
  const json listed = r.Json();
  if (events) {
    events->clear();
    for (const auto& i : listed["incidents"]) {
      auto shown = core.Request("GET", "/api/incidents/" + i["incident_id"].get<std::string>(), "", core.As("IG_OFFICER", "ig-fault"));
      events->insert(shown.Json()["incident"].value("mf_event_id", std::string()));
    }
  }
  return listed["incidents"].size();
}

// The outage lasts SENDGUARD_PG_OUTAGE_SECONDS (default 6; 60 for the minute).
TEST(SharedStoreFaultTest, PostgresStoppedUnderLoadLosesAndDelaysNothingAndFilesEachIncidentOnce) {
  const char* env = std::getenv("SENDGUARD_PG_OUTAGE_SECONDS");
  const int outage = env ? std::max(1, std::atoi(env)) : 6;
  synth::Rng rng(2121);
  std::string sensitive = "Dear Jo,\r\nThe referrals, with their mental health notes:\r\n";
  for (int i = 0; i < 4; ++i) sensitive += "NHS number " + synth::Grouped(synth::NhsNumber(rng), {3, 3, 4}, ' ') + " diagnosis: psychosis\r\n";

  PrivatePostgres pg;
  testing::CoreServer core("fault-core", "", 0, true, pg.conninfo());
  Gateway a("gw-a", core, pg.conninfo()), b("gw-b", core, pg.conninfo());
  const std::string sender = "s.okafor@council.example.gov.uk";

  // Before: A learns a recipient, B knows it within a few rounds; A's blocked sends are filed.
  a.Send(sender, 0, 3, 2, sensitive);
  for (int i = 0; i < 100 && !Knows(b.state_db(), sender, "partner0@agency.example.org"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(Knows(b.state_db(), sender, "partner0@agency.example.org")) << a.SyncLog() << b.SyncLog();
  for (int i = 0; i < 100 && Incidents(core, nullptr) < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_EQ(Incidents(core, nullptr), 2u) << core.Log();

  // PostgreSQL stops; mail keeps flowing through both gateways.
  ASSERT_EQ(pg.Halt(), 0);
  const auto back = std::chrono::steady_clock::now() + std::chrono::seconds(outage);
  int next = 3, blocked = 2;
  std::chrono::milliseconds slowest{0};
  do {
    slowest = std::max(slowest, a.Send(sender, next, 2, 1, sensitive));
    slowest = std::max(slowest, b.Send("t.brown@council.example.gov.uk", next, 2, 1, sensitive));
    next += 2;
    blocked += 2;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  } while (std::chrono::steady_clock::now() < back);
  // Each connection carried 3 messages; the milter's timeout is 30 s a message by default:
  // nothing waited on the database (in practice each connection takes well under a second).
  EXPECT_LT(slowest, std::chrono::seconds(10)) << "a message waited on PostgreSQL";
  const std::string degraded = a.milter().Metrics();
  EXPECT_NE(degraded.find("sendguard_shared_store_up 0"), std::string::npos) << degraded;
  EXPECT_EQ(degraded.find("sendguard_shared_store_backlog 0\n"), std::string::npos) << "A's changes wait to be pushed";
  // The core cannot check the milter's token meanwhile: it says so (503, retried), not "bad token".
  EXPECT_NE(a.milter().Log().find("HTTP 503"), std::string::npos) << a.milter().Log();
  EXPECT_EQ(a.milter().Log().find("HTTP 401"), std::string::npos) << a.milter().Log();

  // It returns: the journals are replayed and the outbox delivers; nothing is lost or doubled.
  ASSERT_EQ(pg.Resume(), 0);
  const std::string learned_in_outage = "partner" + std::to_string(next - 1) + "@agency.example.org";
  for (int i = 0; i < 300 && !Knows(b.state_db(), sender, learned_in_outage); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(Knows(b.state_db(), sender, learned_in_outage)) << a.SyncLog();
  for (int i = 0; i < 300 && !Knows(a.state_db(), "t.brown@council.example.gov.uk", "partner3@agency.example.org"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // B replays on its own round
  }
  EXPECT_TRUE(Knows(a.state_db(), "t.brown@council.example.gov.uk", "partner3@agency.example.org")) << b.SyncLog();
  for (int i = 0; i < 300 && Incidents(core, nullptr) < static_cast<size_t>(blocked); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // any duplicate would have arrived by now
  std::set<std::string> events;
  EXPECT_EQ(Incidents(core, &events), static_cast<size_t>(blocked)) << core.Log();
  EXPECT_EQ(events.size(), static_cast<size_t>(blocked)) << "every draft filed once";
  std::string healthy;
  for (int i = 0; i < 50; ++i) {
    healthy = a.milter().Metrics();
    if (healthy.find("sendguard_shared_store_up 1") != std::string::npos &&
        healthy.find("sendguard_shared_store_backlog 0\n") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(healthy.find("sendguard_shared_store_up 1"), std::string::npos) << healthy;
  EXPECT_NE(healthy.find("sendguard_shared_store_backlog 0\n"), std::string::npos) << healthy;
  auto verify = core.Command("audit verify");
  EXPECT_NE(verify.find("ok"), std::string::npos) << verify;
}

}  // namespace
}  // namespace sendguard
