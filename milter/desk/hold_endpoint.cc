// SPDX-License-Identifier: Apache-2.0
// The hold controls over HTTP (see hold_endpoint.h).
#include "hold_endpoint.h"

#include <nlohmann/json.hpp>

#include "sendguard/milter/hold_desk.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

using nlohmann::json;

common::HttpResponse Answer(const HoldOutcome& o, json extra = json::object()) {
  common::HttpResponse r;
  r.status = o.http_status;
  extra["state"] = o.state;
  if (!o.error.empty()) extra["error"] = o.error;
  // Replace, not throw: an error may quote what the request carried (not always UTF-8).
  r.body = extra.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  return r;
}

common::HttpResponse HoldError(int status, const std::string& why) { return Answer({status, "", why}); }

}  // namespace

common::HttpResponse HoldEndpoint::Handle(const common::HttpRequest& req) const {
  const std::string prefix = "/holds/";
  if (req.path.rfind(prefix, 0) != 0) return HoldError(404, "not found: sendguard-desk serves /holds/, /self-reports, /scan-records, /subject-access and /quarantine; metrics are sendguard-milter's");
  std::string rest = req.path.substr(prefix.size());
  std::string action;
  if (const size_t slash = rest.find('/'); slash != std::string::npos) {
    action = rest.substr(slash + 1);
    rest.resize(slash);
  }
  const std::string& id = rest;
  const std::string token = req.Query("t");
  if (action.empty() ? req.method != "GET" : req.method != "POST") return HoldError(405, "method not allowed");
  if (!action.empty() && action != "confirm" && action != "cancel") return HoldError(404, "no such action: " + action);
  auto db = OpenStateDb(state_db);
  if (!db.ok()) return HoldError(503, db.status().message());
  HoldDesk desk(**db, *hasher, *seal, held_dir);
  desk.OnQueued(queued);
  const std::time_t now = std::time(nullptr);
  if (action.empty()) {
    std::string view;
    HoldOutcome o = desk.Show(id, token, now, &view);
    if (view.empty()) return Answer(o);
    common::HttpResponse r;
    r.status = o.http_status;
    r.body = view + "\n";
    return r;
  }
  if (action == "cancel") return Answer(desk.Cancel(id, token, now));
  const json body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  if (!body.is_object()) return HoldError(400, "the body must be a JSON object");
  ConfirmRequest c;
  if (body.contains("reason") && !body["reason"].is_string()) return HoldError(422, "reason: must be a string");
  if (body.contains("text") && !body["text"].is_string()) return HoldError(422, "text: must be a string");
  if (body.contains("except_flagged") && !body["except_flagged"].is_boolean()) {
    return HoldError(422, "except_flagged: must be true or false");
  }
  c.reason = body.value("reason", "");
  c.text = body.value("text", "");
  c.except_flagged = body.value("except_flagged", false);
  HoldOutcome o = desk.Confirm(id, token, c, smtp_url, now);
  return Answer(o, {{"sent_to", o.sent_to}});
}

}  // namespace sendguard::milter
