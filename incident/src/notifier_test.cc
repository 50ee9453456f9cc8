// SPDX-License-Identifier: Apache-2.0
// Notifications through real HTTP: a receiver on loopback (common's HttpServer) takes the
// webhooks; each event goes once, a refused one is retried, and no title text (which people
// type and might fill with names) is sent.
#include "sendguard/incident/notifier.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "sendguard/common/http_server.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class NotifierTest : public ::testing::Test {
 protected:
  NotifierTest() : dir_(fs::temp_directory_path() / ("sendguard-notify-" + std::to_string(::getpid()))) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(*OpenSqliteStore(dir_ / "i.db"));
    service_ = std::make_unique<IncidentService>(*store_, CoreConfig{}, [this] { return now_; });
    receiver_ = std::move(*common::HttpServer::Start("127.0.0.1:0", [this](const common::HttpRequest& r) {
      std::lock_guard lock(mu_);
      common::HttpResponse out;
      if (r.path == "/down") {
        out.status = 503;
        return out;
      }
      received_.push_back({r.path, r.body});
      return out;
    }));
  }
  ~NotifierTest() override { fs::remove_all(dir_); }
  std::string Url(const std::string& path) { return "http://127.0.0.1:" + std::to_string(receiver_->port()) + path; }

  fs::path dir_;
  Instant now_ = *ParseInstant("2026-11-22T12:00Z");
  std::unique_ptr<IncidentStore> store_;
  std::unique_ptr<IncidentService> service_;
  std::unique_ptr<common::HttpServer> receiver_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> received_;
};

TEST_F(NotifierTest, NewDraftsAndDueClocksGoOutOnceInEachFormat) {
  Actor system{"milter", "sendguard-milter", Role::kSystem};
  Actor ig{"ig1", "IG Officer", Role::kIgOfficer};  // a reporter may not set the kind
  ASSERT_TRUE(service_->Create({{"source", "MAIL_FILTER"}, {"mf_event_id", "ev1"}, {"mf_action", "BLOCKED"}}, system).ok());
  // A breach the council has known of for 50 hours: the ICO clock is due soon, the form overdue.
  ASSERT_TRUE(service_->Create({{"title", "Letter about Mrs Example"}, {"kind", "BREACH"},
                                {"s1_aware_local", "2026-11-20T10:00"}}, ig).ok());
  std::vector<Webhook> hooks = {{Url("/generic"), "generic"}, {Url("/slack"), "slack"}, {Url("/teams"), "teams"}};
  auto sent = NotifyRound(*store_, CoreConfig{}, hooks, now_, nullptr);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(*sent, 4);  // two new drafts, ICO_72H:DUE_SOON, FORM_24H:OVERDUE
  ASSERT_EQ(received_.size(), 12u);
  std::set<std::string> events;
  for (const auto& [path, body] : received_) {
    EXPECT_EQ(body.find("Mrs Example"), std::string::npos) << body;
    json j = json::parse(body);
    if (path == "/generic") events.insert(j["event"]);
    if (path == "/slack") {
      EXPECT_EQ(j["text"].get<std::string>().rfind("sendguard: ", 0), 0u);
    }
    if (path == "/teams") {
      EXPECT_EQ(j["@type"], "MessageCard");
    }
  }
  EXPECT_EQ(events, (std::set<std::string>{"new", "ICO_72H:DUE_SOON", "FORM_24H:OVERDUE"}));
  EXPECT_EQ(*NotifyRound(*store_, CoreConfig{}, hooks, now_, nullptr), 0);  // nothing twice
  // Later the ICO clock becomes overdue: one more notice.
  now_ = *ParseInstant("2026-11-23T11:00Z");
  EXPECT_EQ(*NotifyRound(*store_, CoreConfig{}, hooks, now_, nullptr), 1);
}

TEST_F(NotifierTest, ARefusedWebhookIsRetriedNextRound) {
  Actor ig{"ig1", "IG Officer", Role::kIgOfficer};  // a reporter may not set the kind
  ASSERT_TRUE(service_->Create({{"title", "t"}}, ig).ok());
  EXPECT_EQ(*NotifyRound(*store_, CoreConfig{}, {{Url("/down"), "generic"}}, now_, nullptr), 0);
  EXPECT_EQ(*NotifyRound(*store_, CoreConfig{}, {{Url("/up"), "generic"}}, now_, nullptr), 1);
}

}  // namespace
}  // namespace sendguard::incident
