// SPDX-License-Identifier: Apache-2.0
// sendguard-desk's routing and its token check (see control_routes.h).
#include "control_routes.h"

#include "sendguard/common/text.h"

namespace sendguard::milter {

std::optional<common::HttpResponse> RefuseWithoutToken(const common::HttpRequest& req, const std::string& token) {
  if (!token.empty() && common::SecureEquals(req.Header("authorization"), "Bearer " + token)) return std::nullopt;
  common::HttpResponse r;
  r.content_type = "application/json";
  r.status = token.empty() ? 503 : 401;
  r.body = token.empty() ? "{\"error\": \"the control endpoints are closed: core_token_file is not readable\"}\n"
                         : "{\"error\": \"the gateway's token is required (Authorization: Bearer TOKEN)\"}\n";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

common::HttpResponse ControlRoutes::Handle(const common::HttpRequest& r) const {
  // Every control endpoint needs the gateway's token; /healthz (answered before this) carries
  // no personal data.
  if (auto refused = RefuseWithoutToken(r, token)) return *refused;
  if (QuarantineEndpoint::Owns(r.path)) return quarantine.Handle(r);
  if (SelfReportEndpoint::Owns(r.path)) return self_reports.Handle(r);
  return holds.Handle(r);
}

}  // namespace sendguard::milter
