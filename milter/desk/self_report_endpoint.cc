// SPDX-License-Identifier: Apache-2.0
// The self-report controls over HTTP (see self_report_endpoint.h).
#include "self_report_endpoint.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "json_answer.h"

#include "sendguard/common/text.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/scan_records.h"
#include "sendguard/milter/self_report_desk.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

using nlohmann::json;

common::HttpResponse Error(int status, const std::string& why) { return JsonAnswer(status, {{"error", why}}); }

}  // namespace

bool SelfReportEndpoint::Owns(const std::string& path) {
  return path == "/self-reports" || path.rfind("/self-reports/", 0) == 0 || path == "/scan-records" || path == "/subject-access";
}

common::HttpResponse SelfReportEndpoint::Handle(const common::HttpRequest& req) const {
  const json body = req.method == "POST" ? json::parse(req.body.empty() ? "{}" : req.body, nullptr, false) : json::object();
  if (!body.is_object()) return Error(400, "the body must be a JSON object");
  auto db = OpenStateDb(state_db);
  if (!db.ok()) return Error(503, db.status().message());
  SelfReportDesk desk(**db, *hasher, *seal);
  const std::time_t now = std::time(nullptr);
  if (req.path == "/scan-records") {
    if (req.method != "GET") return Error(405, "method not allowed");
    if (req.Query("message_id").empty()) return Error(422, "message_id: required");
    auto found = desk.Lookup(req.Query("message_id"));
    if (!found) return Error(404, "no scan record for that Message-ID");
    return JsonAnswer(200, {{"send", *found}});
  }
  if (req.path == "/subject-access") {
    // The mail filter's part of a subject access search: records naming the address (by keyed
    // hash), metadata only; the address is in the body, not the URL.
    if (req.method != "POST") return Error(405, "method not allowed");
    if (!body.contains("address") || !body["address"].is_string() || body["address"].get<std::string>().size() > 320) {
      return Error(422, "address: an email address is required");
    }
    const std::string address = body["address"];
    ScanRecords records(**db, *hasher);
    json found = json::array();
    const std::vector<std::string> hashes = records.SenderHashes(address);
    for (const auto& r : records.NamingAddress(address, 500)) {
      json domains = json::array();
      const json recipients = json::parse(r.recipients_json, nullptr, false);
      for (const auto& x : recipients.is_array() ? recipients : json::array()) {
        if (x.is_object() && x.contains("domain")) domains.push_back(x["domain"]);
      }
      found.push_back({{"at", static_cast<int64_t>(r.at)}, {"queue_id", r.queue_id}, {"as", std::find(hashes.begin(), hashes.end(), r.sender_hash) != hashes.end() ? "sender" : "recipient"},
                       {"outcome", r.outcome}, {"recipient_domains", domains}, {"findings", r.findings}});
    }
    auto use = RecipientHistory(**db, *hasher).Use(address);
    if (!use.ok()) return Error(503, use.status().message());
    return JsonAnswer(200, {{"scan_records", found},
                      {"recipient_history", {{"known_sender", use->known_sender}, {"sent_to", use->sent_to}, {"sent_to_by", use->sent_to_by}}}});
  }
  if (req.path == "/self-reports") {
    if (req.method != "POST") return Error(405, "method not allowed");
    if (!body.contains("email") || !body["email"].is_string()) return Error(422, "email: must be a string");
    auto live = config();
    if (!live) return Error(503, "no configuration loaded");
    SelfReportOutcome o = desk.RequestLink(body["email"].get<std::string>(), *live, now);
    if (o.http_status == 202 && queued) queued();
    return JsonAnswer(o.http_status, o.body);
  }
  std::string rest = req.path.substr(std::string("/self-reports/").size());
  std::string action;
  if (const size_t slash = rest.find('/'); slash != std::string::npos) {
    action = rest.substr(slash + 1);
    rest.resize(slash);
  }
  const std::string token = req.Query("t");
  if (action.empty()) {
    if (req.method != "GET") return Error(405, "method not allowed");
    SelfReportOutcome o = desk.List(rest, token, now);
    return JsonAnswer(o.http_status, o.body);
  }
  if (action != "use") return Error(404, "no such action: " + action);
  if (req.method != "POST") return Error(405, "method not allowed");
  if (!body.contains("record_id") || !body["record_id"].is_number_integer()) return Error(422, "record_id: must be a whole number");
  SelfReportOutcome o = desk.Use(rest, token, body["record_id"].get<int64_t>(), now);
  return JsonAnswer(o.http_status, o.body);
}

}  // namespace sendguard::milter
