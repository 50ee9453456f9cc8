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
  json messages = json::array();
  for (const auto& r : records.Quarantined(message_sha256)) {
    json m = {{"record_id", r.id}, {"queue_id", r.queue_id}, {"send", ScanRecordSummary(r)}, {"decision", nullptr}};
    if (auto d = DecisionFor(r.id)) {
      m["decision"] = {{"decision", d->decision}, {"decided_by", d->decided_by}, {"reason", d->reason},
                       {"decided_at", static_cast<int64_t>(d->decided_at)},
                       {"applied_at", d->applied_at ? json(static_cast<int64_t>(d->applied_at)) : json()},
                       {"result", d->result}};
    }
    messages.push_back(m);
  }
  if (messages.empty()) return std::nullopt;
  return json{{"messages", messages}};
}

Status QuarantineDesk::Decide(const std::string& message_sha256, int64_t record_id, const std::string& decision,
                              const std::string& by, const std::string& reason, std::time_t now) {
  if (decision != "release" && decision != "delete") return InvalidArgument("decision: must be release or delete");
  const std::string said = common::MaskedNote(reason, 500), who = common::MaskedNote(by, 200);
  if (said.empty()) return InvalidArgument("reason: say why (the IG team's record keeps it)");
  if (who.empty()) return InvalidArgument("by: who decides is required");
  ScanRecords records(db_, hasher_);
  std::optional<ScanRecord> r;
  for (auto& q : records.Quarantined(message_sha256)) {
    if (q.id == record_id) r = std::move(q);
  }
  if (!r) return NotFound("sendguard quarantined no such message for this email (records are kept scan_record_days)");
  return Insert(*r, decision, who, said, now, nullptr);
}

Status QuarantineDesk::RecordDone(int64_t record_id, const std::string& queue_id, const std::string& decision,
                                  const std::string& by, const std::string& reason, const std::string& result, std::time_t now) {
  ScanRecord r;
  r.id = record_id;
  r.queue_id = queue_id;
  Status st = Insert(r, decision, common::MaskedNote(by, 200), common::MaskedNote(reason, 500), now, &result);
  // Decided in the pages first and released by hand since: the decision stands, and what the
  // command line did is its result.
  if (!st.ok() && st.message().rfind("already", 0) == 0) return MarkApplied(record_id, result + " (by hand: " + by + ")", now);
  return st;
}

Status QuarantineDesk::Insert(const ScanRecord& r, const std::string& decision, const std::string& who, const std::string& said,
                              std::time_t now, const std::string* result) {
  auto ins = db_.Prepare(
      "INSERT INTO quarantine_decisions (record_id, queue_id, decision, decided_by, reason, decided_at, applied_at, result)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(record_id) DO NOTHING");
  if (!ins.ok()) return ins.status();
  auto& bound = (*ins)->Reset().Bind(1, r.id).Bind(2, r.queue_id).Bind(3, decision).Bind(4, who).Bind(5, said).Bind(6, int64_t{now});
  if (result) bound.Bind(7, int64_t{now}).Bind(8, *result);
  else bound.BindNull(7).BindNull(8);
  if (Status st = bound.Run(); !st.ok()) return st;
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
