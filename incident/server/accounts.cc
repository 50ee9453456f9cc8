// SPDX-License-Identifier: Apache-2.0
// Accounts, sessions, tokens and throttling over SQLite or PostgreSQL and libsodium (see accounts.h).
#include "accounts.h"

#include <sodium.h>

#include <algorithm>

#include "sendguard/common/digest.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
    CREATE TABLE users (
      name TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      hash TEXT NOT NULL,                 -- crypto_pwhash_str (argon2id)
      failures INTEGER NOT NULL DEFAULT 0,
      locked_until INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY,        -- SHA-256 of the cookie's token
      user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
      csrf TEXT NOT NULL,
      expires INTEGER NOT NULL);
  )sql",
      // 2: disabled users (the failures/locked_until columns are no longer used: throttling is
      // per name and address, in memory), and machine tokens.
      R"sql(
    ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE tokens (
      name TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      token_hash TEXT NOT NULL UNIQUE,    -- SHA-256 of the token
      created INTEGER NOT NULL,
      last_used INTEGER NOT NULL DEFAULT 0);
  )sql",
      // 3: an IG officer's directorates (one per line; '' = every case), and the links
      // investigating officers are sent.
      R"sql(
    ALTER TABLE users ADD COLUMN directorates TEXT NOT NULL DEFAULT '';
    CREATE TABLE officer_links (
      token_hash TEXT PRIMARY KEY,        -- SHA-256 of the link's token
      email TEXT NOT NULL,
      incident_id TEXT NOT NULL,
      expires INTEGER NOT NULL);
  )sql"};
  return kMigrations;
}

// PostgreSQL: the tables SQLite's migrations 1-3 leave ("user" quoted: a reserved word there).
const std::vector<std::string>& PostgresMigrations() {
  static const std::vector<std::string> kMigrations = {R"sql(
    CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL,
      failures BIGINT NOT NULL DEFAULT 0, locked_until BIGINT NOT NULL DEFAULT 0, disabled BIGINT NOT NULL DEFAULT 0,
      directorates TEXT NOT NULL DEFAULT '');
    CREATE TABLE sessions (token_hash TEXT PRIMARY KEY, "user" TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
      csrf TEXT NOT NULL, expires BIGINT NOT NULL);
    CREATE TABLE tokens (name TEXT PRIMARY KEY, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
      created BIGINT NOT NULL, last_used BIGINT NOT NULL DEFAULT 0);
    CREATE TABLE officer_links (token_hash TEXT PRIMARY KEY, email TEXT NOT NULL, incident_id TEXT NOT NULL,
      expires BIGINT NOT NULL);
  )sql"};
  return kMigrations;
}

// The hash of an account that has no password (single sign-on only): never a crypto_pwhash_str.
constexpr const char* kNoPassword = "!sso";
// The hash of an investigating officer's account made by their first link: no password either.
constexpr const char* kLinkOnly = "!link";
// Tokens say what they are, so one pasted into the wrong place is recognised.
constexpr const char* kTokenPrefix = "sgt_";

const std::vector<std::string>& WebRoles() {
  static const std::vector<std::string> kRoles = {"ig_officer", "dpo", "investigating_officer", "siro", "caldicott_guardian",
                                                  "auditor", "admin"};
  return kRoles;
}

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "\n") + i;
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> out;
  for (auto part : common::Split(text, '\n')) {
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

const std::vector<std::string>& TokenRoles() {
  static const std::vector<std::string> kRoles = {"REPORTER", "INVESTIGATING_OFFICER", "IG_OFFICER", "DPO", "SIRO",
                                                  "CALDICOTT_GUARDIAN", "READER", "MAIL_FILTER"};
  return kRoles;
}

}  // namespace

bool ValidWebRole(const std::string& role) { return std::find(WebRoles().begin(), WebRoles().end(), role) != WebRoles().end(); }

std::string WebRoleNames() {
  std::string out;
  for (const auto& r : WebRoles()) out += (out.empty() ? "" : ", ") + r;
  return out;
}

std::string ApiRoleFor(const std::string& role) {
  if (role == "admin" || role == "auditor") return "REPORTER";  // read-only scope (SessionCaller)
  return common::AsciiUpper(role);
}

bool ValidTokenRole(const std::string& role) {
  return std::find(TokenRoles().begin(), TokenRoles().end(), role) != TokenRoles().end();
}

std::string TokenRoleNames() {
  std::string out;
  for (const auto& r : TokenRoles()) out += (out.empty() ? "" : ", ") + r;
  return out;
}

Result<std::unique_ptr<Accounts>> Accounts::Open(const std::string& where) {
  if (sodium_init() < 0) return Internal("libsodium could not start");
  auto db = common::OpenSqlDb(where);
  if (!db.ok()) return db.status();
  if (Status st = (*db)->Migrate(Migrations(), PostgresMigrations(), "accounts"); !st.ok()) {
    return Status(st.code(), (*db)->Describe() + ": " + st.message());
  }
  return std::unique_ptr<Accounts>(new Accounts(std::move(*db)));
}

Status Accounts::AddUser(const std::string& name, const std::string& role, const std::string& password,
                         const std::vector<std::string>& directorates) {
  if (password.size() < 12) return InvalidArgument("a password has at least 12 characters");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Internal("out of memory hashing the password");
  }
  return SaveUser(name, role, hash, directorates);
}

Status Accounts::AddSsoUser(const std::string& name, const std::string& role, const std::vector<std::string>& directorates) {
  return SaveUser(name, role, kNoPassword, directorates);
}

Status Accounts::SaveUser(const std::string& name, const std::string& role, const std::string& hash,
                          const std::vector<std::string>& directorates) {
  // Single sign-on names are often email addresses: '@' and '.' are fine, spaces are not.
  if (name.empty() || name.size() > 254 || name.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgument("a user name is 1 to 254 characters without spaces");
  }
  if (!ValidWebRole(role)) return InvalidArgument("role must be one of " + WebRoleNames());
  if (!directorates.empty() && role != "ig_officer") return InvalidArgument("only an IG officer is limited to directorates");
  for (const auto& d : directorates) {
    if (d.empty() || d.size() > 64 || d.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument("a directorate is 1 to 64 characters on one line");
    }
  }
  std::lock_guard lock(mu_);
  common::SqlTransaction tx(*db_);
  auto s = db_->Prepare(
      "INSERT INTO users (name, role, hash, directorates) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
      " role = excluded.role, hash = excluded.hash, directorates = excluded.directorates, failures = 0, locked_until = 0,"
      " disabled = 0");
  if (!s.ok()) return s.status();
  if (Status st = (*s)->Reset().Bind(1, name).Bind(2, role).Bind(3, std::string(hash)).Bind(4, JoinLines(directorates)).Run();
      !st.ok()) {
    return st;
  }
  if (Status st = EndSessions(name); !st.ok()) return st;
  std::erase_if(pair_failures_, [&](const auto& kv) { return kv.first.first == name; });
  return tx.Commit();
}

Status Accounts::EndSessions(const std::string& name) {
  auto d = db_->Prepare("DELETE FROM sessions WHERE \"user\" = ?");
  if (!d.ok()) return d.status();
  return (*d)->Reset().Bind(1, name).Run();
}

Status Accounts::DisableUser(const std::string& name) {
  std::lock_guard lock(mu_);
  common::SqlTransaction tx(*db_);
  auto u = db_->Prepare("UPDATE users SET disabled = 1 WHERE name = ?");
  if (!u.ok()) return u.status();
  if (Status st = (*u)->Reset().Bind(1, name).Run(); !st.ok()) return st;
  if (db_->Changes() != 1) return NotFound("no user named " + name);
  if (Status st = EndSessions(name); !st.ok()) return st;
  return tx.Commit();
}

Status Accounts::RemoveUser(const std::string& name) {
  std::lock_guard lock(mu_);
  common::SqlTransaction tx(*db_);
  if (Status st = EndSessions(name); !st.ok()) return st;
  auto d = db_->Prepare("DELETE FROM users WHERE name = ?");
  if (!d.ok()) return d.status();
  if (Status st = (*d)->Reset().Bind(1, name).Run(); !st.ok()) return st;
  if (db_->Changes() != 1) return NotFound("no user named " + name);
  return tx.Commit();
}

Result<std::vector<UserInfo>> Accounts::Users() {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(
      "SELECT u.name, u.role, u.hash, u.disabled, (SELECT count(*) FROM sessions s WHERE s.\"user\" = u.name AND s.expires > ?),"
      " u.directorates FROM users u ORDER BY u.name");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, int64_t{std::time(nullptr)});
  std::vector<UserInfo> out;
  while ((*q)->Step()) {
    out.push_back({(*q)->Text(0), (*q)->Text(1), (*q)->Text(2) == kNoPassword, (*q)->Int(3) != 0, static_cast<int>((*q)->Int(4)),
                   (*q)->Text(2) == kLinkOnly, SplitLines((*q)->Text(5))});
  }
  if (!(*q)->status().ok()) return (*q)->status();
  return out;
}

Result<WebSession> Accounts::Login(const std::string& name, const std::string& password, std::time_t now,
                                   std::string* token, const std::string& client) {
  std::lock_guard lock(mu_);
  const Status refused = PermissionDenied("the name or password is not right, or there were too many tries: wait a while");
  if (client_failures_.size() > 10000) {
    // Bounded: forget the addresses whose failures have all aged out.
    std::erase_if(client_failures_, [&](const auto& kv) { return kv.second.empty() || kv.second.back() <= now - kClientWindowSeconds; });
  }
  if (pair_failures_.size() > 10000) {
    std::erase_if(pair_failures_, [&](const auto& kv) { return kv.second.until <= now && kv.second.last <= now - kClientWindowSeconds; });
  }
  auto& failed = client_failures_[client];
  while (!failed.empty() && failed.front() <= now - kClientWindowSeconds) failed.pop_front();
  if (failed.size() >= static_cast<size_t>(kMaxClientFailures)) return refused;
  Backoff& pair = pair_failures_[{name, client}];
  if (pair.until > now) return refused;
  // Every refusal below counts against the caller's address and this (name, address).
  struct CountFailure {
    std::deque<std::time_t>& failed;
    Backoff& pair;
    std::time_t now;
    bool success = false;
    ~CountFailure() {
      if (success) {
        pair = Backoff{};
        return;
      }
      failed.push_back(now);
      pair.last = now;
      if (++pair.failures > kFreeFailures) {
        const int doublings = std::min(pair.failures - kFreeFailures - 1, 16);
        pair.until = now + std::min<int64_t>(int64_t{kFirstDelaySeconds} << doublings, kMaxDelaySeconds);
      }
    }
  } count{failed, pair, now};
  auto q = db_->Prepare("SELECT role, hash, disabled, directorates FROM users WHERE name = ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, name);
  std::string role, hash = kNoPassword, directorates;
  bool disabled = true;
  if ((*q)->Step()) {
    role = (*q)->Text(0);
    hash = (*q)->Text(1);
    disabled = (*q)->Int(2) != 0;
    directorates = (*q)->Text(3);
  }
  (*q)->Reset();
  if (hash == kNoPassword || hash == kLinkOnly) {
    // Same work for an unknown name, so timing does not tell names apart.
    char dummy[crypto_pwhash_STRBYTES];
    [[maybe_unused]] const int ignored = crypto_pwhash_str(dummy, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                           crypto_pwhash_MEMLIMIT_INTERACTIVE);
    return refused;
  }
  if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0 || disabled) return refused;
  auto session = NewSession(name, role, directorates, now, token);
  count.success = session.ok();
  return session;
}

Result<WebSession> Accounts::SsoLogin(const std::string& name, std::time_t now, std::string* token) {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare("SELECT role, directorates FROM users WHERE name = ? AND disabled = 0");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, name);
  if (!(*q)->Step()) return NotFound("no sendguard account for this name");
  const std::string role = (*q)->Text(0), directorates = (*q)->Text(1);
  (*q)->Reset();
  return NewSession(name, role, directorates, now, token);
}

bool LooksLikeOneAddress(const std::string& email) {
  const size_t at = email.find('@');
  return email.size() <= 254 && at != std::string::npos && at > 0 && at == email.rfind('@') && at + 1 < email.size() &&
         std::all_of(email.begin(), email.end(), [](unsigned char c) {
           return c > 0x20 && c < 0x7f && c != '<' && c != '>' && c != ',' && c != ';' && c != '"' && c != '\\';
         });
}

Status Accounts::AddOfficerLink(const std::string& email_in, const std::string& incident_id, std::time_t now, std::string* token) {
  const std::string email = common::AsciiLower(email_in);
  if (!LooksLikeOneAddress(email)) return InvalidArgument("the investigating officer's id must be their email address");
  *token = common::RandomHex(32);
  if (token->empty()) return Internal("no random bytes for a link");
  std::lock_guard lock(mu_);
  common::SqlTransaction tx(*db_);
  // Only the newest link to a case works: a new one (to this officer or another) ends the rest.
  auto old = db_->Prepare("DELETE FROM officer_links WHERE expires <= ? OR incident_id = ?");
  if (!old.ok()) return old.status();
  if (Status st = (*old)->Reset().Bind(1, int64_t{now}).Bind(2, incident_id).Run(); !st.ok()) return st;
  auto ins = db_->Prepare("INSERT INTO officer_links (token_hash, email, incident_id, expires) VALUES (?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  if (Status st = (*ins)->Reset().Bind(1, common::Sha256Hex(*token)).Bind(2, email).Bind(3, incident_id).Bind(4, int64_t{now + kOfficerLinkSeconds}).Run();
      !st.ok()) {
    return st;
  }
  return tx.Commit();
}

Result<WebSession> Accounts::OfficerLinkLogin(const std::string& link, std::time_t now, std::string* token, std::string* incident_id) {
  const Status refused = PermissionDenied("this link is not known, has been replaced by a newer one or has expired: ask the IG "
                                          "team for a new one");
  if (link.size() != 64) return refused;
  std::lock_guard lock(mu_);
  auto q = db_->Prepare("SELECT email, incident_id FROM officer_links WHERE token_hash = ? AND expires > ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, common::Sha256Hex(link)).Bind(2, int64_t{now});
  if (!(*q)->Step()) return refused;
  const std::string email = (*q)->Text(0);
  *incident_id = (*q)->Text(1);
  (*q)->Reset();
  // Any account of that address, whatever its case: a link signs in only to a link-only
  // investigating officer's account. Someone with a password or single sign-on logs in with
  // it (a link must never stand in for their credentials), and a disabled account stays shut.
  auto u = db_->Prepare("SELECT name, role, disabled, hash FROM users WHERE name = ? COLLATE NOCASE");
  if (!u.ok()) return u.status();
  (*u)->Reset().Bind(1, email);
  std::string name;
  while ((*u)->Step()) {
    const std::string role = (*u)->Text(1), hash = (*u)->Text(3);
    const bool disabled = (*u)->Int(2) != 0;
    if (disabled) {
      (*u)->Reset();
      return PermissionDenied("this account is disabled: ask the IG team");
    }
    if (role != "investigating_officer" || hash != kLinkOnly) {
      (*u)->Reset();
      return PermissionDenied("you have a sendguard account: log in with it instead");
    }
    name = (*u)->Text(0);
  }
  (*u)->Reset();
  if (name.empty()) {
    auto ins = db_->Prepare("INSERT INTO users (name, role, hash) VALUES (?, 'investigating_officer', ?)");
    if (!ins.ok()) return ins.status();
    if (Status st = (*ins)->Reset().Bind(1, email).Bind(2, std::string(kLinkOnly)).Run(); !st.ok()) return st;
    name = email;
  }
  return NewSession(name, "investigating_officer", "", now, token);
}

Result<WebSession> Accounts::NewSession(const std::string& name, const std::string& role, const std::string& directorates,
                                        std::time_t now, std::string* token) {
  WebSession s{name, role, common::RandomHex(32), now + kSessionSeconds, SplitLines(directorates)};
  *token = common::RandomHex(32);
  if (token->empty() || s.csrf.empty()) return Internal("no random bytes for a session");
  auto ins = db_->Prepare("INSERT INTO sessions (token_hash, \"user\", csrf, expires) VALUES (?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  if (Status st = (*ins)->Reset().Bind(1, common::Sha256Hex(*token)).Bind(2, name).Bind(3, s.csrf).Bind(4, int64_t{s.expires}).Run();
      !st.ok()) {
    return st;
  }
  auto old = db_->Prepare("DELETE FROM sessions WHERE expires <= ?");
  if (old.ok()) (*old)->Reset().Bind(1, int64_t{now}).Run();
  return s;
}

Result<std::optional<WebSession>> Accounts::Session(const std::string& token, std::time_t now) {
  if (token.size() != 64) return std::optional<WebSession>{};
  std::lock_guard lock(mu_);
  // Looked up by the token's hash: the index sees only the hash, so lookup time says nothing
  // about the token.
  auto q = db_->Prepare(
      "SELECT s.\"user\", u.role, s.csrf, s.expires, u.directorates FROM sessions s JOIN users u ON u.name = s.\"user\""
      " WHERE s.token_hash = ? AND s.expires > ? AND u.disabled = 0");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, common::Sha256Hex(token)).Bind(2, int64_t{now});
  std::optional<WebSession> out;
  if ((*q)->Step()) {
    out = WebSession{(*q)->Text(0), (*q)->Text(1), (*q)->Text(2), static_cast<std::time_t>((*q)->Int(3)), SplitLines((*q)->Text(4))};
  } else if (!(*q)->status().ok()) {
    return (*q)->status();
  }
  (*q)->Reset();
  return out;
}

void Accounts::Logout(const std::string& token) {
  std::lock_guard lock(mu_);
  auto d = db_->Prepare("DELETE FROM sessions WHERE token_hash = ?");
  if (d.ok()) (*d)->Reset().Bind(1, common::Sha256Hex(token)).Run();
}

Status Accounts::AddToken(const std::string& name, const std::string& role, std::time_t now, std::string* token) {
  if (name.empty() || name.size() > 100 || name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                                               std::string::npos) {
    return InvalidArgument("a token name is 1 to 100 letters, digits, '.', '_' or '-'");
  }
  if (!ValidTokenRole(role)) return InvalidArgument("role must be one of " + TokenRoleNames());
  const std::string random = common::RandomHex(32);
  if (random.empty()) return Internal("no random bytes for a token");
  *token = kTokenPrefix + random;
  std::lock_guard lock(mu_);
  auto ins = db_->Prepare("INSERT INTO tokens (name, role, token_hash, created) VALUES (?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  Status st = (*ins)->Reset().Bind(1, name).Bind(2, role).Bind(3, common::Sha256Hex(*token)).Bind(4, int64_t{now}).Run();
  if (!st.ok() && st.message().find("UNIQUE") != std::string::npos) {
    return InvalidArgument("a token named " + name + " exists: revoke it first (sendguard-core token revoke " + name + ")");
  }
  return st;
}

Status Accounts::RevokeToken(const std::string& name) {
  std::lock_guard lock(mu_);
  auto d = db_->Prepare("DELETE FROM tokens WHERE name = ?");
  if (!d.ok()) return d.status();
  if (Status st = (*d)->Reset().Bind(1, name).Run(); !st.ok()) return st;
  if (db_->Changes() != 1) return NotFound("no token named " + name);
  return Status::Ok();
}

Result<std::vector<TokenInfo>> Accounts::Tokens() {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare("SELECT name, role, created, last_used FROM tokens ORDER BY name");
  if (!q.ok()) return q.status();
  (*q)->Reset();
  std::vector<TokenInfo> out;
  while ((*q)->Step()) {
    out.push_back({(*q)->Text(0), (*q)->Text(1), static_cast<std::time_t>((*q)->Int(2)), static_cast<std::time_t>((*q)->Int(3))});
  }
  if (!(*q)->status().ok()) return (*q)->status();
  return out;
}

Result<std::optional<TokenInfo>> Accounts::FindToken(const std::string& token, std::time_t now) {
  if (token.rfind(kTokenPrefix, 0) != 0 || token.size() != 4 + 64) return std::optional<TokenInfo>{};
  std::lock_guard lock(mu_);
  const std::string hash = common::Sha256Hex(token);
  auto q = db_->Prepare("SELECT name, role, created, last_used FROM tokens WHERE token_hash = ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, hash);
  std::optional<TokenInfo> out;
  if ((*q)->Step()) {
    out = TokenInfo{(*q)->Text(0), (*q)->Text(1), static_cast<std::time_t>((*q)->Int(2)), static_cast<std::time_t>((*q)->Int(3))};
  } else if (!(*q)->status().ok()) {
    return (*q)->status();
  }
  (*q)->Reset();
  // Last use, to the minute: enough to see a token nobody uses, without a write per request.
  if (out && out->last_used < now - 60) {
    auto u = db_->Prepare("UPDATE tokens SET last_used = ? WHERE token_hash = ?");
    if (u.ok()) (*u)->Reset().Bind(1, int64_t{now}).Bind(2, hash).Run();
  }
  return out;
}

}  // namespace sendguard::incident
