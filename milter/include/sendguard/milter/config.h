// SPDX-License-Identifier: Apache-2.0
// The one config file (`/etc/sendguard/sendguard.yaml`) that the milter and the admin
// command line share. Every key has a default; unknown keys are errors with file:line.
// This header holds the policy-side sections; the daemon's sections join them with the
// milter daemon.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/milter/relay_trust.h"
#include "sendguard/rules/organisation.h"
#include "sendguard/scanner/scan_options.h"

namespace sendguard::milter {

enum class WarnMode { kRejectAndConfirm, kHoldAndConfirm };
const char* WarnModeName(WarnMode m);

// What to do with a message when something other than a verdict decides (fail modes).
enum class FailAction { kAccept, kTempfail, kReject, kQuarantine };
const char* FailActionName(FailAction a);

struct FailModes {
  FailAction internal_error = FailAction::kTempfail;     // a bug or library failure while handling a message
  FailAction scan_timeout = FailAction::kTempfail;       // the per-message deadline passed
  FailAction oversize = FailAction::kAccept;             // larger than milter.max_message_bytes (tagged incomplete)
  FailAction rules_unavailable = FailAction::kTempfail;  // no rules could be loaded at start
  FailAction incident_unavailable = FailAction::kAccept; // the incident outbox cannot be written
  // The milter died poison_after_crashes times while scanning this message: answered without
  // scanning it again (a crash loop on one message would stop all mail).
  FailAction poison_message = FailAction::kQuarantine;
};

// Which mail the milter scans.
enum class ScanDirection { kOutbound, kAll };

struct MilterSettings {
  std::string socket = "inet:8899@127.0.0.1";  // inet:PORT@ADDR or unix:PATH
  std::string socket_mode = "0660";            // a unix socket's permissions (owner: user/group below)
  std::string user;                            // drop to this user after binding ("" = stay)
  std::string group;
  int workers = 0;                             // scanning threads; 0 = one per CPU
  int queue_depth = 256;                       // messages waiting for a worker before tempfail
  int message_timeout_ms = 20000;              // per-message deadline (Postfix's milter_content_timeout is 300 s)
  int64_t spool_memory_bytes = 1 << 20;        // body kept in memory up to this, then a temp file
  int64_t max_message_bytes = 64ll << 20;      // larger messages follow fail_modes.oversize
  ScanDirection scan = ScanDirection::kOutbound;
  std::vector<std::string> internal_networks = {"127.0.0.0/8", "::1/128"};  // outbound when the client is here
  // Relays that pass on our own people's mail (Exchange Online's outbound connector): mail from
  // one is outbound when it meets that relay's requirements, else inbound (a relay's ranges
  // decide before internal_networks). Non-empty: warn.mode defaults to hold_and_confirm.
  std::vector<TrustedRelay> trusted_relays;
  std::string subject_tag = "[sendguard]";     // prefixed to the subject on `tag` ("" = leave it)
  bool subject_tag_outside = false;            // also when a recipient is outside the organisation
  // What X-Sendguard-* headers a message with a recipient outside the organisation carries:
  // neutral ("X-Sendguard: checked" only: a stranger learns nothing of what it held) or full.
  std::string outside_headers = "neutral";
  // Monitor mode: an AUDIT_ONLY draft (a policy in monitor mode would have warned or blocked)
  // is filed only when the message points at this many people or more; below it the event is
  // logged and counted, not filed (1 = file every one).
  int audit_only_min_individuals = 2;
  std::string ig_bcc;                          // add this recipient to quarantined and blocked-then-released mail
  FailModes fail_modes;
  // A message on which the milter died this many times (the poison journal in state_dir) is
  // answered per fail_modes.poison_message, unscanned. After one crash it is scanned alone.
  int poison_after_crashes = 2;
  int scan_record_days = 30;
  int recipient_history_days = 365;  // recipient history unused this long is forgotten (retention)
  std::string log_format = "text";             // text | json
  std::string log_file;                        // "" = standard error (journald under systemd)
  std::string metrics_listen = "127.0.0.1:9899";  // Prometheus text on http://ADDR:PORT/metrics; "" = off
  int outbox_retry_max_seconds = 300;          // incident hand-over: backoff doubles from 1 s up to this
  std::string smtp_url = "smtp://127.0.0.1:25";  // hold notices and released messages go in here (a port with this milter)
};

struct Config {
  std::vector<std::string> rules_dirs;   // default: the shipped rules, then /etc/sendguard/rules.d if present
  std::string secret_file = "/etc/sendguard/secret";
  std::string state_dir = "/var/lib/sendguard";
  // Compiled rule databases kept between starts and reloads ("" = <state_dir>/rules-cache, or
  // $SENDGUARD_RULES_CACHE when set; "off" = compile every time). See RulesCacheDir.
  std::string rules_cache_dir;
  std::vector<std::string> policy_files; // extra policy files or directories, after rules_dirs/*/policies
  rules::Organisation organisation;
  // reject_and_confirm, unless milter.trusted_relays is set and warn.mode is not: then
  // hold_and_confirm (a relay turns a 5xx into a bounce, hold keeps the warning in front of
  // the sender and the message recallable).
  WarnMode warn_mode = WarnMode::kRejectAndConfirm;
  int confirm_ttl_minutes = 60;          // a confirmation code's life, and how long a held message waits
  std::string link_base_url;             // hold-and-confirm: the core's address as staff reach it ("" = core_url)
  std::string notify_from = "sendguard-noreply@localhost";  // the sender of hold notices
  MilterSettings milter;
  scanner::OcrOptions ocr;               // pictures read with OCR (reload applies it)
  std::string core_url = "http://127.0.0.1:8025";  // the assessment core (incident hand-over)
  // The milter's token (`sendguard-core token add sendguard-milter --role MAIL_FILTER --output
  // FILE`): presented to the core with each draft, and required by sendguard-desk from every
  // caller of its endpoints (holds, scan records, self-reports). Unreadable: drafts wait in the
  // outbox and the desk refuses everyone; mail flows either way.
  std::string core_token_file = "/etc/sendguard/milter.token";
  // Where sendguard-desk (the gateway's program for the core: holds, self-reports, quarantine,
  // subject access; never the mail path) listens for the core: ADDR:PORT, loopback unless the
  // core runs on another host ("" = sendguard-desk does not start).
  std::string desk_listen = "127.0.0.1:9898";
  std::string source;                    // the file it came from ("" for the built-in defaults)
};

// Parses YAML text (`name` is used in diagnostics). The shipped free-mail list is added
// to organisation.directory when the policy engine is loaded (it lives in the rule directories).
Result<Config> ParseConfig(const std::string& text, const std::string& name);
// The effective configuration as YAML, every key (for `sendguard-milter --check-config`).
std::string DescribeConfig(const Config& config);

// Reads and parses a config file.
Result<Config> LoadConfig(const std::filesystem::path& file);

// Where the deployment secret is: secret_file, or <state_dir>/secret when secret_file's
// directory does not exist (where sendguard-milter makes one at first start). The milter and
// sendguard-desk read the same file.
std::string SecretPath(const Config& c);

// Where compiled rule databases are kept: rules_cache_dir; unset, $SENDGUARD_RULES_CACHE (one
// cache for every process of a test run or a CI job), else <state_dir>/rules-cache; "" = none.
std::string RulesCacheDir(const Config& c);

}  // namespace sendguard::milter
