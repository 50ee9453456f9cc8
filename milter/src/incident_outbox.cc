// SPDX-License-Identifier: Apache-2.0
// The incident outbox over the state database (see incident_outbox.h).
#include "sendguard/milter/incident_outbox.h"

#include <nlohmann/json.hpp>

namespace sendguard::milter {

Status IncidentOutbox::Enqueue(const std::string& id, const std::string& payload, std::time_t now) {
  auto s = db_.Prepare(
      "INSERT INTO incident_outbox (draft_id, payload, created, next_attempt) VALUES (?, ?, ?, ?) "
      "ON CONFLICT DO NOTHING");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, id).Bind(2, payload).Bind(3, int64_t{now}).Bind(4, int64_t{now}).Run();
}

Status IncidentOutbox::HoldWarning(const std::string& key, const std::string& id, const std::string& payload,
                                   std::time_t expires) {
  auto s = db_.Prepare(
      "INSERT INTO pending_warnings (key, draft_id, payload, expires) VALUES (?, ?, ?, ?)"
      " ON CONFLICT(key) DO UPDATE SET expires = excluded.expires");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, key).Bind(2, id).Bind(3, payload).Bind(4, int64_t{expires}).Run();
}

Result<bool> IncidentOutbox::HasWarning(const std::string& key) {
  auto q = db_.Prepare("SELECT 1 FROM pending_warnings WHERE key = ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, key);
  const bool found = (*q)->Step();
  if (!(*q)->status().ok()) return (*q)->status();
  (*q)->Reset();
  return found;
}

Result<std::optional<std::pair<std::string, std::string>>> IncidentOutbox::TakeWarning(const std::string& key) {
  common::SqlTransaction tx(db_);
  auto q = db_.Prepare("SELECT draft_id, payload FROM pending_warnings WHERE key = ?");
  if (!q.ok()) return q.status();
  (*q)->Reset().Bind(1, key);
  if (!(*q)->Step()) {
    if (!(*q)->status().ok()) return (*q)->status();
    return std::optional<std::pair<std::string, std::string>>{};
  }
  std::pair<std::string, std::string> found{(*q)->Text(0), (*q)->Text(1)};
  (*q)->Reset();
  auto del = db_.Prepare("DELETE FROM pending_warnings WHERE key = ?");
  if (!del.ok()) return del.status();
  if (Status st = (*del)->Reset().Bind(1, key).Run(); !st.ok()) return st;
  if (Status st = tx.Commit(); !st.ok()) return st;
  return std::optional<std::pair<std::string, std::string>>{std::move(found)};
}

Result<int> IncidentOutbox::ExpireWarnings(std::time_t now) {
  common::SqlTransaction tx(db_);
  auto q = db_.Prepare("SELECT key, draft_id, payload FROM pending_warnings WHERE expires <= ?");
  if (!q.ok()) return q.status();
  std::vector<std::tuple<std::string, std::string, std::string>> expired;
  (*q)->Reset().Bind(1, int64_t{now});
  while ((*q)->Step()) expired.emplace_back((*q)->Text(0), (*q)->Text(1), (*q)->Text(2));
  if (!(*q)->status().ok()) return (*q)->status();
  for (const auto& [key, id, payload] : expired) {
    nlohmann::json doc = nlohmann::json::parse(payload, nullptr, false);
    if (doc.is_object()) doc["mf_action"] = "WARNED_USER_CANCELLED";
    if (Status st = Enqueue(id, doc.is_object() ? doc.dump() : payload, now); !st.ok()) return st;
    auto del = db_.Prepare("DELETE FROM pending_warnings WHERE key = ?");
    if (!del.ok()) return del.status();
    if (Status st = (*del)->Reset().Bind(1, key).Run(); !st.ok()) return st;
  }
  if (Status st = tx.Commit(); !st.ok()) return st;
  return static_cast<int>(expired.size());
}

Result<std::vector<IncidentOutbox::Item>> IncidentOutbox::Due(std::time_t now, int limit) {
  auto q = db_.Prepare(
      "SELECT draft_id, payload, attempts FROM incident_outbox WHERE delivered IS NULL AND refused = 0"
      " AND next_attempt <= ? ORDER BY next_attempt LIMIT ?");
  if (!q.ok()) return q.status();
  std::vector<Item> out;
  (*q)->Reset().Bind(1, int64_t{now}).Bind(2, int64_t{limit});
  while ((*q)->Step()) out.push_back({(*q)->Text(0), (*q)->Text(1), static_cast<int>((*q)->Int(2))});
  if (!(*q)->status().ok()) return (*q)->status();
  return out;
}

Status IncidentOutbox::Delivered(const std::string& id, std::time_t now) {
  auto s = db_.Prepare("UPDATE incident_outbox SET delivered = ?, last_error = '' WHERE draft_id = ?");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, int64_t{now}).Bind(2, id).Run();
}

Status IncidentOutbox::RetryLater(const std::string& id, int attempts, std::time_t next, const std::string& error) {
  auto s = db_.Prepare("UPDATE incident_outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE draft_id = ?");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, int64_t{attempts}).Bind(2, int64_t{next}).Bind(3, error).Bind(4, id).Run();
}

Status IncidentOutbox::Refused(const std::string& id, const std::string& error) {
  auto s = db_.Prepare("UPDATE incident_outbox SET refused = 1, last_error = ? WHERE draft_id = ?");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, error).Bind(2, id).Run();
}

Result<int64_t> IncidentOutbox::Pending() {
  auto q = db_.Prepare("SELECT COUNT(*) FROM incident_outbox WHERE delivered IS NULL AND refused = 0");
  if (!q.ok()) return q.status();
  (*q)->Reset();
  int64_t n = (*q)->Step() ? (*q)->Int(0) : 0;
  (*q)->Reset();
  return n;
}

}  // namespace sendguard::milter
