// SPDX-License-Identifier: Apache-2.0
// The core's one HTTP handler: sends each request to the self-report pages, the staff pages,
// the static assets, the IG pages or the API. A handler that throws answers 500 (and says why
// through `on_error`); nothing a request carries stops the core. sendguard-core serves it, and
// the fuzz target fuzz/core_http_fuzzer.cc drives it without a socket.
#pragma once

#include <functional>
#include <string>

#include "accounts.h"
#include "api.h"
#include "ig_pages.h"
#include "self_report_pages.h"
#include "sendguard/common/http_server.h"
#include "sendguard/incident/incident_service.h"
#include "staff_pages.h"

namespace sendguard::incident {

struct CoreRouter {
  const SelfReportPages* self_reports = nullptr;
  const StaffPages* staff = nullptr;
  const IgPages* pages = nullptr;
  IncidentService* service = nullptr;
  const ApiSettings* api = nullptr;
  Accounts* accounts = nullptr;
  std::function<void(const common::HttpRequest&, const std::string& what)> on_error;

  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::incident
