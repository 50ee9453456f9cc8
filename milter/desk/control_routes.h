// SPDX-License-Identifier: Apache-2.0
// sendguard-desk's endpoints for the core, behind the gateway's token, in one place: holds
// (hold_endpoint.h), self-reports, scan records and subject access (self_report_endpoint.h),
// and the quarantine review (quarantine_endpoint.h). sendguard-desk's HTTP server calls
// Handle for every path but /healthz; the fuzz target fuzz/desk_http_fuzzer.cc drives the same
// routing.
#pragma once

#include <optional>
#include <string>

#include "hold_endpoint.h"
#include "quarantine_endpoint.h"
#include "self_report_endpoint.h"

namespace sendguard::milter {

struct ControlRoutes {
  HoldEndpoint holds;
  SelfReportEndpoint self_reports;
  QuarantineEndpoint quarantine;
  std::string token;  // the gateway's token, core_token_file ("": the endpoints are closed, 503)

  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

// Nothing when `req` carries "Authorization: Bearer TOKEN" with the gateway's `token` (compared
// in constant time); else the refusal: 401, or 503 when no token is configured (the control
// endpoints are then closed to everyone).
std::optional<common::HttpResponse> RefuseWithoutToken(const common::HttpRequest& req, const std::string& token);

}  // namespace sendguard::milter
