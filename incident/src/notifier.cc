// Pending notices, their webhook bodies, and delivery with libcurl (see notifier.h).
#include "sendguard/incident/notifier.h"

#include <curl/curl.h>

namespace sendguard::incident {
namespace {

using nlohmann::json;

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

long PostJson(const std::string& url, const std::string& body) {
  CURL* c = curl_easy_init();
  if (!c) return 0;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Discard);
  long status = 0;
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return status;
}

std::string Label(const StoredIncident& r) {
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
    if (Status st = add("new", "New " + kind + " draft " + Label(r) + " (" + source + (mf.empty() ? "" : ", " + mf) + ")",
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
      std::string text = Label(r) + ": " + c->name + " " + std::string(Name(c->state)) + ", due " + FormatLondon(*c->due);
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

Result<int> NotifyRound(IncidentStore& store, const CoreConfig& config, const std::vector<Webhook>& hooks, Instant now,
                        const std::function<void(const std::string&)>& log) {
  if (hooks.empty()) return 0;
  auto notices = PendingNotices(store, config, now);
  if (!notices.ok()) return notices.status();
  int sent = 0;
  for (const auto& n : *notices) {
    bool all = true;
    for (const auto& hook : hooks) {
      const long status = PostJson(hook.url, WebhookBody(hook, n));
      if (status < 200 || status >= 300) {
        all = false;
        if (log) log("notification " + n.event + " for " + n.incident_id + " not accepted (HTTP " + std::to_string(status) + "); will retry");
      }
    }
    if (all) {
      if (Status st = store.MarkNotified(n.incident_id, n.event, now); !st.ok()) return st;
      ++sent;
    }
  }
  return sent;
}

}  // namespace sendguard::incident
