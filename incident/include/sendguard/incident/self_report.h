// SPDX-License-Identifier: Apache-2.0
// A breach draft for an email its sender reports as misdirected, built from the scan
// record's summary (what sendguard saw: time, queue id, verdict, outcome, masked findings,
// recipient domains; never content or recipients' addresses). One builder for the CLI
// (`sendguard report-misdirected`), the API (POST /api/self-reports) and the staff page.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "sendguard/incident/incident_service.h"

namespace sendguard::incident {

// `send`: {at (unix seconds), queue_id, message_id_hash, verdict, outcome, findings,
// recipient_domains}. `reporter_email` fills section 1; `how` says how it was reported;
// `note`, the reporter's own words, is bounded with digits masked.
nlohmann::json SelfReportDraft(const nlohmann::json& send, const std::string& reporter_name, const std::string& reporter_email,
                               const std::string& how, const std::string& note);

// The idempotency key: one self-report per message, however often it is reported.
std::string SelfReportKey(const nlohmann::json& send);

// Files the draft as `reporter` (once per message): the reporter's account is checked like any
// reporter's; the kind (BREACH) and the channel (EMAIL) are the core's own classification of a
// self-reported misdirected email, not the reporter's.
Outcome<std::string> FileSelfReportDraft(IncidentService& service, const Actor& reporter, const nlohmann::json& send,
                                         const std::string& reporter_name, const std::string& reporter_email,
                                         const std::string& how, const std::string& note);

}  // namespace sendguard::incident
