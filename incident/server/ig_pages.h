// SPDX-License-Identifier: Apache-2.0
// The IG team's pages, behind a login, for every role the breach procedure names (IG officers,
// the DPO, investigating officers, the SIRO, the Caldicott Guardian, an auditor, the gateway
// admin), each seeing the cases case_scope.h allows and the forms their role may use: the dashboard (the queue by ICO deadline, counts by
// status, overdue and due-soon highlighted, filters), the incident page (what the scan saw,
// the NHS 5x5 grid as buttons, status changes, the DPO's ICO decision, the audit trail) and the
// reports page (the committee report for a period, with charts, and downloads), and the admin
// page (read-only: the milter's live rule set, its last load, reloads and counters). Every action
// goes through the JSON API's own handler as the logged-in user's role, so the pages can do
// nothing the API would refuse. Forms carry the session's CSRF token; cookies are HttpOnly and
// SameSite=Strict (and Secure when `secure_cookies`). Under single sign-on (`sso` enabled) the
// proxy's user header replaces the login form on requests that carry the proxy's shared secret:
// a session is started for the name it gives (the role from the local account, which must
// exist and be enabled), and replaced whenever the header names someone else. The admin page
// reads the milter's /metrics through ApiSettings::milter.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "accounts.h"
#include "api.h"
#include "core_config.h"
#include "directory.h"
#include "sendguard/common/http_server.h"

namespace sendguard::incident {

struct IgPages {
  IncidentService* service = nullptr;
  const ApiSettings* auth = nullptr;
  Accounts* accounts = nullptr;
  bool secure_cookies = false;
  const SingleSignOn* sso = nullptr;  // nullptr or disabled: local passwords
  std::vector<std::string> trusted_proxies;  // CoreSettings::trusted_proxies: whose X-Forwarded-For is believed
  const EmailTarget* email = nullptr;  // the core's SMTP (officers' links, deletion requests); nullptr or no smtp_url: none
  std::string pages_url;               // where people open the pages, for emailed links
  const Directory* directory = nullptr;  // the staff directory, for suggestions (nullptr: none)

  // True for the paths these pages own ("/", "/login", "/logout", "/incidents/...", "/reports...",
  // "/admin", and "/officer/TOKEN": an investigating officer's link, which starts their session).
  static bool Owns(const std::string& path);
  common::HttpResponse Handle(const common::HttpRequest& request) const;

 private:
  bool UsesSingleSignOn() const { return sso && sso->enabled(); }
  // The session cookie (an empty token with no lifetime clears it).
  static std::string SessionCookie(const std::string& token, int seconds, bool secure);
  common::HttpResponse OfficerLinkLogin(const common::HttpRequest& request) const;
  // A request once its session is known (none: the login redirect or a refusal).
  common::HttpResponse Serve(const common::HttpRequest& request, const std::vector<std::pair<std::string, std::string>>& form,
                             const std::optional<WebSession>& session, const std::string& token) const;
};

}  // namespace sendguard::incident
