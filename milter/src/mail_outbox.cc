// SPDX-License-Identifier: Apache-2.0
// The milter's own outgoing mail queue (see mail_outbox.h).
#include "sendguard/milter/mail_outbox.h"

#include <nlohmann/json.hpp>

#include "sendguard/common/text.h"

namespace sendguard::milter {

std::string NoticeMessage(const std::string& from, const std::string& to, const std::string& subject, const std::string& id,
                          std::time_t at, const std::string& text) {
  std::string msg;
  msg += "From: sendguard <" + from + ">\r\n";
  msg += "To: <" + to + ">\r\n";
  msg += "Subject: " + subject + "\r\n";
  msg += "Date: " + common::FormatTime(at, "%a, %d %b %Y %H:%M:%S +0000") + "\r\n";
  msg += "Message-ID: <" + id + "@sendguard>\r\n";
  msg += "Auto-Submitted: auto-generated\r\n";
  msg += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  return msg + text;
}

Status MailOutbox::Enqueue(const std::string& id, const std::string& from, const std::vector<std::string>& to,
                           const std::string& message, std::time_t now) {
  const nlohmann::json doc = {{"from", common::RepairUtf8(from)}, {"to", to}, {"message", common::RepairUtf8(message)}};
  auto sealed = key_.Seal(doc.dump(), id);
  if (!sealed.ok()) return sealed.status();
  auto s = db_.Prepare("INSERT INTO mail_outbox (id, sealed, created, next_attempt) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, id).Bind(2, common::HexEncode(*sealed)).Bind(3, int64_t{now}).Bind(4, int64_t{now}).Run();
}

Result<std::vector<MailOutbox::Item>> MailOutbox::Due(std::time_t now, int limit) {
  auto q = db_.Prepare(
      "SELECT id, sealed, attempts FROM mail_outbox WHERE sent IS NULL AND next_attempt <= ? ORDER BY next_attempt LIMIT ?");
  if (!q.ok()) return q.status();
  std::vector<Item> out;
  (*q)->Reset().Bind(1, int64_t{now}).Bind(2, int64_t{limit});
  while ((*q)->Step()) {
    Item item;
    item.id = (*q)->Text(0);
    item.attempts = static_cast<int>((*q)->Int(2));
    auto bytes = common::HexDecode((*q)->Text(1));
    auto plain = bytes ? key_.Open(*bytes, item.id) : Result<std::string>(InvalidArgument("bad hex"));
    const nlohmann::json doc = plain.ok() ? nlohmann::json::parse(*plain, nullptr, false) : nlohmann::json();
    if (!doc.is_object()) continue;  // sealed under another secret: left for an admin, never sent
    item.send.from = doc.value("from", "");
    item.send.recipients = doc.value("to", std::vector<std::string>{});
    item.send.message = doc.value("message", "");
    out.push_back(std::move(item));
  }
  if (!(*q)->status().ok()) return (*q)->status();
  return out;
}

Status MailOutbox::Sent(const std::string& id, std::time_t now) {
  // The content goes at once; the row stays a while as a record that it was sent.
  auto s = db_.Prepare("UPDATE mail_outbox SET sent = ?, sealed = '', last_error = '' WHERE id = ?");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, int64_t{now}).Bind(2, id).Run();
}

Status MailOutbox::RetryLater(const std::string& id, int attempts, std::time_t next, const std::string& error) {
  auto s = db_.Prepare("UPDATE mail_outbox SET attempts = ?, next_attempt = ?, last_error = ? WHERE id = ?");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, int64_t{attempts}).Bind(2, int64_t{next}).Bind(3, error).Bind(4, id).Run();
}

Status MailOutbox::Prune(std::time_t before) {
  auto s = db_.Prepare("DELETE FROM mail_outbox WHERE sent IS NOT NULL AND sent < ?");
  if (!s.ok()) return s.status();
  return (*s)->Reset().Bind(1, int64_t{before}).Run();
}

}  // namespace sendguard::milter
