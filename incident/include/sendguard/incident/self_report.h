// A breach draft for an email its sender reports as misdirected, built from the scan
// record's summary (what sendguard saw: time, queue id, verdict, outcome, masked findings,
// recipient domains; never content or recipients' addresses). One builder for the CLI
// (`sendguard report-misdirected`), the API (POST /api/self-reports) and the staff page.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sendguard::incident {

// `send`: {at (unix seconds), queue_id, message_id_hash, verdict, outcome, findings,
// recipient_domains}. `reporter_email` fills section 1; `how` says how it was reported;
// `note`, the reporter's own words, is bounded with digits masked.
nlohmann::json SelfReportDraft(const nlohmann::json& send, const std::string& reporter_name, const std::string& reporter_email,
                               const std::string& how, const std::string& note);

// The idempotency key: one self-report per message, however often it is reported.
std::string SelfReportKey(const nlohmann::json& send);

}  // namespace sendguard::incident
