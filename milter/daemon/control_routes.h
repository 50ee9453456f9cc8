// SPDX-License-Identifier: Apache-2.0
// The milter's control endpoints behind its token, in one place: holds (hold_endpoint.h),
// self-reports and scan records (self_report_endpoint.h), and the quarantine review
// (quarantine_endpoint.h). The metrics server calls Handle for every path other than /metrics
// and /healthz; the fuzz target fuzz/milter_http_fuzzer.cc drives the same routing.
#pragma once

#include <string>

#include "hold_endpoint.h"
#include "quarantine_endpoint.h"
#include "self_report_endpoint.h"

namespace sendguard::milter {

struct ControlRoutes {
  HoldEndpoint holds;
  SelfReportEndpoint self_reports;
  QuarantineEndpoint quarantine;
  std::string token;  // the milter's token ("": the endpoints are closed, 503)

  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::milter
