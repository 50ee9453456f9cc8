// Scan records in the state database (see scan_records.h).
#include "sendguard/milter/scan_records.h"

#include <nlohmann/json.hpp>

#include "sendguard/common/text.h"
#include "sendguard/milter/milter_reply.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {

std::string ScanRecords::MessageIdHash(const std::string& message_id) const {
  std::string id(common::Trim(message_id));
  if (!id.empty() && id.front() == '<') id.erase(0, 1);
  if (!id.empty() && id.back() == '>') id.pop_back();
  return hasher_.Hex("message-id:" + id).substr(0, 32);
}

ScanRecord ScanRecords::Make(const Decision& d, const std::string& queue_id, const std::string& message_id,
                             const std::string& outcome, std::time_t at) const {
  ScanRecord r;
  r.at = at;
  r.queue_id = queue_id;
  r.message_id_hash = MessageIdHash(message_id);
  r.sender_hash = hasher_.Hex("history-address:" + rules::NormaliseAddress(d.facts.sender)).substr(0, 32);
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
      "policies, signals, findings, complete) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
      .Run();
}

std::optional<ScanRecord> ScanRecords::FindByMessageId(const std::string& message_id) {
  auto st = db_.Prepare(
      "SELECT at, queue_id, message_id, sender, sender_domain, recipients, verdict, outcome, policies, signals, "
      "findings, complete FROM scan_records WHERE message_id = ? ORDER BY at DESC, id DESC LIMIT 1");
  if (!st.ok()) return std::nullopt;
  (*st)->Bind(1, MessageIdHash(message_id));
  if (!(*st)->Step()) return std::nullopt;
  ScanRecord r;
  auto& s = **st;
  r.at = static_cast<std::time_t>(s.Int(0));
  r.queue_id = s.Text(1);
  r.message_id_hash = s.Text(2);
  r.sender_hash = s.Text(3);
  r.sender_domain = s.Text(4);
  r.recipients_json = s.Text(5);
  r.verdict = s.Text(6);
  r.outcome = s.Text(7);
  r.policies_json = s.Text(8);
  r.signals_json = s.Text(9);
  r.findings = s.Text(10);
  r.complete = s.Int(11) != 0;
  s.Reset();
  return r;
}

Result<int> ScanRecords::Prune(int days, std::time_t now) {
  auto st = db_.Prepare("DELETE FROM scan_records WHERE at < ?");
  if (!st.ok()) return st.status();
  if (Status s = (*st)->Bind(1, static_cast<int64_t>(now) - int64_t{days} * 86400).Run(); !s.ok()) return s;
  return db_.Changes();
}

}  // namespace sendguard::milter
