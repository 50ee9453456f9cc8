// SPDX-License-Identifier: Apache-2.0
// Two sendguard-core processes on one PostgreSQL database (the tests' server): both serve
// the API with the same accounts, every notification is sent once between them, and when
// one is killed the other carries on and still sends each notification once.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "core/core_harness.h"
#include "sendguard/common/http_server.h"
#include "sendguard/testing/test_database.h"

namespace sendguard::testing {
namespace {

using nlohmann::json;

class Webhook {
 public:
  Webhook() {
    auto started = common::HttpServer::Start("127.0.0.1:0", [this](const common::HttpRequest& r) {
      const json body = json::parse(r.body, nullptr, false);
      std::lock_guard lock(mu_);
      // The generic format carries the incident and the event.
      if (body.is_object()) ++heard_[body.value("incident_id", std::string()) + " " + body.value("event", std::string())];
      return common::HttpResponse{};
    });
    EXPECT_TRUE(started.ok());
    if (started.ok()) server_ = std::move(*started);
  }
  std::string Yaml() const {
    return "notifications:\n  poll_seconds: 5\n  webhooks: [{url: \"http://127.0.0.1:" + std::to_string(server_->port()) +
           "/hook\", format: generic}]\n";
  }
  std::map<std::string, int> Heard() {
    std::lock_guard lock(mu_);
    return heard_;
  }
  // Waits until every incident in `ids` was heard of ("new"), then two more poll rounds.
  void WaitForNew(const std::vector<std::string>& ids) {
    for (int i = 0; i < 300; ++i) {
      auto h = Heard();
      bool all = true;
      for (const auto& id : ids) all &= h.count(id + " new") > 0;
      if (all) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::this_thread::sleep_for(std::chrono::seconds(11));
  }

 private:
  std::unique_ptr<common::HttpServer> server_;
  std::mutex mu_;
  std::map<std::string, int> heard_;
};

TEST(TwoCoresTest, ShareAccountsAndIncidentsSendEachNotificationOnceAndSurviveOneKilled) {
  const std::string db = NewTestDatabase(common::SqlDialect::kPostgres, "");
  ASSERT_FALSE(db.empty()) << "no test PostgreSQL (the CTest fixture `postgres`)";
  Webhook hook;
  CoreServer a("two-a", hook.Yaml(), 0, true, db);
  CoreServer b("two-b", hook.Yaml(), 0, true, db);
  // A token made through one core's command works on the other: one accounts store.
  const auto ig = a.As("IG_OFFICER", "ig-two-cores");
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    CoreServer& via = i % 2 ? b : a;
    auto r = via.Request("POST", "/api/incidents", json{{"title", "Two cores " + std::to_string(i)}, {"kind", "NEAR_MISS"}}.dump(), ig);
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.Json()["incident"]["incident_id"]);
  }
  // Both list all ten.
  for (CoreServer* c : {&a, &b}) {
    auto listed = c->Request("GET", "/api/incidents", "", ig);
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_EQ(listed.Json()["incidents"].size(), 10u) << listed.body.substr(0, 300);
  }
  // An edit from a stale read is refused on the other core (the optimistic version check).
  auto shown = b.Request("GET", "/api/incidents/" + ids[0], "", ig);
  ASSERT_EQ(shown.status, 200);
  const int64_t version = shown.Json()["version"].get<int64_t>();
  auto first = a.Request("PATCH", "/api/incidents/" + ids[0], json{{"version", version}, {"set", {{"title", "edited on A"}}}}.dump(), ig);
  EXPECT_EQ(first.status, 200) << first.body;
  auto stale = b.Request("PATCH", "/api/incidents/" + ids[0], json{{"version", version}, {"set", {{"title", "edited on B"}}}}.dump(), ig);
  EXPECT_EQ(stale.status, 409) << stale.body;

  hook.WaitForNew(ids);
  for (const auto& id : ids) EXPECT_EQ(hook.Heard()[id + " new"], 1) << id << " was not notified exactly once";

  // One core dies; the other serves and notifies.
  a.Kill();
  std::vector<std::string> later;
  for (int i = 0; i < 5; ++i) {
    auto r = b.Request("POST", "/api/incidents", json{{"title", "After the kill " + std::to_string(i)}, {"kind", "NEAR_MISS"}}.dump(), ig);
    ASSERT_EQ(r.status, 201) << r.body;
    later.push_back(r.Json()["incident"]["incident_id"]);
  }
  hook.WaitForNew(later);
  const auto heard = hook.Heard();
  for (const auto& id : later) EXPECT_EQ(heard.count(id + " new") ? heard.at(id + " new") : 0, 1) << id;
  for (const auto& id : ids) EXPECT_EQ(heard.at(id + " new"), 1) << id << " sent again after the kill";
  auto verify = b.Command("audit verify");
  EXPECT_NE(verify.find("ok"), std::string::npos) << verify;
}

}  // namespace
}  // namespace sendguard::testing
