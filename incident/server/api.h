// The core's JSON HTTP API (documented in docs/API.md): routes requests to the
// IncidentService and turns its refusals into 4xx answers with the field and the reason.
#pragma once

#include <string>

#include "sendguard/common/http_server.h"
#include "sendguard/incident/incident_service.h"

namespace sendguard::incident {

struct ApiAuth {
  std::string token;  // required as "Authorization: Bearer TOKEN" when not empty
};

common::HttpResponse HandleApi(IncidentService& service, const ApiAuth& auth, const common::HttpRequest& request);

}  // namespace sendguard::incident
