// SPDX-License-Identifier: Apache-2.0
// Quarantine review and decisions (see quarantine_desk.h).
#include "sendguard/milter/quarantine_desk.h"

#include "sendguard/common/text.h"
#include "sendguard/milter/scan_records.h"
#include "sendguard/milter/self_report_desk.h"

namespace sendguard::milter {

using nlohmann::json;

std::optional<QuarantineDecision> QuarantineDesk::DecisionFor(int64_t record_id) {
  auto q = db_.Prepare(
      "SELECT record_id, queue_id, decision, decided_by, reason, decided_at, applied_at, result FROM quarantine_decisions"
      " WHERE record_id = ?");
  if (!q.ok()) return std::nullopt;
  (*q)->Reset().Bind(1, record_id);
  std::optional<QuarantineDecision> out;
  if ((*q)->Step()) {
    out = QuarantineDecision{(*q)->Int(0), (*q)->Text(1), (*q)->Text(2), (*q)->Text(3), (*q)->Text(4),
                             static_cast<std::time_t>((*q)->Int(5)), static_cast<std::time_t>((*q)->Int(6)), (*q)->Text(7)};
  }
  (*q)->Reset();
  return out;
}

std::optional<json> QuarantineDesk::Review(const std::string& message_sha256) {
  ScanRecords records(db_, hasher_);
  auto r = records.FindQuarantined(message_sha256);
  if (!r) return std::nullopt;
  json out = {{"send", ScanRecordSummary(*r)}, {"queue_id", r->queue_id}, {"decision", nullptr}};
  if (auto d = DecisionFor(r->id)) {
    out["decision"] = {{"decision", d->decision}, {"decided_by", d->decided_by}, {"reason", d->reason},
                       {"decided_at", static_cast<int64_t>(d->decided_at)},
                       {"applied_at", d->applied_at ? json(static_cast<int64_t>(d->applied_at)) : json()},
                       {"result", d->result}};
  }
  return out;
}

Status QuarantineDesk::Decide(const std::string& message_sha256, const std::string& decision, const std::string& by,
                              const std::string& reason, std::time_t now) {
  if (decision != "release" && decision != "delete") return InvalidArgument("decision: must be release or delete");
  const std::string said = common::MaskedNote(reason, 500), who = common::MaskedNote(by, 200);
  if (said.empty()) return InvalidArgument("reason: say why (the IG team's record keeps it)");
  if (who.empty()) return InvalidArgument("by: who decides is required");
  ScanRecords records(db_, hasher_);
  auto r = records.FindQuarantined(message_sha256);
  if (!r) return NotFound("sendguard quarantined no message with that hash (records are kept scan_record_days)");
  auto ins = db_.Prepare(
      "INSERT INTO quarantine_decisions (record_id, queue_id, decision, decided_by, reason, decided_at) VALUES (?, ?, ?, ?, ?, ?)"
      " ON CONFLICT(record_id) DO NOTHING");
  if (!ins.ok()) return ins.status();
  if (Status st = (*ins)->Reset().Bind(1, r->id).Bind(2, r->queue_id).Bind(3, decision).Bind(4, who).Bind(5, said).Bind(6, int64_t{now}).Run();
      !st.ok()) {
    return st;
  }
  if (db_.Changes() != 1) return InvalidArgument("already decided: a message is released or deleted once");
  return Status::Ok();
}

std::vector<QuarantineDecision> QuarantineDesk::Pending() {
  std::vector<QuarantineDecision> out;
  auto q = db_.Prepare("SELECT record_id FROM quarantine_decisions WHERE applied_at IS NULL ORDER BY decided_at, record_id");
  if (!q.ok()) return out;
  (*q)->Reset();
  std::vector<int64_t> ids;
  while ((*q)->Step()) ids.push_back((*q)->Int(0));
  (*q)->Reset();
  for (int64_t id : ids) {
    if (auto d = DecisionFor(id)) out.push_back(*d);
  }
  return out;
}

Status QuarantineDesk::MarkApplied(int64_t record_id, const std::string& result, std::time_t now) {
  auto u = db_.Prepare("UPDATE quarantine_decisions SET applied_at = ?, result = ? WHERE record_id = ?");
  if (!u.ok()) return u.status();
  return (*u)->Reset().Bind(1, int64_t{now}).Bind(2, result).Bind(3, record_id).Run();
}

}  // namespace sendguard::milter
