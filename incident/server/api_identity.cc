// SPDX-License-Identifier: Apache-2.0
// The API's callers (see api_identity.h).
#include "api_identity.h"

#include <nlohmann/json.hpp>

#include "html_page.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

common::HttpResponse Unauthorized(const std::string& field, const std::string& reason) {
  common::HttpResponse r;
  r.status = 401;
  r.body = nlohmann::json{{"errors", {{{"field", field}, {"reason", reason}}}}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  r.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}, {"WWW-Authenticate", "Bearer"}};
  return r;
}

// Nobody is let in while the accounts store cannot be asked; the caller is told to retry
// (the milter's outbox does) rather than that its credentials are wrong.
common::HttpResponse StoreUnavailable() {
  common::HttpResponse r;
  r.status = 503;
  r.body = nlohmann::json{{"errors", {{{"field", ""}, {"reason", "the accounts store is unavailable; try again shortly"}}}}}.dump(2) + "\n";
  r.headers = {{"Cache-Control", "no-store"}, {"X-Content-Type-Options", "nosniff"}, {"Retry-After", "5"}};
  return r;
}

}  // namespace

Caller SessionCaller(const WebSession& session) {
  Caller c;
  c.actor.id = session.user;
  c.actor.name = session.user;
  c.actor.role = Parse<Role>(ApiRoleFor(session.role)).value_or(Role::kReporter);
  // The gateway admin and the auditor look (the Mail filter page, the incidents) and change nothing.
  if (session.role == "admin" || session.role == "auditor") c.scope = Caller::Scope::kReadOnly;
  c.directorates = session.directorates;
  return c;
}

std::optional<Caller> IdentifyCaller(const common::HttpRequest& req, Accounts& accounts, std::time_t now,
                                     common::HttpResponse* refusal) {
  const std::string authorization = req.Header("authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.rfind(kBearer, 0) != 0) {
      *refusal = Unauthorized("authorization", "use \"Authorization: Bearer TOKEN\" with a token from sendguard-core token add");
      return std::nullopt;
    }
    auto found = accounts.FindToken(std::string(common::Trim(std::string_view(authorization).substr(kBearer.size()))), now);
    if (!found.ok() || !*found) {
      *refusal = found.ok() ? Unauthorized("authorization", "the token is not known or was revoked") : StoreUnavailable();
      return std::nullopt;
    }
    const TokenInfo* token = &**found;
    Caller c;
    c.actor.id = "token:" + token->name;
    c.actor.name = token->name + " (token)";
    if (token->role == "MAIL_FILTER") {
      c.actor.role = Role::kSystem;
      c.scope = Caller::Scope::kMailFilter;
    } else if (token->role == "READER") {
      c.actor.role = Role::kReporter;
      c.scope = Caller::Scope::kReadOnly;
    } else {
      auto role = Parse<Role>(token->role);
      if (!role || *role == Role::kSystem) {
        *refusal = Unauthorized("authorization", "the token's role is not one an API caller can hold");
        return std::nullopt;
      }
      c.actor.role = *role;
    }
    return c;
  }
  const std::string cookie = CookieValue(req, "sg_session");
  if (!cookie.empty()) {
    auto found = accounts.Session(cookie, now);
    if (!found.ok() || !*found) {
      *refusal = found.ok() ? Unauthorized("sg_session", "the session has ended: log in again") : StoreUnavailable();
      return std::nullopt;
    }
    const WebSession* session = &**found;
    // A cookie goes with every request the browser makes, so a change needs proof the page
    // made it: the session's CSRF token, which another site cannot read.
    if (req.method != "GET" && req.method != "HEAD" && !common::SecureEquals(req.Header("x-csrf-token"), session->csrf)) {
      *refusal = Unauthorized("x-csrf-token", "a change made with a session cookie needs the session's CSRF token");
      return std::nullopt;
    }
    return SessionCaller(*session);
  }
  *refusal = Unauthorized("authorization", "log in, or present a token (Authorization: Bearer TOKEN) from sendguard-core token add");
  return std::nullopt;
}

}  // namespace sendguard::incident
