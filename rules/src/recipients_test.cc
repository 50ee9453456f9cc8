// Recipient classes and the lookalike table: pairs that must and must not fire.
#include "sendguard/rules/recipients.h"

#include <gtest/gtest.h>

namespace sendguard::rules {
namespace {

std::vector<std::string> Freemail() {
  auto list = LoadDomainList(std::string(SENDGUARD_RULES_DIR) + "/recipients/freemail.yaml");
  EXPECT_TRUE(list.ok()) << list.status().message();
  return list.ok() ? *list : std::vector<std::string>{};
}

const std::vector<std::string> kOrganisational = {"bury.gov.uk", "nhs.net", "gmp.police.uk", "stmarys.bury.sch.uk"};

TEST(RecipientsTest, ClassifiesByDomainAndSubdomain) {
  RecipientDirectory dir{{"bury.gov.uk"}, {"secure.example.gov.uk"}, {"nhs.net", "gmp.police.uk"}, Freemail()};
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
  auto freemail = Freemail();
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

TEST(RecipientsTest, DomainListErrorsNameTheLine) {
  auto missing = LoadDomainList("/nonexistent/freemail.yaml");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(DomainOf("Jo <Jo@Example.ORG>"), "example.org");
  EXPECT_EQ(DomainOf("no-at-sign"), "");
}

}  // namespace
}  // namespace sendguard::rules
