// SPDX-License-Identifier: Apache-2.0
// Accounts: the web roles, directorates, and the links investigating officers are sent.
#include "accounts.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace sendguard::incident {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("sendguard-accounts-unit-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
    auto opened = Accounts::Open(path_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    accounts_ = std::move(*opened);
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(AccountsTest, EveryRoleOfTheProcedureAndDirectoratesForIgOfficersOnly) {
  for (const char* role : {"ig_officer", "dpo", "investigating_officer", "siro", "caldicott_guardian", "auditor", "admin"}) {
    EXPECT_TRUE(accounts_->AddSsoUser(std::string("u-") + role, role).ok()) << role;
  }
  EXPECT_FALSE(accounts_->AddSsoUser("x", "superuser").ok());
  EXPECT_EQ(ApiRoleFor("caldicott_guardian"), "CALDICOTT_GUARDIAN");
  EXPECT_EQ(ApiRoleFor("auditor"), "REPORTER");
  EXPECT_FALSE(accounts_->AddSsoUser("siro2", "siro", {"Resources"}).ok()) << "only IG officers are scoped";
  ASSERT_TRUE(accounts_->AddSsoUser("ig2", "ig_officer", {"Children's Services", "Adult Social Care"}).ok());
  std::string token;
  auto session = accounts_->SsoLogin("ig2", 1000, &token);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->directorates, (std::vector<std::string>{"Children's Services", "Adult Social Care"}));
  auto again = *accounts_->Session(token, 1001);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->directorates.size(), 2u) << "the scope comes back with the session";
}

TEST_F(AccountsTest, AnOfficersLinkSignsThemInUntilItExpires) {
  std::string link, session_token, incident;
  ASSERT_TRUE(accounts_->AddOfficerLink("lee.manager@council.example.gov.uk", "case-1", 1000, &link).ok());
  EXPECT_EQ(link.size(), 64u);
  auto s = accounts_->OfficerLinkLogin(link, 2000, &session_token, &incident);
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->user, "lee.manager@council.example.gov.uk");
  EXPECT_EQ(s->role, "investigating_officer");
  EXPECT_EQ(incident, "case-1");
  EXPECT_TRUE(accounts_->Session(session_token, 2001)->has_value());
  EXPECT_TRUE(accounts_->OfficerLinkLogin(link, 3000, &session_token, &incident).ok()) << "used again within the week";
  EXPECT_FALSE(accounts_->OfficerLinkLogin(link, 1000 + Accounts::kOfficerLinkSeconds, &session_token, &incident).ok());
  std::string wrong = link;
  wrong[0] = wrong[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(accounts_->OfficerLinkLogin(wrong, 2000, &session_token, &incident).ok());
  // The link-only account has no password to guess.
  EXPECT_FALSE(accounts_->Login("lee.manager@council.example.gov.uk", "", 2000, &session_token, "127.0.0.1").ok());
  auto users = accounts_->Users();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 1u);
  EXPECT_TRUE((*users)[0].link_only);
}

TEST_F(AccountsTest, ALinkDoesNotLowerAnAccountOrOpenADisabledOne) {
  ASSERT_TRUE(accounts_->AddSsoUser("dpo@council.example.gov.uk", "dpo").ok());
  std::string link, token, incident;
  ASSERT_TRUE(accounts_->AddOfficerLink("dpo@council.example.gov.uk", "case-1", 1000, &link).ok());
  auto s = accounts_->OfficerLinkLogin(link, 1001, &token, &incident);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("log in with it"), std::string::npos);
  ASSERT_TRUE(accounts_->AddOfficerLink("lee@council.example.gov.uk", "case-2", 1000, &link).ok());
  ASSERT_TRUE(accounts_->OfficerLinkLogin(link, 1001, &token, &incident).ok());
  ASSERT_TRUE(accounts_->DisableUser("lee@council.example.gov.uk").ok());
  EXPECT_FALSE(accounts_->Session(token, 1002)->has_value()) << "disabling ends the link's session";
  EXPECT_FALSE(accounts_->OfficerLinkLogin(link, 1003, &token, &incident).ok());
}

// A link stands in for no one's credentials: an address with a password or single sign-on
// account (in any case) or a disabled one is refused; only the newest link to a case works.
TEST_F(AccountsTest, ALinkNeverSignsInToAnAccountWithCredentials) {
  ASSERT_TRUE(accounts_->AddUser("Eve@Council.example.gov.uk", "investigating_officer", "correct horse battery staple").ok());
  std::string link, token, incident;
  ASSERT_TRUE(accounts_->AddOfficerLink("eve@council.example.gov.uk", "case-1", 1000, &link).ok());
  auto s = accounts_->OfficerLinkLogin(link, 1001, &token, &incident);
  EXPECT_FALSE(s.ok()) << "a password account is signed in to with its password";
  ASSERT_TRUE(accounts_->AddSsoUser("Mixed@Council.example.gov.uk", "investigating_officer").ok());
  ASSERT_TRUE(accounts_->AddOfficerLink("mixed@council.example.gov.uk", "case-2", 1000, &link).ok());
  EXPECT_FALSE(accounts_->OfficerLinkLogin(link, 1001, &token, &incident).ok()) << "single sign-on, another case";
  ASSERT_TRUE(accounts_->DisableUser("Mixed@Council.example.gov.uk").ok());
  EXPECT_FALSE(accounts_->OfficerLinkLogin(link, 1001, &token, &incident).ok());
  auto users = accounts_->Users();
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 2u) << "no twin account was made";
  // Newest link only; bad addresses are refused before any link is made.
  std::string first, second;
  ASSERT_TRUE(accounts_->AddOfficerLink("lee@council.example.gov.uk", "case-3", 1000, &first).ok());
  ASSERT_TRUE(accounts_->AddOfficerLink("lee@council.example.gov.uk", "case-3", 1000, &second).ok());
  EXPECT_FALSE(accounts_->OfficerLinkLogin(first, 1001, &token, &incident).ok());
  EXPECT_TRUE(accounts_->OfficerLinkLogin(second, 1001, &token, &incident).ok());
  for (const char* bad : {"lee@council.example.gov.uk\nroot", "<b>x</b>@council.example.gov.uk", "a@b@c", "nobody", ""}) {
    EXPECT_FALSE(accounts_->AddOfficerLink(bad, "case-4", 1000, &link).ok()) << bad;
  }
}

}  // namespace
}  // namespace sendguard::incident
