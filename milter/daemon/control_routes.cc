// SPDX-License-Identifier: Apache-2.0
// The milter's control routing (see control_routes.h).
#include "control_routes.h"

#include "metrics_server.h"

namespace sendguard::milter {

common::HttpResponse ControlRoutes::Handle(const common::HttpRequest& r) const {
  // Every control endpoint needs the milter's token; /metrics and /healthz (answered before
  // this) carry no personal data.
  if (auto refused = RefuseWithoutToken(r, token)) return *refused;
  if (QuarantineEndpoint::Owns(r.path)) return quarantine.Handle(r);
  if (SelfReportEndpoint::Owns(r.path)) return self_reports.Handle(r);
  return holds.Handle(r);
}

}  // namespace sendguard::milter
