// SPDX-License-Identifier: Apache-2.0
// Local accounts and machine tokens for the core, kept in their own SQLite file beside the
// store: people (a web role, an argon2id password hash from libsodium's crypto_pwhash_str, or
// none under single sign-on or for an investigating officer who comes by link; IG officers may
// be limited to some directorates), their sessions (the cookie's token kept
// only as a SHA-256 hash; each session has its own CSRF token), and the tokens machines
// present to the API (`sendguard-core token add`: random, kept only as a SHA-256 hash, with a
// fixed role, revocable), and the links an investigating officer is sent (random, kept only as
// a hash, valid a week, for one officer and one case). Login throttling is per (name, address) with back-off, so no caller
// can lock someone else out, plus a cap per address across names.
#pragma once

#include <ctime>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sendguard/common/sql.h"
#include "sendguard/common/status.h"

namespace sendguard::incident {

// The web roles and the API role each acts as: ig_officer -> IG_OFFICER, dpo -> DPO,
// investigating_officer -> INVESTIGATING_OFFICER, siro -> SIRO, caldicott_guardian ->
// CALDICOTT_GUARDIAN; admin and auditor read only (as REPORTER).
bool ValidWebRole(const std::string& role);
std::string WebRoleNames();
std::string ApiRoleFor(const std::string& web_role);

// The roles a token may carry: the API's people roles, READER (GET only) and MAIL_FILTER (files
// the mail filter's drafts and nothing else).
bool ValidTokenRole(const std::string& role);

// One plain email address (no spaces, controls, quotes or list separators), as officers' links
// and their accounts use.
bool LooksLikeOneAddress(const std::string& email);
std::string TokenRoleNames();

struct WebSession {
  std::string user;
  std::string role;   // a web role (ValidWebRole)
  std::string csrf;   // the token every form of this session carries
  std::time_t expires = 0;
  std::vector<std::string> directorates;  // an IG officer's need-to-know scope; empty = every case
};

struct UserInfo {
  std::string name, role;
  bool sso_only = false, disabled = false;
  int sessions = 0;  // live sessions
  bool link_only = false;  // an investigating officer who signs in only by the links they are sent
  std::vector<std::string> directorates;
};

struct TokenInfo {
  std::string name, role;
  std::time_t created = 0, last_used = 0;
};

class Accounts {
 public:
  // `where`: a SQLite file path, or PostgreSQL (common::OpenSqlDb), shared by every core.
  static Result<std::unique_ptr<Accounts>> Open(const std::string& where);

  // Creates or replaces a user (the password at least 12 characters). Replacing one ends its
  // sessions (a reset password locks out whoever had the old one) and re-enables it.
  // `directorates` limits an IG officer to the cases of those directorates (and those not yet
  // given one); other roles take none.
  Status AddUser(const std::string& name, const std::string& role, const std::string& password,
                 const std::vector<std::string>& directorates = {});
  // Creates or replaces a user who signs in only through the single sign-on proxy (no password).
  Status AddSsoUser(const std::string& name, const std::string& role, const std::vector<std::string>& directorates = {});
  // Disables a user and ends their sessions; NotFound when there is none.
  Status DisableUser(const std::string& name);
  // Removes a user and their sessions; NotFound when there is none.
  Status RemoveUser(const std::string& name);
  Result<std::vector<UserInfo>> Users();

  // A new session for a name the single sign-on proxy vouched for; NotFound when there is no
  // enabled account of that name (the proxy's users are not all IG staff).
  Result<WebSession> SsoLogin(const std::string& name, std::time_t now, std::string* token);
  // A new session for valid credentials; PermissionDenied for wrong ones or while this
  // (name, client) pair is backing off (the message does not say which). The cookie value is
  // written to *token. Failures from one address never hold back the same name from another.
  Result<WebSession> Login(const std::string& name, const std::string& password, std::time_t now, std::string* token,
                           const std::string& client);
  // The live session for a cookie's token (nullopt: none); an error when the store could not
  // be asked (the caller says 503, not "log in again").
  Result<std::optional<WebSession>> Session(const std::string& token, std::time_t now);
  void Logout(const std::string& token);

  // A link for the investigating officer `email` (one address, kept lower case) to open case
  // `incident_id`: the token (written to *token) is random and kept only as a hash; it works for
  // kOfficerLinkSeconds, until a newer link to the same case is made.
  Status AddOfficerLink(const std::string& email, const std::string& incident_id, std::time_t now, std::string* token);
  // A session for the officer a live link names (creating their link-only account the first
  // time); *incident_id is the case it was sent for. PermissionDenied for an unknown, replaced
  // or expired link, or when the address (in any case) has a disabled account or one that
  // signs in otherwise (a password, single sign-on, another role).
  Result<WebSession> OfficerLinkLogin(const std::string& link, std::time_t now, std::string* token, std::string* incident_id);

  // Creates a token for a machine; the token itself (written to *token) is shown once and kept
  // only as a hash. AlreadyExists-style InvalidArgument when the name is taken.
  Status AddToken(const std::string& name, const std::string& role, std::time_t now, std::string* token);
  Status RevokeToken(const std::string& name);
  Result<std::vector<TokenInfo>> Tokens();
  // The token's name and role for a presented token, if it is live (nullopt: not known or
  // revoked); an error when the store could not be asked.
  Result<std::optional<TokenInfo>> FindToken(const std::string& token, std::time_t now);

  static constexpr int kSessionSeconds = 8 * 3600;
  static constexpr int kOfficerLinkSeconds = 7 * 24 * 3600;
  // Back-off per (name, address): the first kFreeFailures failures cost nothing; each one after
  // doubles a wait that starts at kFirstDelaySeconds, up to kMaxDelaySeconds.
  static constexpr int kFreeFailures = 4;
  static constexpr int kFirstDelaySeconds = 30;
  static constexpr int kMaxDelaySeconds = 3600;
  static constexpr int kMaxClientFailures = 20;
  static constexpr int kClientWindowSeconds = 900;

 private:
  explicit Accounts(std::unique_ptr<common::SqlDb> db) : db_(std::move(db)) {}
  Status SaveUser(const std::string& name, const std::string& role, const std::string& hash,
                  const std::vector<std::string>& directorates);
  // Stores a new session for `name` (mu_ held).
  Result<WebSession> NewSession(const std::string& name, const std::string& role, const std::string& directorates,
                                std::time_t now, std::string* token);
  Status EndSessions(const std::string& name);  // mu_ held
  struct Backoff {
    int failures = 0;
    std::time_t until = 0, last = 0;
  };
  std::mutex mu_;  // one connection, shared by the server's threads
  std::unique_ptr<common::SqlDb> db_;
  // In memory (a restart forgets them): failures by (name, address), and by address.
  std::map<std::pair<std::string, std::string>, Backoff> pair_failures_;
  std::map<std::string, std::deque<std::time_t>> client_failures_;
};

}  // namespace sendguard::incident
