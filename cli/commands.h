// SPDX-License-Identifier: Apache-2.0
// The `sendguard` subcommands. Each returns the process exit code:
// 0 done, 1 the work found a problem (unreadable file, failed examples, rejected rules), 2 bad set-up.
#pragma once

#include <string>
#include <vector>

#include "engine_setup.h"

namespace sendguard::cli {

// `scan`: the files and the envelope to judge them with.
struct ScanFlags {
  std::vector<std::string> files;
  bool json = false;
  std::string from;             // --from: envelope sender (default: the From header)
  std::vector<std::string> to;  // --to: envelope recipients (default: To and Cc)
  std::string history_db;       // --history: a state database with recipient history
};
int RunScan(const EngineFlags& flags, const ScanFlags& scan);

// `replay`: runs the policies over a mail store and prints what would have happened.
struct ReplayFlags {
  std::vector<std::string> paths;  // Maildir, mbox files or directories of .eml files
  bool json = false;
  bool learn = false;              // learn recipient history as it goes (first-time signals)
  std::string history_db;          // start from this history (copied into memory; never written)
  int top = 10;                    // how many top reasons to print
};
int RunReplay(const EngineFlags& flags, const ReplayFlags& replay);

// `history import`: bootstrap recipient history from the MTA's log.
int RunHistoryImport(const EngineFlags& flags, const std::vector<std::string>& logs, const std::string& db_path);
// `retention [--dry-run]`: scan records and recipient history past the config's periods.
int RunStateRetention(const EngineFlags& flags, const std::string& db_path, bool dry_run);

// `incidents score`: one incident document in, its derived results out (JSON).
struct IncidentsScoreFlags {
  std::string file;            // FILE.json or "-"
  std::string now;             // --now: the instant clocks are read at (default: now)
  std::string primary_method;  // --primary-method: overrides the document and the default
  bool dspt_participant = false;
};
int RunIncidentsScore(const IncidentsScoreFlags& flags);

// `incidents list|show|assess|transition|report` on the store.
struct IncidentsFlags {
  std::string action;  // list, show, assess, transition, report
  std::string db = "/var/lib/sendguard/incidents.db";
  std::string token_file;   // a token from `sendguard-core token add`: its role (none: REPORTER)
  std::string accounts_db;  // where tokens are checked ("" = accounts.db beside db)
  std::string id, to, reason, status, kind, from, focus, format = "md";
  std::string until;  // report: --to (exclusive)
  std::vector<std::string> set;  // assess: FIELD=VALUE
  bool json = false;
};
int RunIncidents(const IncidentsFlags& flags);

// `report-misdirected`: a breach draft from a message's scan record.
struct MisdirectedFlags {
  std::string message_id;
  std::string reporter;       // the sender's own address
  std::string state_db;       // default <state_dir>/state.db
  std::string incidents_db = "/var/lib/sendguard/incidents.db";
};
int RunReportMisdirected(const EngineFlags& flags, const MisdirectedFlags& m);

// `quarantine release`: a message sendguard quarantined leaves Postfix's hold queue, and the
// release is filed as a potential breach through the milter's incident outbox.
struct QuarantineFlags {
  std::string queue_id;
  std::string by;              // who releases it (an admin's name or address)
  std::string reason;          // why (digits masked in the incident)
  std::string state_db;        // default <state_dir>/state.db
  std::string postfix_config;  // postsuper -c DIR ("" = Postfix's default)
  std::string postsuper = "/usr/sbin/postsuper";
};
int RunQuarantineRelease(const EngineFlags& flags, const QuarantineFlags& q);
// Carries out the decisions made in the IG pages (queue_id, by and reason unused).
int RunQuarantineApply(const EngineFlags& flags, const QuarantineFlags& q);

// Reads a file, or standard input for "-".
Result<std::string> ReadInput(const std::string& file);
int RunRulesCheck(const EngineFlags& flags);
int RunRulesTest(const EngineFlags& flags);
int RunEdmImport(const EngineFlags& flags, const std::string& type, const std::string& file, int column);

// `secret list|add|promote|retire|rotate`: the deployment secret's key ring.
struct SecretFlags {
  std::string action;
  std::string secret_file = "/etc/sendguard/secret";
  std::string key_id;  // promote, retire
};
int RunSecret(const SecretFlags& flags);

}  // namespace sendguard::cli
