// SPDX-License-Identifier: Apache-2.0
// The outbox's delivery thread (see outbox_sender.h).
#include "sendguard/milter/outbox_sender.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "sendguard/common/http_client.h"
#include "sendguard/common/smtp_client.h"
#include "sendguard/milter/held_messages.h"
#include "sendguard/milter/hold_desk.h"
#include "sendguard/milter/incident_outbox.h"
#include "sendguard/milter/mail_outbox.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

// POSTs one draft; returns the HTTP status (0 when the core could not be reached) and curl's error.
long Post(const OutboxSenderOptions& o, const IncidentOutbox::Item& item, std::string* error, std::string* body) {
  common::HttpCall call{"POST", o.core_url + "/api/incidents", item.payload,
                        {"Content-Type: application/json", "Idempotency-Key: " + item.draft_id},
                        2000, 10000, 2048};
  if (!o.token.empty()) call.headers.push_back("Authorization: Bearer " + o.token);
  common::HttpCallResult r = common::Perform(call);
  *error = r.error;
  *body = r.body;
  return r.status;
}

}  // namespace

int OutboxSender::BackoffSeconds(int attempts) const {
  return std::min(options_.retry_max_seconds, 1 << std::min(attempts - 1, 20));
}

Result<std::unique_ptr<OutboxSender>> OutboxSender::Start(const std::string& state_db, OutboxSenderOptions options,
                                                          Metrics* metrics) {
  auto db = OpenStateDb(state_db);
  if (!db.ok()) return db.status();
  std::unique_ptr<OutboxSender> s(new OutboxSender());
  s->db_ = std::move(*db);
  s->options_ = std::move(options);
  s->metrics_ = metrics;
  s->thread_ = std::thread([p = s.get()] { p->Run(); });
  return s;
}

OutboxSender::~OutboxSender() {
  stop_ = true;
  Nudge();
  if (thread_.joinable()) thread_.join();
}

void OutboxSender::Nudge() {
  {
    std::lock_guard lock(mu_);
    nudged_ = true;
  }
  cv_.notify_one();
}

void OutboxSender::Run() {
  std::chrono::steady_clock::time_point last_housekeeping;
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    const bool housekeeping = now - last_housekeeping >= std::chrono::milliseconds(options_.poll_ms);
    if (housekeeping) last_housekeeping = now;
    DeliverDue(housekeeping);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return nudged_ || stop_.load(); });
    nudged_ = false;
  }
}

void OutboxSender::ExpireHolds(std::time_t now) {
  if (options_.held_dir.empty()) return;
  HeldMessages held(*db_, options_.held_dir, nullptr);
  // Copies of holds another gateway's release worker finished (sendguard-sync closed the row).
  if (auto swept = held.SweepCopies(); !swept.ok() && options_.log) options_.log("held messages: " + swept.status().message());
  auto expired = held.Expire(now);
  if (!expired.ok()) {
    if (options_.log) options_.log("held messages: " + expired.status().message());
    return;
  }
  // Each expired hold's pending incident is filed now, as it was held: WARNED_USER_CANCELLED,
  // mf_warning outcome EXPIRED.
  IncidentOutbox outbox(*db_);
  for (const auto& id : *expired) {
    auto pending = outbox.TakeWarning(HoldPendingKey(id));
    if (pending.ok() && *pending) outbox.Enqueue((*pending)->first, (*pending)->second, now);
  }
  if (!expired->empty() && options_.log) {
    options_.log("held messages: " + std::to_string(expired->size()) + " expired unconfirmed, deleted and filed as near misses");
  }
}

void OutboxSender::SendMail(std::time_t now) {
  if (!options_.seal || options_.smtp_url.empty()) return;
  MailOutbox mail(*db_, *options_.seal);
  auto due = mail.Due(now, 20);
  if (!due.ok()) {
    if (options_.log) options_.log("mail outbox: " + due.status().message());
    return;
  }
  for (auto& item : *due) {
    if (stop_) return;
    item.send.url = options_.smtp_url;
    const Status st = common::SendSmtp(item.send);
    if (st.ok()) {
      mail.Sent(item.id, std::time(nullptr));
      if (options_.log) options_.log("mail " + item.id + " sent");
      continue;
    }
    const int attempts = item.attempts + 1;
    mail.RetryLater(item.id, attempts, std::time(nullptr) + BackoffSeconds(attempts), st.message());
    if (options_.log) options_.log("mail " + item.id + " not sent (" + st.message() + "), attempt " + std::to_string(attempts));
    return;  // the MTA is away: the rest wait for the next round
  }
}

void OutboxSender::Housekeeping(std::time_t now) {
  common::SqlTransaction tx(*db_);
  ExpireHolds(now);
  if (options_.seal) MailOutbox(*db_, *options_.seal).Prune(now - 7 * 86400);
  if (auto expired = IncidentOutbox(*db_).ExpireWarnings(now); expired.ok() && *expired > 0 && options_.log) {
    options_.log("incident outbox: " + std::to_string(*expired) + " unconfirmed warning(s) expired, filed as near misses");
  }
  if (Status st = tx.Commit(); !st.ok() && options_.log) options_.log("outbox housekeeping: " + st.message());
}

void OutboxSender::DeliverDue(bool housekeeping) {
  IncidentOutbox outbox(*db_);
  const std::time_t now = std::time(nullptr);
  if (housekeeping) Housekeeping(now);
  SendMail(now);
  auto due = outbox.Due(now, 50);
  if (!due.ok()) {
    if (options_.log) options_.log("incident outbox: " + due.status().message());
    return;
  }
  for (const auto& item : *due) {
    if (stop_) return;
    std::string error, body;
    const long status = Post(options_, item, &error, &body);
    if (status >= 200 && status < 300) {
      outbox.Delivered(item.draft_id, std::time(nullptr));
      if (metrics_) metrics_->CountHandover("delivered");
      if (options_.log) options_.log("incident draft " + item.draft_id + " filed (HTTP " + std::to_string(status) + ")");
      continue;
    }
    // 401: the core does not know the milter's token (core_token_file): a setup fault to fix,
    // not a bad draft, so the draft waits and is retried like an outage.
    if (status >= 400 && status < 500 && status != 401 && status != 408 && status != 429) {
      // The core's answer names fields and reasons (the draft holds no content to echo).
      std::string reason = body.substr(0, 300);
      std::replace(reason.begin(), reason.end(), '\n', ' ');
      outbox.Refused(item.draft_id, "HTTP " + std::to_string(status) + ": " + reason);
      if (metrics_) metrics_->CountHandover("refused");
      if (options_.log) {
        options_.log("incident draft " + item.draft_id + " refused by the core (HTTP " + std::to_string(status) +
                     "); kept, not retried: " + reason);
      }
      continue;
    }
    const int attempts = item.attempts + 1;
    const std::string why = status == 401 ? "HTTP 401: the core refused the milter's token (core_token_file)"
                            : status      ? "HTTP " + std::to_string(status)
                                          : error;
    outbox.RetryLater(item.draft_id, attempts, std::time(nullptr) + BackoffSeconds(attempts), why);
    if (metrics_) metrics_->CountHandover("retry");
    if (options_.log && (attempts == 1 || attempts % 10 == 0)) {
      options_.log("incident hand-over to " + options_.core_url + " failed (" + why + "), attempt " +
                   std::to_string(attempts) + "; retrying with backoff");
    }
    // The core is unreachable, or refuses the token: leave the rest for the next round.
    if (status == 0 || status == 401) return;
  }
}

}  // namespace sendguard::milter
