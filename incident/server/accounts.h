// Local accounts for the core's pages: users with a role (ig_officer, dpo, admin) and an
// argon2id password hash (libsodium's crypto_pwhash_str), sessions (the cookie's token is kept
// only as a SHA-256 hash; each session has its own CSRF token), login throttling (five
// failures lock the name for five minutes). Kept in its own SQLite file beside the store.
// Under single sign-on a user may have no password: the proxy vouches for the name and the
// account gives the role.
#pragma once

#include <ctime>
#include <deque>
#include <map>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "sendguard/common/sqlite.h"
#include "sendguard/common/status.h"

namespace sendguard::incident {

// The web roles and the API role each acts as.
bool ValidWebRole(const std::string& role);
std::string ApiRoleFor(const std::string& web_role);  // ig_officer -> IG_OFFICER, dpo -> DPO, admin -> REPORTER

struct WebSession {
  std::string user;
  std::string role;   // ig_officer, dpo, admin
  std::string csrf;   // the token every form of this session carries
  std::time_t expires = 0;
};

class Accounts {
 public:
  static Result<std::unique_ptr<Accounts>> Open(const std::filesystem::path& path);

  // Creates or replaces a user (the password at least 12 characters).
  Status AddUser(const std::string& name, const std::string& role, const std::string& password);
  // Creates or replaces a user who signs in only through the single sign-on proxy (no password).
  Status AddSsoUser(const std::string& name, const std::string& role);
  // A new session for a name the single sign-on proxy vouched for; NotFound when there is no
  // account of that name (the proxy's users are not all IG staff).
  Result<WebSession> SsoLogin(const std::string& name, std::time_t now, std::string* token);
  // A new session for valid credentials; PermissionDenied for wrong ones or a locked name (the
  // message does not say which). The cookie value is written to *token.
  // `client` (the caller's address) is throttled too: kMaxClientFailures failures within
  // kClientWindowSeconds refuse further tries from it until the oldest ages out, whatever the
  // name (guessing one password across many names). A success does not wipe the count.
  Result<WebSession> Login(const std::string& name, const std::string& password, std::time_t now, std::string* token,
                           const std::string& client = "");
  std::optional<WebSession> Session(const std::string& token, std::time_t now);
  void Logout(const std::string& token);

  static constexpr int kSessionSeconds = 8 * 3600;
  static constexpr int kMaxFailures = 5;
  static constexpr int kLockSeconds = 300;
  static constexpr int kMaxClientFailures = 20;
  static constexpr int kClientWindowSeconds = 900;

 private:
  explicit Accounts(std::unique_ptr<common::SqliteDb> db) : db_(std::move(db)) {}
  Status SaveUser(const std::string& name, const std::string& role, const std::string& hash);
  // Stores a new session for `name` (mu_ held).
  Result<WebSession> NewSession(const std::string& name, const std::string& role, std::time_t now, std::string* token);
  std::mutex mu_;  // one connection, shared by the server's threads
  std::unique_ptr<common::SqliteDb> db_;
  // Failed logins by client address, in memory (a restart forgets them; names stay locked).
  std::map<std::string, std::deque<std::time_t>> client_failures_;
};

}  // namespace sendguard::incident
