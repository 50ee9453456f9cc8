// SPDX-License-Identifier: Apache-2.0
// Pending notices, their webhook bodies, and delivery with libcurl (see notifier.h).
#include "sendguard/incident/notifier.h"

#include <algorithm>
#include <cstring>

#include "sendguard/common/http_client.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/smtp_client.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

bool SendMail(const EmailTarget& t, const std::string& message, std::string* error) {
  common::SmtpSend send{t.smtp_url, t.from, {t.to}, message};
  Status st = common::SendSmtp(send);
  if (!st.ok()) *error = st.message();
  return st.ok();
}

std::string NoticeLabel(const StoredIncident& r) {
  std::string number = r.document.value("incident_number", std::string());
  return number.empty() ? "incident " + r.id.substr(0, 8) : number;
}

}  // namespace

Result<std::vector<Notice>> PendingNotices(IncidentStore& store, const CoreConfig& config, Instant now) {
  ListFilter open;
  open.limit = 100000;
  auto rows = store.List(open);
  if (!rows.ok()) return rows.status();
  std::vector<Notice> out;
  for (const auto& r : *rows) {
    Incident typed;
    CoreConfig scratch = config;
    ReadIncidentDocument(r.document, &typed, &scratch);
    if (typed.status == IncidentStatus::kClosed) continue;
    const std::string kind(Name(typed.kind)), source(Name(typed.source));
    auto add = [&](std::string event, std::string text, json data) -> Status {
      auto sent = store.Notified(r.id, event);
      if (!sent.ok()) return sent.status();
      if (!*sent) out.push_back({r.id, std::move(event), std::move(text), std::move(data)});
      return Status::Ok();
    };
    json base{{"incident_id", r.id}, {"incident_number", r.document.value("incident_number", "")}, {"kind", kind},
              {"source", source}, {"status", Name(typed.status)}};
    std::string mf = r.document.value("mf_action", std::string());
    if (Status st = add("new", "New " + kind + " draft " + NoticeLabel(r) + " (" + source + (mf.empty() ? "" : ", " + mf) + ")",
                        base);
        !st.ok()) {
      return st;
    }
    auto clocks = ComputeClocks(typed, config, now);
    for (const Clock* c : {&clocks.ico, &clocks.form, &clocks.triage}) {
      if (c->state != ClockState::kDueSoon && c->state != ClockState::kOverdue) continue;
      json data = base;
      data["clock"] = c->name;
      data["state"] = Name(c->state);
      data["due"] = FormatInstant(*c->due);
      std::string text = NoticeLabel(r) + ": " + c->name + " " + std::string(Name(c->state)) + ", due " + FormatLondon(*c->due);
      if (Status st = add(c->name + ":" + std::string(Name(c->state)), text, data); !st.ok()) return st;
    }
  }
  return out;
}

std::string WebhookBody(const Webhook& hook, const Notice& n) {
  if (hook.format == "slack") return json{{"text", "sendguard: " + n.text}}.dump();
  if (hook.format == "teams") {
    return json{{"@type", "MessageCard"},
                {"@context", "https://schema.org/extensions"},
                {"summary", n.text},
                {"title", "sendguard"},
                {"text", n.text}}
        .dump();
  }
  json body = n.data;
  body["event"] = n.event;
  body["text"] = n.text;
  return body.dump();
}

long PostWebhook(const Webhook& hook, const Notice& notice) {
  common::HttpCall call{"POST", hook.url, WebhookBody(hook, notice), {"Content-Type: application/json"}, 3000, 10000};
  return common::Perform(call).status;
}

std::string Rfc5322Date(Instant now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(now);
  const Date d{day};
  const auto hm = std::chrono::hh_mm_ss<std::chrono::minutes>(now - day);
  char date[64];
  std::snprintf(date, sizeof date, "%s, %u %s %d %02ld:%02ld:00 +0000",
                kDays[std::chrono::weekday{day}.c_encoding()], static_cast<unsigned>(d.day()),
                kMonths[static_cast<unsigned>(d.month()) - 1], static_cast<int>(d.year()),
                static_cast<long>(hm.hours().count()), static_cast<long>(hm.minutes().count()));
  return date;
}

std::string PlainEmail(const std::string& from, const std::string& to, const std::string& subject, const std::string& body,
                       const std::string& message_id, Instant now) {
  std::string text;
  for (char c : body) {
    if (c == '\n' && (text.empty() || text.back() != '\r')) text += '\r';
    text += c;
  }
  return "Date: " + Rfc5322Date(now) + "\r\nFrom: sendguard <" + from + ">\r\nTo: <" + to + ">\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + message_id + "@sendguard>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
         text + "\r\n";
}

Status SendPlainEmail(const EmailTarget& via, const std::string& to, const std::string& subject, const std::string& body, Instant now) {
  if (via.smtp_url.empty()) return NotFound("no email is configured (notifications.email.smtp_url)");
  for (const std::string* header : {&to, &subject}) {
    if (header->find_first_of("\r\n") != std::string::npos) return InvalidArgument("a line break in an address or subject");
  }
  if (to.find('@') == std::string::npos || to.find_first_of(" <>,;") != std::string::npos) {
    return InvalidArgument("'" + to + "' is not one email address");
  }
  common::SmtpSend send{via.smtp_url, via.from, {to},
                        PlainEmail(via.from, to, subject, body, common::RandomHex(12), now)};
  return common::SendSmtp(send);
}

std::string EmailMessage(const EmailTarget& t, const Notice& n, Instant now) {
  std::string m;
  m += "Date: " + Rfc5322Date(now) + "\r\n";
  m += "From: sendguard <" + t.from + ">\r\n";
  m += "To: <" + t.to + ">\r\n";
  m += "Subject: sendguard: " + n.text + "\r\n";
  m += "Message-ID: <" + n.incident_id + "." + n.event.substr(0, n.event.find(':')) + "." +
       std::to_string(now.time_since_epoch().count()) + "@sendguard>\r\n";
  m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  m += n.text + "\r\n\r\nIncident: " + n.incident_id + "\r\nEvent: " + n.event + "\r\n";
  return m;
}

Result<int> NotifyRound(IncidentStore& store, const CoreConfig& config, const std::vector<Webhook>& hooks, Instant now,
                        const std::function<void(const std::string&)>& log, const EmailTarget* email) {
  if (hooks.empty() && (!email || email->smtp_url.empty())) return 0;
  auto notices = PendingNotices(store, config, now);
  if (!notices.ok()) return notices.status();
  int sent = 0;
  for (const auto& n : *notices) {
    // Another core on the same database may be sending this one: only the claimer sends.
    auto mine = store.ClaimNotification(n.incident_id, n.event, now);
    if (!mine.ok()) return mine.status();
    if (!*mine) continue;
    bool all = true;
    for (const auto& hook : hooks) {
      const long status = PostWebhook(hook, n);
      if (status < 200 || status >= 300) {
        all = false;
        if (log) log("notification " + n.event + " for " + n.incident_id + " not accepted (HTTP " + std::to_string(status) + "); will retry");
      }
    }
    if (email && !email->smtp_url.empty()) {
      std::string error;
      if (!SendMail(*email, EmailMessage(*email, n, now), &error)) {
        all = false;
        if (log) log("notification " + n.event + " for " + n.incident_id + " not sent by email (" + error + "); will retry");
      }
    }
    if (!all) {
      if (Status st = store.ReleaseNotification(n.incident_id, n.event); !st.ok()) return st;
      continue;
    }
    if (Status st = store.MarkNotified(n.incident_id, n.event, now); !st.ok()) return st;
    ++sent;
  }
  return sent;
}

}  // namespace sendguard::incident
