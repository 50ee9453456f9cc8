// SPDX-License-Identifier: Apache-2.0
// The quarantine review over HTTP (see quarantine_endpoint.h).
#include "quarantine_endpoint.h"

#include <nlohmann/json.hpp>

#include "json_answer.h"

#include "sendguard/milter/quarantine_desk.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

using nlohmann::json;

bool IsHash(const std::string& h) { return h.size() == 64 && h.find_first_not_of("0123456789abcdef") == std::string::npos; }

}  // namespace

bool QuarantineEndpoint::Owns(const std::string& path) { return path == "/quarantine" || path == "/quarantine/decision"; }

common::HttpResponse QuarantineEndpoint::Handle(const common::HttpRequest& req) const {
  auto db = OpenStateDb(state_db);
  if (!db.ok()) return JsonAnswer(503, {{"error", db.status().message()}});
  QuarantineDesk desk(**db, *hasher);
  if (req.path == "/quarantine") {
    if (req.method != "GET") return JsonAnswer(405, {{"error", "method not allowed"}});
    if (!IsHash(req.Query("message_hash"))) return JsonAnswer(422, {{"error", "message_hash: the 64 hex digits of mf_message_id_hash"}});
    auto found = desk.Review(req.Query("message_hash"));
    if (!found) return JsonAnswer(404, {{"error", "sendguard quarantined no message with that hash"}});
    return JsonAnswer(200, *found);
  }
  if (req.method != "POST") return JsonAnswer(405, {{"error", "method not allowed"}});
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return JsonAnswer(400, {{"error", "the body must be a JSON object"}});
  for (const char* key : {"message_hash", "decision", "by", "reason"}) {
    if (!body.contains(key) || !body[key].is_string()) return JsonAnswer(422, {{"error", std::string(key) + ": must be a string"}});
  }
  if (!IsHash(body["message_hash"])) return JsonAnswer(422, {{"error", "message_hash: the 64 hex digits of mf_message_id_hash"}});
  if (!body.contains("record_id") || !body["record_id"].is_number_integer()) {
    return JsonAnswer(422, {{"error", "record_id: which quarantined message (a whole number from the review)"}});
  }
  Status st = desk.Decide(body["message_hash"], body["record_id"].get<int64_t>(), body["decision"], body["by"], body["reason"],
                          std::time(nullptr));
  if (st.ok()) return JsonAnswer(200, *desk.Review(body["message_hash"]));
  const int status = st.code() == StatusCode::kNotFound ? 404 : st.message().rfind("already", 0) == 0 ? 409 : 422;
  return JsonAnswer(status, {{"error", st.message()}});
}

}  // namespace sendguard::milter
