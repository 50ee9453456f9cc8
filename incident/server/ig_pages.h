// The IG team's pages, behind a login: the dashboard (the queue by ICO deadline, counts by
// status, overdue and due-soon highlighted, filters), the incident page (what the scan saw,
// the NHS 5x5 grid as buttons, status changes, the DPO's ICO decision, the audit trail) and the
// reports page (the committee report for a period, with charts, and downloads), and the admin
// page (read-only: the milter's live rule set, its last load, reloads and counters). Every action
// goes through the JSON API's own handler as the logged-in user's role, so the pages can do
// nothing the API would refuse. Forms carry the session's CSRF token; cookies are HttpOnly and
// SameSite=Strict (and Secure when `secure_cookies`).
#pragma once

#include "accounts.h"
#include "api.h"
#include "sendguard/common/http_server.h"

namespace sendguard::incident {

struct IgPages {
  IncidentService* service = nullptr;
  const ApiSettings* auth = nullptr;
  Accounts* accounts = nullptr;
  bool secure_cookies = false;
  std::string milter_url;  // the admin page reads the milter's /metrics here ("" = not shown)

  // True for the paths these pages own ("/", "/login", "/logout", "/incidents/...", "/reports...",
  // "/admin").
  static bool Owns(const std::string& path);
  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::incident
