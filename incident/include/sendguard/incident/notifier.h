// SPDX-License-Identifier: Apache-2.0
// Tells the IG team when something needs them: a new draft, or an ICO, form or triage clock
// that is due soon or overdue. Webhooks in generic JSON, Microsoft Teams or Slack form and
// email to the IG mailbox, sent with libcurl and retried on the next round until accepted;
// each event once.
// Messages name the incident (number or id), its kind, source and clock: never personal data.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sendguard/incident/incident_service.h"

namespace sendguard::incident {

struct Webhook {
  std::string url;
  std::string format = "generic";  // generic | teams | slack
};

// Email to the IG mailbox, sent with libcurl's SMTP client.
struct EmailTarget {
  std::string smtp_url;  // smtp://host:port (smtps:// for TLS)
  std::string from;
  std::string to;
};

struct Notice {
  std::string incident_id;
  std::string event;  // "new" or "<CLOCK>:<STATE>"
  std::string text;   // one line for people
  nlohmann::json data;
};

// The notices due now that have not been sent yet.
Result<std::vector<Notice>> PendingNotices(IncidentStore& store, const CoreConfig& config, Instant now);

// The request body for one webhook format.
std::string WebhookBody(const Webhook& hook, const Notice& notice);

// Posts `notice` to `hook`; the HTTP status (2xx: accepted; 0: not reached).
long PostWebhook(const Webhook& hook, const Notice& notice);

// An RFC 5322 Date: value ("Sun, 6 Dec 2026 21:30:00 +0000").
std::string Rfc5322Date(Instant now);

// Sends one plain-text email to one address through `via`'s SMTP server (an investigating
// officer's link, a deletion request to a wrong recipient). NotFound when no email is
// configured; InvalidArgument for anything but one address, or a line break in a header.
Status SendPlainEmail(const EmailTarget& via, const std::string& to, const std::string& subject, const std::string& body,
                      Instant now);

// The email for one notice (RFC 5322, CRLF line ends).
std::string EmailMessage(const EmailTarget& target, const Notice& notice, Instant now);

// One round: sends every pending notice to every webhook and, when configured, by email; an
// event is marked sent once every channel accepted it. Returns how many notices went out.
Result<int> NotifyRound(IncidentStore& store, const CoreConfig& config, const std::vector<Webhook>& hooks, Instant now,
                        const std::function<void(const std::string&)>& log, const EmailTarget* email = nullptr);

}  // namespace sendguard::incident
