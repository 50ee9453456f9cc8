// SPDX-License-Identifier: Apache-2.0
// The outputs' API over a real SQLite store, called as the pages call it: the subject access
// search keeps to need to know (a directorate-scoped IG officer finds only their cases, so it
// cannot probe others' text), multi-line postal addresses match however they were typed, and a
// deeply nested body is refused before anything copies it.
#include "outputs_api.h"

#include "casework_blocks.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "test_callers.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

using test_support::As;

common::HttpResponse Post(IncidentService& service, const ApiSettings& settings, const Caller& caller, const std::string& path,
                          const std::string& body) {
  common::HttpRequest r;
  r.method = "POST";
  r.path = path;
  r.body = body;
  return HandleApi(service, settings, caller, r);
}

TEST(OutputsApi, SubjectAccessKeepsToNeedToKnowAndMatchesAddressesHoweverTyped) {
  const fs::path dir = fs::temp_directory_path() / ("sendguard-outputs-api-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto store = std::move(*OpenSqliteStore(dir / "i.db"));
  IncidentService service(*store, CoreConfig{}, NowUtc);
  const Caller ig = As(Role::kIgOfficer, "ig1"), scoped = As(Role::kIgOfficer, "ig2", {"Housing"});
  ASSERT_TRUE(service.Create({{"title", "Social care case"}, {"s2_directorate", "Social Care"},
                              {"s5_what_happened", "Letter for victim@person.example sent to Flat 2\n3 Mill Road, Town"}},
                             ig.actor)
                  .ok());
  ASSERT_TRUE(service.Create({{"title", "Housing case"}, {"s2_directorate", "Housing"}, {"s5_what_happened", "Nothing of hers"}},
                             ig.actor)
                  .ok());
  ApiSettings settings;
  auto everyone = Post(service, settings, ig, "/api/subject-access", R"({"address": "VICTIM@person.example"})");
  ASSERT_EQ(everyone.status, 200) << everyone.body;
  EXPECT_EQ(json::parse(everyone.body)["incidents"].size(), 1u);
  auto hidden = Post(service, settings, scoped, "/api/subject-access", R"({"address": "victim@person.example"})");
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_TRUE(json::parse(hidden.body)["incidents"].empty()) << "another directorate's case: not found, not probed";
  for (const char* typed : {R"({"address": "Flat 2, 3 Mill Road"})", R"({"address": "flat 2\n3 mill road"})"}) {
    auto postal = Post(service, settings, ig, "/api/subject-access", typed);
    ASSERT_EQ(postal.status, 200);
    EXPECT_EQ(json::parse(postal.body)["incidents"].size(), 1u) << typed;
  }
  const std::string deep = R"({"address": )" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto refused = Post(service, settings, ig, "/api/subject-access", deep);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("nests more than"), std::string::npos) << refused.body;
  fs::remove_all(dir);
}

// The ICO submission form: the items to follow are the Art 33(3) items, each ticked; anything
// else is refused in words (it used to be free text, read through a string already freed).
TEST(OutputsApi, AnIcoSubmissionsItemsToFollowAreTheArt33Items) {
  std::string error;
  const json added = AddedIcoSubmission(json::array(), {{"type", "INITIAL"}, {"submitted_at", "2026-12-01T10:00"},
                                                        {"to_follow", "data_records"}, {"to_follow", "dpo_contact"}},
                                        &error);
  EXPECT_EQ(error, "");
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0]["to_follow"], json({"data_records", "dpo_contact"}));
  AddedIcoSubmission(json::array(), {{"type", "INITIAL"}, {"submitted_at", "2026-12-01T10:00"},
                                     {"to_follow", "records_affected and a long explanation"}},
                     &error);
  EXPECT_NE(error.find("to_follow"), std::string::npos) << error;
}

}  // namespace
}  // namespace sendguard::incident
