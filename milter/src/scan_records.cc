// SPDX-License-Identifier: Apache-2.0
// Scan records in the state database (see scan_records.h).
#include "sendguard/milter/scan_records.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "sendguard/common/digest.h"
#include "sendguard/common/text.h"
#include "sendguard/milter/milter_reply.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {

std::string IncidentMessageIdHash(const std::string& message_id) { return common::Sha256Hex(message_id); }

std::string ScanRecords::MessageIdHash(const std::string& message_id, size_t key) const {
  std::string id(common::Trim(message_id));
  if (!id.empty() && id.front() == '<') id.erase(0, 1);
  if (!id.empty() && id.back() == '>') id.pop_back();
  return hasher_.HexUnder(key, "message-id:" + id).substr(0, 32);
}

std::string ScanRecords::SenderHash(const std::string& sender, size_t key) const {
  return hasher_.HexUnder(key, "history-address:" + rules::NormaliseAddress(sender)).substr(0, 32);
}

std::vector<std::string> ScanRecords::SenderHashes(const std::string& sender) const {
  std::vector<std::string> out;
  for (size_t k = 0; k < hasher_.key_count(); ++k) out.push_back(SenderHash(sender, k));
  return out;
}

std::string ScanRecords::SubjectHash(const std::string& subject, size_t key) const {
  return hasher_.HexUnder(key, "subject:" + common::AsciiLower(std::string(common::Trim(subject)))).substr(0, 32);
}

ScanRecord ScanRecords::Make(const Decision& d, const std::string& queue_id, const std::string& message_id,
                             const std::string& outcome, std::time_t at, const std::string& subject) const {
  ScanRecord r;
  r.subject_hash = SubjectHash(subject);
  r.at = at;
  r.queue_id = queue_id;
  r.message_id_hash = MessageIdHash(message_id);
  r.message_sha256 = IncidentMessageIdHash(message_id);
  r.sender_hash = SenderHash(d.facts.sender);
  r.sender_domain = rules::DomainOf(rules::NormaliseAddress(d.facts.sender));
  nlohmann::json recipients = nlohmann::json::array();
  for (const auto& a : rules::AllRecipients(d.facts)) {
    recipients.push_back({{"domain", rules::DomainOf(a)}, {"hash", hasher_.Hex("history-address:" + a).substr(0, 32)}});
  }
  r.recipients_json = recipients.dump();
  r.verdict = rules::ActionName(d.verdict.action);
  r.outcome = outcome;
  nlohmann::json policies = nlohmann::json::array();
  for (const auto& m : d.verdict.matches) policies.push_back(m.policy->id);
  r.policies_json = policies.dump();
  nlohmann::json signals = nlohmann::json::array();
  for (const auto& s : d.verdict.signals) signals.push_back({{"type", s.type}, {"domain", rules::DomainOf(s.recipient)}});
  r.signals_json = signals.dump();
  r.findings = FindingsSummary(d.scan);
  r.complete = d.scan.complete;
  return r;
}

Status ScanRecords::Add(const ScanRecord& r) {
  auto st = db_.Prepare(
      "INSERT INTO scan_records (at, queue_id, message_id, sender, sender_domain, recipients, verdict, outcome, "
      "policies, signals, findings, complete, subject, message_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st.ok()) return st.status();
  return (*st)
      ->Bind(1, static_cast<int64_t>(r.at))
      .Bind(2, r.queue_id)
      .Bind(3, r.message_id_hash)
      .Bind(4, r.sender_hash)
      .Bind(5, r.sender_domain)
      .Bind(6, r.recipients_json)
      .Bind(7, r.verdict)
      .Bind(8, r.outcome)
      .Bind(9, r.policies_json)
      .Bind(10, r.signals_json)
      .Bind(11, r.findings)
      .Bind(12, static_cast<int64_t>(r.complete ? 1 : 0))
      .Bind(13, r.subject_hash)
      .Bind(14, r.message_sha256)
      .Run();
}

namespace {

constexpr const char* kColumns =
    "SELECT id, at, queue_id, message_id, sender, sender_domain, recipients, verdict, outcome, policies, signals, "
    "findings, complete, subject, recalled, message_sha256 FROM scan_records ";

// Reads the row the statement stands on (columns as kColumns).
ScanRecord ReadRow(common::SqlStatement& s) {
  ScanRecord r;
  r.id = s.Int(0);
  r.at = static_cast<std::time_t>(s.Int(1));
  r.queue_id = s.Text(2);
  r.message_id_hash = s.Text(3);
  r.sender_hash = s.Text(4);
  r.sender_domain = s.Text(5);
  r.recipients_json = s.Text(6);
  r.verdict = s.Text(7);
  r.outcome = s.Text(8);
  r.policies_json = s.Text(9);
  r.signals_json = s.Text(10);
  r.findings = s.Text(11);
  r.complete = s.Int(12) != 0;
  r.subject_hash = s.Text(13);
  r.recalled = s.Int(14) != 0;
  r.message_sha256 = s.Text(15);
  return r;
}

}  // namespace

namespace {
// Newest first (as every list here is), at most `limit`: the lists found under each key of
// the secret's ring made one.
void NewestFirst(std::vector<ScanRecord>& records, int limit) {
  std::sort(records.begin(), records.end(), [](const ScanRecord& a, const ScanRecord& b) {
    return a.at != b.at ? a.at > b.at : a.id > b.id;
  });
  if (records.size() > static_cast<size_t>(std::max(limit, 0))) records.resize(static_cast<size_t>(std::max(limit, 0)));
}
}  // namespace

std::vector<ScanRecord> ScanRecords::NamingAddress(const std::string& address, int limit) {
  std::vector<ScanRecord> out;
  auto q = db_.Prepare(std::string(kColumns) +
                       "WHERE sender = ?1 OR recipients LIKE '%\"hash\":\"' || ?1 || '\"%' ORDER BY at DESC LIMIT ?2");
  if (!q.ok()) return out;
  for (const auto& hash : SenderHashes(address)) {  // senders and recipients are hashed alike
    auto& s = (*q)->Reset().Bind(1, hash).Bind(2, int64_t{limit});
    while (s.Step()) out.push_back(ReadRow(s));
  }
  (*q)->Reset();
  NewestFirst(out, limit);
  return out;
}

std::optional<ScanRecord> ScanRecords::FindByMessageId(const std::string& message_id) {
  std::vector<ScanRecord> found;
  for (size_t k = 0; k < hasher_.key_count(); ++k) {
    if (auto r = FindOne("WHERE message_id = ? ORDER BY at DESC, id DESC LIMIT 1", 0, MessageIdHash(message_id, k))) {
      found.push_back(std::move(*r));
    }
  }
  NewestFirst(found, 1);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::vector<ScanRecord> ScanRecords::FromSender(const std::vector<std::string>& sender_hashes, std::time_t since, int limit) {
  std::vector<ScanRecord> out;
  auto st = db_.Prepare(std::string(kColumns) + "WHERE sender = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?");
  if (!st.ok()) return out;
  for (const auto& hash : sender_hashes) {
    (*st)->Reset().Bind(1, hash).Bind(2, static_cast<int64_t>(since)).Bind(3, int64_t{limit});
    while ((*st)->Step()) out.push_back(ReadRow(**st));
  }
  (*st)->Reset();
  NewestFirst(out, limit);
  return out;
}

std::optional<ScanRecord> ScanRecords::FindById(int64_t id) { return FindOne("WHERE id = ?", id, ""); }

std::vector<ScanRecord> ScanRecords::Quarantined(const std::string& message_sha256, int limit) {
  std::vector<ScanRecord> out;
  if (message_sha256.empty()) return out;
  auto st = db_.Prepare(std::string(kColumns) + "WHERE message_sha256 = ? AND outcome = 'quarantined' AND origin = '' ORDER BY at, id LIMIT ?");
  if (!st.ok()) return out;
  (*st)->Reset().Bind(1, message_sha256).Bind(2, int64_t{limit});
  while ((*st)->Step()) out.push_back(ReadRow(**st));
  (*st)->Reset();
  return out;
}

std::optional<ScanRecord> ScanRecords::FindByQueueId(const std::string& queue_id) {
  // This gateway's own: queue ids are per MTA, and another gateway's may repeat one.
  return FindOne("WHERE queue_id = ? AND origin = '' ORDER BY at DESC, id DESC LIMIT 1", 0, queue_id);
}

std::optional<ScanRecord> ScanRecords::FindOne(const std::string& where, int64_t number, const std::string& text) {
  auto st = db_.Prepare(std::string(kColumns) + where);
  if (!st.ok()) return std::nullopt;
  if (text.empty()) (*st)->Reset().Bind(1, number);
  else (*st)->Reset().Bind(1, text);
  if (!(*st)->Step()) return std::nullopt;
  ScanRecord r = ReadRow(**st);
  (*st)->Reset();
  return r;
}

std::optional<ScanRecord> ScanRecords::FindRecallTarget(const std::string& sender, const std::string& subject,
                                                        std::time_t since) {
  auto st = db_.Prepare(std::string(kColumns) +
                        "WHERE sender = ? AND subject = ? AND at >= ? AND recalled = 0 ORDER BY at DESC, id DESC LIMIT 1");
  if (!st.ok()) return std::nullopt;
  std::vector<ScanRecord> found;
  for (size_t k = 0; k < hasher_.key_count(); ++k) {
    (*st)->Reset().Bind(1, SenderHash(sender, k)).Bind(2, SubjectHash(subject, k)).Bind(3, static_cast<int64_t>(since));
    if ((*st)->Step()) found.push_back(ReadRow(**st));
  }
  (*st)->Reset();
  NewestFirst(found, 1);
  if (found.empty()) return std::nullopt;
  return found.front();
}

Status ScanRecords::MarkRecalled(int64_t id) {
  auto st = db_.Prepare("UPDATE scan_records SET recalled = 1 WHERE id = ?");
  if (!st.ok()) return st.status();
  return (*st)->Reset().Bind(1, id).Run();
}

}  // namespace sendguard::milter
