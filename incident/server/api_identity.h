// SPDX-License-Identifier: Apache-2.0
// Who is calling the core's API. A machine is known by its token ("Authorization: Bearer
// sgt_..." from `sendguard-core token add`), which carries a fixed role; a person by the
// session cookie the pages issued at login or single sign-on (a call that changes something
// with a cookie must also carry that session's CSRF token in X-CSRF-Token). Nothing else: no
// request header, form field or query value names a user, a role or a display name.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "accounts.h"
#include "sendguard/common/http_server.h"
#include "sendguard/incident/lifecycle.h"

namespace sendguard::incident {

struct Caller {
  enum class Scope {
    kFull,        // everything the role allows
    kReadOnly,    // GET only (READER tokens: reporting scripts, a SIEM)
    kMailFilter,  // files the mail filter's drafts and nothing else (the milter's token)
  };
  Actor actor;
  Scope scope = Scope::kFull;
  std::vector<std::string> directorates;  // an IG officer limited to these (case_scope.h); empty = all
};

// The caller a page session acts as.
Caller SessionCaller(const WebSession& session);

// The caller behind `req`, or nullopt with *refusal set (401 with a reason).
std::optional<Caller> IdentifyCaller(const common::HttpRequest& req, Accounts& accounts, std::time_t now,
                                     common::HttpResponse* refusal);

}  // namespace sendguard::incident
