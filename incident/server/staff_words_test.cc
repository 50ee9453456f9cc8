// SPDX-License-Identifier: Apache-2.0
// The staff pages' words: every text in both languages, the Welsh not a copy of the English,
// placeholders kept in both, and the language taken from the link, the form or the fallback.
#include "staff_words.h"

#include <gtest/gtest.h>

#include <regex>

namespace sendguard::incident {
namespace {

TEST(StaffWords, EveryTextIsInEnglishAndWelshWithTheSamePlaceholders) {
  const auto ids = StaffWordIds();
  ASSERT_GT(ids.size(), 80u);
  const std::regex placeholder(R"(\{[a-z]+\})");
  for (const auto& id : ids) {
    const std::string& en = Say("en", id);
    const std::string& cy = Say("cy", id);
    EXPECT_FALSE(en.empty()) << id;
    EXPECT_FALSE(cy.empty()) << id;
    EXPECT_NE(en, cy) << id << ": the Welsh is a copy of the English";
    std::set<std::string> a, b;
    for (auto it = std::sregex_iterator(en.begin(), en.end(), placeholder); it != std::sregex_iterator(); ++it) a.insert(it->str());
    for (auto it = std::sregex_iterator(cy.begin(), cy.end(), placeholder); it != std::sregex_iterator(); ++it) b.insert(it->str());
    EXPECT_EQ(a, b) << id;
  }
  EXPECT_EQ(Say("cy", "no.such.id"), "no.such.id") << "an unknown id shows itself";
  EXPECT_EQ(Fill("at {when}, ref {ref}", {{"when", "09:00"}, {"ref", "R1"}}), "at 09:00, ref R1");
}

TEST(StaffWords, TheLanguageComesFromTheLinkTheFormOrTheFallback) {
  common::HttpRequest req;
  EXPECT_EQ(StaffLanguage(req, {}), "en");
  EXPECT_EQ(StaffLanguage(req, {}, "cy"), "cy");
  EXPECT_EQ(StaffLanguage(req, {}, "fr"), "en") << "only English and Welsh";
  req.query["lang"] = "en";
  EXPECT_EQ(StaffLanguage(req, {}, "cy"), "en") << "the switch wins over what the sender reads";
  EXPECT_EQ(StaffLanguage(req, {{"lang", "cy"}}, "en"), "cy") << "a posted form keeps its page's language";
  const std::string link = LanguageSwitch("en", "/staff/hold/abc?t=1&lang=en&action=cancel");
  EXPECT_NE(link.find("href=\"/staff/hold/abc?t=1&amp;action=cancel&amp;lang=cy\""), std::string::npos) << link;
  EXPECT_NE(link.find(">Cymraeg</a>"), std::string::npos);
}

}  // namespace
}  // namespace sendguard::incident
