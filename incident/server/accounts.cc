// Accounts, sessions and throttling over SQLite and libsodium (see accounts.h).
#include "accounts.h"

#include <sodium.h>

#include "sendguard/common/digest.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {R"sql(
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
  )sql"};
  return kMigrations;
}


// The hash of an account that has no password (single sign-on only): never a crypto_pwhash_str.
constexpr const char* kNoPassword = "!sso";

}  // namespace

bool ValidWebRole(const std::string& role) { return role == "ig_officer" || role == "dpo" || role == "admin"; }

std::string ApiRoleFor(const std::string& role) {
  if (role == "ig_officer") return "IG_OFFICER";
  if (role == "dpo") return "DPO";
  return "REPORTER";
}

Result<std::unique_ptr<Accounts>> Accounts::Open(const std::filesystem::path& path) {
  if (sodium_init() < 0) return Internal("libsodium could not start");
  auto db = common::SqliteDb::Open(path);
  if (!db.ok()) return db.status();
  if (Status st = (*db)->Migrate(Migrations()); !st.ok()) return Status(st.code(), path.string() + ": " + st.message());
  return std::unique_ptr<Accounts>(new Accounts(std::move(*db)));
}

Status Accounts::AddUser(const std::string& name, const std::string& role, const std::string& password) {
  if (password.size() < 12) return InvalidArgument("a password has at least 12 characters");
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Internal("out of memory hashing the password");
  }
  return SaveUser(name, role, hash);
}

Status Accounts::AddSsoUser(const std::string& name, const std::string& role) { return SaveUser(name, role, kNoPassword); }

Status Accounts::SaveUser(const std::string& name, const std::string& role, const std::string& hash) {
  // Single sign-on names are often email addresses: '@' and '.' are fine, spaces are not.
  if (name.empty() || name.size() > 254 || name.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgument("a user name is 1 to 254 characters without spaces");
  }
  if (!ValidWebRole(role)) return InvalidArgument("role must be ig_officer, dpo or admin");
  std::lock_guard lock(mu_);
  auto s = db_->Prepare(
      "INSERT INTO users (name, role, hash) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET role = excluded.role,"
      " hash = excluded.hash, failures = 0, locked_until = 0");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, name).Bind(2, role).Bind(3, std::string(hash)).Run();
}

Result<WebSession> Accounts::Login(const std::string& name, const std::string& password, std::time_t now,
                                   std::string* token, const std::string& client) {
  std::lock_guard lock(mu_);
  const Status refused = PermissionDenied("the name or password is not right, or the account is locked for a while");
  if (client_failures_.size() > 10000) {
    // Bounded: forget the addresses whose failures have all aged out.
    std::erase_if(client_failures_, [&](const auto& kv) { return kv.second.empty() || kv.second.back() <= now - kClientWindowSeconds; });
  }
  auto& failed = client_failures_[client];
  while (!failed.empty() && failed.front() <= now - kClientWindowSeconds) failed.pop_front();
  if (failed.size() >= static_cast<size_t>(kMaxClientFailures)) return refused;
  // Every refusal below counts against the caller's address.
  struct CountFailure {
    std::deque<std::time_t>& failed;
    std::time_t now;
    bool success = false;
    ~CountFailure() {
      if (!success) failed.push_back(now);
    }
  } count{failed, now};
  auto q = db_->Prepare("SELECT role, hash, failures, locked_until FROM users WHERE name = ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, name);
  if (!(*q)->Step()) {
    // Same work for an unknown name, so timing does not tell names apart.
    char dummy[crypto_pwhash_STRBYTES];
    [[maybe_unused]] const int ignored = crypto_pwhash_str(dummy, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                      crypto_pwhash_MEMLIMIT_INTERACTIVE);
    return refused;
  }
  const std::string role = (*q)->Text(0), hash = (*q)->Text(1);
  const int64_t failures = (*q)->Int(2), locked_until = (*q)->Int(3);
  (*q)->Reset();
  if (locked_until > now) return refused;
  if (hash == kNoPassword || crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) {
    const int64_t n = failures + 1;
    auto u = db_->Prepare("UPDATE users SET failures = ?, locked_until = ? WHERE name = ?");
    if (u.ok()) {
      (*u)->Reset().Bind(1, n >= kMaxFailures ? int64_t{0} : n).Bind(2, n >= kMaxFailures ? int64_t{now + kLockSeconds} : int64_t{0})
          .Bind(3, name).Run();
    }
    return refused;
  }
  auto reset = db_->Prepare("UPDATE users SET failures = 0, locked_until = 0 WHERE name = ?");
  if (reset.ok()) (*reset)->Reset().Bind(1, name).Run();
  auto session = NewSession(name, role, now, token);
  count.success = session.ok();
  return session;
}

Result<WebSession> Accounts::SsoLogin(const std::string& name, std::time_t now, std::string* token) {
  std::lock_guard lock(mu_);
  auto q = db_->Prepare("SELECT role FROM users WHERE name = ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, name);
  if (!(*q)->Step()) return NotFound("no sendguard account for this name");
  const std::string role = (*q)->Text(0);
  (*q)->Reset();
  return NewSession(name, role, now, token);
}

Result<WebSession> Accounts::NewSession(const std::string& name, const std::string& role, std::time_t now, std::string* token) {
  WebSession s{name, role, common::RandomHex(32), now + kSessionSeconds};
  *token = common::RandomHex(32);
  if (token->empty() || s.csrf.empty()) return Internal("no random bytes for a session");
  auto ins = db_->Prepare("INSERT INTO sessions (token_hash, user, csrf, expires) VALUES (?, ?, ?, ?)");
  if (!ins.ok()) return ins.status();
  if (Status st = (*ins)->Reset().Bind(1, common::Sha256Hex(*token)).Bind(2, name).Bind(3, s.csrf).Bind(4, int64_t{s.expires}).Run();
      !st.ok()) {
    return st;
  }
  auto old = db_->Prepare("DELETE FROM sessions WHERE expires <= ?");
  if (old.ok()) (*old)->Reset().Bind(1, int64_t{now}).Run();
  return s;
}

std::optional<WebSession> Accounts::Session(const std::string& token, std::time_t now) {
  if (token.size() != 64) return std::nullopt;
  std::lock_guard lock(mu_);
  auto q = db_->Prepare(
      "SELECT s.user, u.role, s.csrf, s.expires FROM sessions s JOIN users u ON u.name = s.user"
      " WHERE s.token_hash = ? AND s.expires > ?");
  if (!q.ok()) return std::nullopt;
  (*q)->Reset().Bind(1, common::Sha256Hex(token)).Bind(2, int64_t{now});
  std::optional<WebSession> out;
  if ((*q)->Step()) out = WebSession{(*q)->Text(0), (*q)->Text(1), (*q)->Text(2), static_cast<std::time_t>((*q)->Int(3))};
  (*q)->Reset();
  return out;
}

void Accounts::Logout(const std::string& token) {
  std::lock_guard lock(mu_);
  auto d = db_->Prepare("DELETE FROM sessions WHERE token_hash = ?");
  if (d.ok()) (*d)->Reset().Bind(1, common::Sha256Hex(token)).Run();
}

}  // namespace sendguard::incident
