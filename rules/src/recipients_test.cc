// SPDX-License-Identifier: Apache-2.0
// Recipient classes and the lookalike table: pairs that must and must not fire.
#include "sendguard/rules/recipients.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "sendguard/testing/shipped_freemail.h"

namespace sendguard::rules {
namespace {

using sendguard::testing::ShippedFreemail;

const std::vector<std::string> kOrganisational = {"bury.gov.uk", "nhs.net", "gmp.police.uk", "stmarys.bury.sch.uk"};

TEST(RecipientsTest, ClassifiesByDomainAndSubdomain) {
  RecipientDirectory dir{{"bury.gov.uk"}, {"secure.example.gov.uk"}, {"nhs.net", "gmp.police.uk"}, ShippedFreemail()};
  EXPECT_EQ(Classify(dir, "A.Person@Bury.gov.uk"), RecipientClass::kInternal);
  EXPECT_EQ(Classify(dir, "x@mail.bury.gov.uk"), RecipientClass::kInternal);
  EXPECT_EQ(Classify(dir, "x@secure.example.gov.uk"), RecipientClass::kSecure);
  EXPECT_EQ(Classify(dir, "\"Dr X\" <x@nhs.net>"), RecipientClass::kPartner);
  EXPECT_EQ(Classify(dir, "someone@gmail.com"), RecipientClass::kFreemail);
  EXPECT_EQ(Classify(dir, "someone@example.org"), RecipientClass::kExternal);
  EXPECT_EQ(Classify(dir, "notbury.gov.uk@evil.example"), RecipientClass::kExternal);
  EXPECT_EQ(Classify(dir, "x@evilbury.gov.uk"), RecipientClass::kExternal);  // not a subdomain
}

TEST(RecipientsTest, LookalikeTable) {
  auto freemail = ShippedFreemail();
  struct Row {
    const char* domain;
    const char* resembles;  // nullptr: must not fire
  };
  const Row rows[] = {
      {"burry.gov.uk", "bury.gov.uk"},   {"bury-gov.uk", "bury.gov.uk"},   {"bvry.gov.uk", "bury.gov.uk"},
      {"bury.gov.co.uk", "bury.gov.uk"}, {"bury.gov.uk.example.com", "bury.gov.uk"}, {"nhs.com", "nhs.net"},           {"nhs.org", "nhs.net"},
      {"nhs.met", "nhs.net"},            {"gmial.com", "gmail.com"},       {"gmai1.com", "gmail.com"},
      {"hotrnail.com", "hotmail.com"},   {"0utlook.com", "outlook.com"},   {"bury.co.uk", "bury.gov.uk"},
      {"gmp-police.uk", "gmp.police.uk"},
      // Must not fire: the domains themselves, their subdomains, unrelated names, real variants.
      {"bury.gov.uk", nullptr},          {"mail.bury.gov.uk", nullptr},    {"nhs.net", nullptr},
      {"gmail.com", nullptr},            {"example.org", nullptr},         {"bolton.gov.uk", nullptr},
      {"nhs.uk", nullptr},               {"yahoo.fr", nullptr},            {"outlook.com", nullptr},
      {"salford.gov.uk", nullptr},       {"bt.com", nullptr},              {"council.example", nullptr},
  };
  for (const auto& row : rows) {
    auto hit = FindLookalike(row.domain, kOrganisational, freemail);
    if (row.resembles) {
      ASSERT_TRUE(hit.has_value()) << row.domain << " should look like " << row.resembles;
      EXPECT_EQ(hit->resembles, row.resembles) << row.domain;
      EXPECT_FALSE(hit->how.empty());
    } else {
      EXPECT_FALSE(hit.has_value()) << row.domain << " flagged as like " << (hit ? hit->resembles : "");
    }
  }
}

TEST(RecipientsTest, ExplanationsSayHow) {
  EXPECT_EQ(FindLookalike("nhs.com", kOrganisational)->how, "the same name under .com instead of .net");
  EXPECT_EQ(FindLookalike("burry.gov.uk", kOrganisational)->how, "1 character different");
  EXPECT_EQ(FindLookalike("gmai1.com", {}, {"gmail.com"})->how, "homoglyph: characters that look alike");
}

// The full optimal-string-alignment table, the definition the bounded one must agree with.
size_t ReferenceDistance(const std::string& a, const std::string& b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

TEST(RecipientsTest, BoundedEditDistanceAgreesWithTheFullTable) {
  std::mt19937 rng(5);
  auto word = [&](size_t n) {
    std::string w;
    for (size_t i = 0; i < n; ++i) w.push_back(static_cast<char>('a' + rng() % 4));  // few letters: many near pairs
    return w;
  };
  for (int trial = 0; trial < 20000; ++trial) {
    std::string a = word(rng() % 12), b = a;
    for (int edits = static_cast<int>(rng() % 4); edits > 0; --edits) {  // mostly near one another
      size_t at = b.empty() ? 0 : rng() % b.size();
      switch (rng() % 4) {
        case 0: b.insert(b.begin() + static_cast<long>(at), 'a'); break;
        case 1: if (!b.empty()) b.erase(at, 1); break;
        case 2: if (!b.empty()) b[at] = 'd'; break;
        default: if (at + 1 < b.size()) std::swap(b[at], b[at + 1]);
      }
    }
    if (trial % 3 == 0) b = word(rng() % 12);  // and some unrelated
    const size_t full = ReferenceDistance(a, b);
    for (size_t limit = 0; limit <= 3; ++limit) {
      ASSERT_EQ(BoundedEditDistance(a, b, limit), std::min(full, limit + 1)) << a << " " << b << " limit " << limit;
    }
  }
  EXPECT_EQ(BoundedEditDistance("gmail.com", "gmial.com", 2), 1u);  // one transposition
  EXPECT_EQ(BoundedEditDistance("", "ab", 2), 2u);
  EXPECT_EQ(BoundedEditDistance("abcdef", "a", 2), 3u);
}

// Several lists taken in turn answer as their concatenation would, without copying them; known
// domains in capitals are folded.
TEST(RecipientsTest, LookalikeAmongSeveralListsIsTheSameAsOneList) {
  const std::vector<std::string> internal = {"bury.gov.uk"}, partner = {"NHS.net", "gmp.police.uk"},
                                 used = {"stmarys.bury.sch.uk", "example.org"};
  std::vector<std::string> all = internal;
  for (const auto* l : {&partner, &used}) all.insert(all.end(), l->begin(), l->end());
  auto freemail = ShippedFreemail();
  for (const char* d : {"burry.gov.uk", "nhs.com", "nhs.met", "NHS.NET", "stmary5.bury.sch.uk", "exampel.org",
                        "gmial.com", "bury.gov.uk.example.com", "example.org", "mail.example.org", "unrelated.com"}) {
    auto one = FindLookalike(d, all, freemail);
    auto several = FindLookalikeIn(d, {&internal, &partner, &used}, freemail);
    ASSERT_EQ(one.has_value(), several.has_value()) << d;
    if (one) {
      EXPECT_EQ(one->resembles, several->resembles) << d;
      EXPECT_EQ(one->how, several->how) << d;
    }
  }
  EXPECT_EQ(FindLookalikeIn("nhs.met", {&partner}, {})->resembles, "nhs.net");
  EXPECT_FALSE(FindLookalikeIn("mail.example.org", {&internal, &used}, freemail).has_value());  // a subdomain of a used one
}

TEST(RecipientsTest, DomainListErrorsNameTheLine) {
  auto missing = LoadDomainList("/nonexistent/freemail.yaml");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(DomainOf("Jo <Jo@Example.ORG>"), "example.org");
  EXPECT_EQ(DomainOf("no-at-sign"), "");
}

}  // namespace
}  // namespace sendguard::rules
