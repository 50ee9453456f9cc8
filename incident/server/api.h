// SPDX-License-Identifier: Apache-2.0
// The core's JSON HTTP API (documented in docs/API.md): routes requests to the
// IncidentService and turns its refusals into 4xx answers with the field and the reason.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "accounts.h"
#include "api_identity.h"
#include "milter_link.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/incident/notifier.h"
#include "sendguard/incident/organisation.h"
#include "sendguard/common/http_server.h"
#include "sendguard/incident/incident_service.h"

namespace sendguard::incident {

struct ApiSettings {
  MilterLink desk;    // sendguard-desk: scan records, subject access, quarantine review (url "" = off)
  MilterLink milter;  // sendguard-milter's /metrics, for the mail filter page (url "" = off)
  Organisation organisation;              // for letters and the ICO report
  std::string letter_language = "en";     // a letter's language unless the IG team picks the other
  const EmailTarget* email = nullptr;     // the core's SMTP: letters by email (nullptr or no smtp_url: none)
  const common::KeyedHasher* hasher = nullptr;  // the deployment secret: whom a letter went to, as a keyed hash
};

// The API's answers: JSON (no-store), and a refusal naming the field and the reason.
common::HttpResponse ApiJson(int status, const nlohmann::json& body);
common::HttpResponse ApiError(int status, const std::string& field, const std::string& reason);
// A request's JSON object body, or nullopt with *refusal set (400: empty, not JSON, not an
// object, or nested deeper than kMaxJsonDepth).
inline constexpr int kMaxJsonDepth = 32;
std::optional<nlohmann::json> ApiBody(const common::HttpRequest& req, common::HttpResponse* refusal);
// The service's answer: 200 with the incident, or its refusal (4xx), or 500 for the store.
common::HttpResponse ApiAnswer(const Outcome<nlohmann::json>& outcome);

// Files the breach draft for a self-reported send (`send` as the milter's scan-record summary)
// as `actor`; the answer is the API's (201 with the incident, or the refusal).
common::HttpResponse FileSelfReport(IncidentService& service, const Actor& actor, const nlohmann::json& send,
                                    const std::string& reporter_name, const std::string& reporter_email,
                                    const std::string& how, const std::string& note);

// One API request from a caller already known (the pages call this as their session's user).
common::HttpResponse HandleApi(IncidentService& service, const ApiSettings& settings, const Caller& caller,
                               const common::HttpRequest& request);

// One API request off the wire: /healthz is open; everything else needs a session or a token.
common::HttpResponse ServeApi(IncidentService& service, const ApiSettings& settings, Accounts& accounts,
                              const common::HttpRequest& request);

}  // namespace sendguard::incident
