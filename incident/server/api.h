// The core's JSON HTTP API (documented in docs/API.md): routes requests to the
// IncidentService and turns its refusals into 4xx answers with the field and the reason.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "sendguard/common/http_server.h"
#include "sendguard/incident/incident_service.h"

namespace sendguard::incident {

struct ApiSettings {
  std::string token;       // required as "Authorization: Bearer TOKEN" when not empty
  std::string milter_url;  // the milter's controls: self-reports look up scan records there ("" = off)
};

// Files the breach draft for a self-reported send (`send` as the milter's scan-record summary)
// as `actor`; the answer is the API's (201 with the incident, or the refusal).
common::HttpResponse FileSelfReport(IncidentService& service, const Actor& actor, const nlohmann::json& send,
                                    const std::string& reporter_name, const std::string& reporter_email,
                                    const std::string& how, const std::string& note);

common::HttpResponse HandleApi(IncidentService& service, const ApiSettings& auth, const common::HttpRequest& request);

}  // namespace sendguard::incident
