// The outbox's delivery thread (see outbox_sender.h).
#include "sendguard/milter/outbox_sender.h"

#include <curl/curl.h>

#include <algorithm>
#include <ctime>

#include "sendguard/milter/incident_outbox.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

size_t Collect(char* p, size_t size, size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() < 2048) body->append(p, std::min(size * n, 2048 - body->size()));
  return size * n;
}

// POSTs one draft; returns the HTTP status (0 when the core could not be reached) and curl's error.
long Post(const OutboxSenderOptions& o, const IncidentOutbox::Item& item, std::string* error, std::string* body) {
  CURL* c = curl_easy_init();
  if (!c) {
    *error = "curl_easy_init failed";
    return 0;
  }
  const std::string url = o.core_url + "/api/incidents";
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "X-Sendguard-User: sendguard-milter");
  headers = curl_slist_append(headers, "X-Sendguard-Role: SYSTEM");
  headers = curl_slist_append(headers, ("Idempotency-Key: " + item.draft_id).c_str());
  if (!o.token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + o.token).c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, item.payload.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(item.payload.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
  long status = 0;
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  else *error = curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return status;
}

}  // namespace

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
  while (!stop_) {
    DeliverDue();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return nudged_ || stop_.load(); });
    nudged_ = false;
  }
}

void OutboxSender::DeliverDue() {
  IncidentOutbox outbox(*db_);
  const std::time_t now = std::time(nullptr);
  if (auto expired = outbox.ExpireWarnings(now); expired.ok() && *expired > 0 && options_.log) {
    options_.log("incident outbox: " + std::to_string(*expired) + " unconfirmed warning(s) expired, filed as near misses");
  }
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
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
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
    const int delay = std::min(options_.retry_max_seconds, 1 << std::min(attempts - 1, 20));
    const std::string why = status ? "HTTP " + std::to_string(status) : error;
    outbox.RetryLater(item.draft_id, attempts, std::time(nullptr) + delay, why);
    if (metrics_) metrics_->CountHandover("retry");
    if (options_.log && (attempts == 1 || attempts % 10 == 0)) {
      options_.log("incident hand-over to " + options_.core_url + " failed (" + why + "), attempt " +
                   std::to_string(attempts) + "; retrying with backoff");
    }
    // The core is unreachable: leave the rest for the next round instead of timing out on each.
    if (status == 0) return;
  }
}

}  // namespace sendguard::milter
