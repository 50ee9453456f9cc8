// SPDX-License-Identifier: Apache-2.0
// sendguard-core's config file (/etc/sendguard/core.yaml): where it listens, the store, the
// API token, and the council's assessment settings (spec §0.6). Every key has a default;
// unknown keys are errors with file:line.
#pragma once

#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/incident/incident.h"
#include "sendguard/incident/notifier.h"
#include "sendguard/incident/organisation.h"
#include "sendguard/incident/outbound.h"
#include "sendguard/incident/retention.h"

namespace sendguard::incident {

// Single sign-on through a reverse proxy (oauth2-proxy, Apache mod_auth_openidc, ...): the proxy
// authenticates the user and names them in `user_header`; the core believes that header only on
// a request that also carries the proxy's shared secret in `proxy_secret_header` (the secret is
// read from `proxy_secret_file` at start; the proxy is configured to add it and to strip both
// headers from what browsers send), and takes the role from the local account of that name
// (`sendguard-core user add NAME --role ROLE --sso`).
struct SingleSignOn {
  std::string user_header;  // e.g. X-Forwarded-User; "" = off (local passwords)
  std::string proxy_secret_file;                     // required when user_header is set
  std::string proxy_secret_header = "X-Sso-Proxy-Secret";
  std::string proxy_secret;                          // read from proxy_secret_file at start
  std::string logout_url;       // where Log out sends the browser (the proxy's sign-out); "" = a page saying so
  bool password_login = false;  // keep the local password form as well (a break-glass account)
  bool enabled() const { return !user_header.empty(); }
};

struct CoreSettings {
  std::string listen = "127.0.0.1:8025";
  std::string db = "/var/lib/sendguard/incidents.db";
  // The gateway's token (`sendguard-core token add sendguard-milter --role MAIL_FILTER --output
  // FILE`): the core presents it to sendguard-desk.
  std::string milter_token_file = "/etc/sendguard/milter.token";
  // The account that owns accounts.db when a command run as root creates or changes it.
  std::string service_user = "sendguard";
  size_t max_body_bytes = 1 << 20;
  // The gateway's sendguard-desk, for the hold and self-report pages, scan-record lookups, the
  // quarantine review and the subject access search ("" = none of them). The core never calls
  // sendguard-milter (the mail path) for any of these.
  std::string desk_url = "http://127.0.0.1:9898";
  // sendguard-milter's metrics address, read by the mail filter page only ("" = no page).
  std::string milter_url = "http://127.0.0.1:9899";
  // Keys the pages' CSRF tokens; shared with the milter on one host. Missing: a random key per
  // run (open forms then fail after a restart).
  std::string secret_file = "/etc/sendguard/secret";
  // The IG pages' local accounts and sessions (`sendguard-core user add` creates the first).
  std::string accounts_db;  // "" = accounts.db beside `db`
  bool secure_cookies = false;  // true behind a TLS reverse proxy: cookies get the Secure flag
  // Where people open the pages, for links sent by email (an investigating officer's); "" =
  // http://LISTEN (right only when they browse on this host).
  std::string pages_url;
  // The staff directory (directory.h): a CSV of email, name, directorate, service_area,
  // line_manager_name, line_manager_email; "" = none.
  std::string directory_file;
  // The reverse proxies in front of the pages: only their X-Forwarded-For is believed to name
  // the client (login throttling by address). Empty by default: nobody's is.
  std::vector<std::string> trusted_proxies;
  SingleSignOn sso;
  std::string dpo_name, dpo_email, dpo_phone;
  // Who the council is, for letters and the ICO report (`organisation`; the DPO's contact is
  // copied in from dpo_contact), and the language a letter starts in (en or cy).
  Organisation organisation;
  std::string letter_language = "en";
  // Escalation notices, digests (outbound.h) and the retention schedule (retention.h).
  EscalationRoutes escalations;
  DigestSchedule siro_weekly, committee_monthly;
  RetentionPolicy retention;
  CoreConfig assessment;
  std::vector<Webhook> webhooks;  // notifications on new drafts and due or overdue clocks
  int notify_poll_seconds = 60;
  EmailTarget email;              // smtp_url "" = no email
};

Result<CoreSettings> ParseCoreConfig(const std::string& text, const std::string& name);
std::string DescribeCoreConfig(const CoreSettings& s);

}  // namespace sendguard::incident
