// SPDX-License-Identifier: Apache-2.0
// Self-report links and lookups (see self_report_desk.h).
#include "sendguard/milter/self_report_desk.h"

#include <algorithm>

#include "sendguard/common/text.h"
#include "sendguard/milter/mail_outbox.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {

using nlohmann::json;

namespace {

SelfReportOutcome Refuse(int status, const std::string& why) { return {status, {{"error", why}}}; }

}  // namespace

json ScanRecordSummary(const ScanRecord& r) {
  json domains = json::array();
  const json recipients = json::parse(r.recipients_json, nullptr, false);
  if (recipients.is_array()) {
    for (const auto& x : recipients) {
      if (!x.is_object() || !x.contains("domain")) continue;
      if (std::find(domains.begin(), domains.end(), x["domain"]) == domains.end()) domains.push_back(x["domain"]);
    }
  }
  return {{"record_id", r.id},       {"at", static_cast<int64_t>(r.at)}, {"queue_id", r.queue_id},
          {"message_id_hash", r.message_id_hash}, {"message_sha256", r.message_sha256}, {"verdict", r.verdict}, {"outcome", r.outcome},
          {"findings", r.findings},  {"recipient_domains", domains}};
}

std::string SelfReportLinkToken(const common::KeyedHasher& hasher, const std::string& id) {
  return hasher.Hex("sendguard self-report link|" + id).substr(0, 32);
}

SelfReportOutcome SelfReportDesk::RequestLink(const std::string& sender, const Config& config, std::time_t now) {
  const SelfReportOutcome sent = {202, {{"state", "requested"}}};  // the same answer either way
  const std::string address = rules::NormaliseAddress(sender);
  if (address.empty() || address.find('@') == std::string::npos || address.size() > 254) {
    return Refuse(422, "email: an email address is required");
  }
  if (rules::Classify(config.organisation.directory, address) != rules::RecipientClass::kInternal) return sent;
  const std::vector<std::string> sender_hashes = ScanRecords(db_, hasher_).SenderHashes(address);
  const std::string& sender_hash = sender_hashes.front();
  common::SqlTransaction tx(db_);  // the count and the new link together
  auto recent = db_.Prepare("SELECT count(*) FROM self_report_links WHERE sender = ? AND created > ?");
  if (!recent.ok()) return Refuse(503, recent.status().message());
  int64_t in_last_hour = 0;
  for (const auto& hash : sender_hashes) {  // links asked for under any key of the ring count
    (*recent)->Reset().Bind(1, hash).Bind(2, int64_t{now} - 3600);
    in_last_hour += (*recent)->Step() ? (*recent)->Int(0) : 0;
  }
  (*recent)->Reset();
  if (in_last_hour >= kLinksPerHour) return sent;
  const std::string id = common::RandomHex(16);
  if (id.empty()) return Refuse(503, "no random bytes for a link");
  const std::string base = config.link_base_url.empty() ? config.core_url : config.link_base_url;
  const std::string link = base + "/staff/report/" + id + "?t=" + SelfReportLinkToken(hasher_, id);
  // In the sender's language, as their explanations are (organisation.language_by_sender, _by_sender_domain).
  const bool cy = config.organisation.LanguageFor(address) == "cy";
  std::string text, subject;
  if (cy) {
    subject = "Rhoi gwybod am e-bost a anfonwyd at y person anghywir";
    text += "Rydych chi (neu rywun sy'n defnyddio eich cyfeiriad) wedi gofyn am gael rhoi gwybod am e-bost a anfonwyd\r\n";
    text += "at y person anghywir.\r\n\r\n";
    text += "Mae'r ddolen hon yn rhestru'r negeseuon e-bost a anfonwyd gennych yn ystod y " + std::to_string(kListDays) +
            " diwrnod diwethaf.\r\nDewiswch yr un aeth o chwith a chaiff y tîm llywodraethu gwybodaeth wybod ar unwaith:\r\n\r\n    " +
            link + "&lang=cy\r\n\r\n";
    text += "Mae'r ddolen yn gweithio unwaith ac am " + std::to_string(kLinkHours) +
            " awr. Os na wnaethoch ofyn amdani, anwybyddwch yr e-bost hwn.\r\n\r\n";
    text += "-- \r\nsendguard, ar ran eich tîm llywodraethu gwybodaeth\r\n";
  } else {
    subject = "Report an email sent to the wrong person";
    text += "You (or someone using your address) asked to report an email sent to the wrong person.\r\n\r\n";
    text += "This link lists the emails you sent in the last " + std::to_string(kListDays) +
            " days. Choose the one that went wrong and the\r\n";
    text += "information governance team will be told at once:\r\n\r\n    " + link + "\r\n\r\n";
    text += "The link works once and for " + std::to_string(kLinkHours) + " hours. If you did not ask for it, ignore this email.\r\n\r\n";
    text += "-- \r\nsendguard, on behalf of your information governance team\r\n";
  }
  auto sealed = key_.Seal(address, "self-report|" + id);
  if (!sealed.ok()) return Refuse(503, sealed.status().message());
  auto insert = db_.Prepare("INSERT INTO self_report_links (id, sender, reporter, created, expires) VALUES (?, ?, ?, ?, ?)");
  if (!insert.ok()) return Refuse(503, insert.status().message());
  Status st = (*insert)->Reset().Bind(1, id).Bind(2, sender_hash).Bind(3, common::HexEncode(*sealed))
                  .Bind(4, int64_t{now}).Bind(5, int64_t{now} + kLinkHours * 3600).Run();
  if (st.ok()) {
    st = MailOutbox(db_, key_).Enqueue("self-report-" + id, config.notify_from, {address},
                                       NoticeMessage(config.notify_from, address, subject,
                                                     "self-report-" + id, now, text),
                                       now);
  }
  if (st.ok()) st = tx.Commit();
  if (!st.ok()) return Refuse(503, st.message());
  return sent;
}

std::optional<std::string> SelfReportDesk::Check(const std::string& id, const std::string& token, std::time_t now,
                                                 SelfReportOutcome* refused) {
  if (id.size() != 32 || !hasher_.Verifies("sendguard self-report link|" + id, token, 32)) {
    *refused = Refuse(403, "this link is not valid");
    return std::nullopt;
  }
  auto q = db_.Prepare("SELECT sender, expires, used_at FROM self_report_links WHERE id = ?");
  if (!q.ok()) {
    *refused = Refuse(503, q.status().message());
    return std::nullopt;
  }
  (*q)->Reset().Bind(1, id);
  if (!(*q)->Step()) {
    *refused = Refuse(404, "this link is not known (links are kept for a day)");
    return std::nullopt;
  }
  const std::string sender = (*q)->Text(0);
  const int64_t expires = (*q)->Int(1);
  const bool used = !(*q)->IsNull(2);
  (*q)->Reset();
  if (used) {
    *refused = Refuse(410, "this link has been used already: the report was filed");
    return std::nullopt;
  }
  if (now >= expires) {
    *refused = Refuse(410, "this link has expired: ask for a new one");
    return std::nullopt;
  }
  return sender;
}

std::vector<std::string> SelfReportDesk::SenderHashes(const std::string& id, const std::string& stored) {
  std::vector<std::string> out = {stored};
  auto q = db_.Prepare("SELECT reporter FROM self_report_links WHERE id = ?");
  if (!q.ok()) return out;
  (*q)->Reset().Bind(1, id);
  if ((*q)->Step()) {
    auto bytes = common::HexDecode((*q)->Text(0));
    auto opened = bytes ? key_.Open(*bytes, "self-report|" + id) : Result<std::string>(InvalidArgument("not hex"));
    // The address's hash under every key of the secret's ring: sends recorded before a rotation too.
    if (opened.ok()) {
      for (auto& h : ScanRecords(db_, hasher_).SenderHashes(*opened)) {
        if (std::find(out.begin(), out.end(), h) == out.end()) out.push_back(std::move(h));
      }
    }
  }
  (*q)->Reset();
  return out;
}

SelfReportOutcome SelfReportDesk::List(const std::string& id, const std::string& token, std::time_t now) {
  SelfReportOutcome refused;
  auto sender = Check(id, token, now, &refused);
  if (!sender) return refused;
  json sends = json::array();
  ScanRecords records(db_, hasher_);
  for (const auto& r : records.FromSender(SenderHashes(id, *sender), now - kListDays * 86400, 50)) {
    sends.push_back(ScanRecordSummary(r));
  }
  return {200, {{"state", "open"}, {"sends", sends}}};
}

SelfReportOutcome SelfReportDesk::Use(const std::string& id, const std::string& token, int64_t record_id, std::time_t now) {
  common::SqlTransaction tx(db_);
  SelfReportOutcome refused;
  auto sender = Check(id, token, now, &refused);
  if (!sender) return refused;
  ScanRecords records(db_, hasher_);
  // record_id 0: a report of something other than one of these sends (a letter, a call, a lost
  // device): the link proves the reporter's address and is used up the same way.
  std::optional<ScanRecord> record;
  if (record_id != 0) {
    record = records.FindById(record_id);
    const std::vector<std::string> hashes = SenderHashes(id, *sender);
    if (!record || std::find(hashes.begin(), hashes.end(), record->sender_hash) == hashes.end()) {
      return Refuse(422, "record_id: not one of the sends this link lists");
    }
  }
  auto mark = db_.Prepare("UPDATE self_report_links SET used_at = ? WHERE id = ? AND used_at IS NULL");
  if (!mark.ok()) return Refuse(503, mark.status().message());
  if (Status st = (*mark)->Reset().Bind(1, int64_t{now}).Bind(2, id).Run(); !st.ok()) return Refuse(503, st.message());
  if (db_.Changes() != 1) return Refuse(410, "this link has been used already: the report was filed");
  auto reporter_q = db_.Prepare("SELECT reporter FROM self_report_links WHERE id = ?");
  if (!reporter_q.ok()) return Refuse(503, reporter_q.status().message());
  (*reporter_q)->Reset().Bind(1, id);
  std::string reporter;
  if ((*reporter_q)->Step()) {
    auto bytes = common::HexDecode((*reporter_q)->Text(0));
    if (bytes) {
      auto opened = key_.Open(*bytes, "self-report|" + id);
      if (opened.ok()) reporter = *opened;
    }
  }
  (*reporter_q)->Reset();
  if (Status st = tx.Commit(); !st.ok()) return Refuse(503, st.message());
  json used = {{"state", "used"}, {"reporter_email", reporter}};
  if (record) used["send"] = ScanRecordSummary(*record);
  return {200, used};
}

std::optional<json> SelfReportDesk::Lookup(const std::string& message_id) {
  ScanRecords records(db_, hasher_);
  auto r = records.FindByMessageId(message_id);
  if (!r) return std::nullopt;
  return ScanRecordSummary(*r);
}

}  // namespace sendguard::milter
