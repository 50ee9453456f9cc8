// SPDX-License-Identifier: Apache-2.0
// `sendguard`: the gateway admin's command line. A thin shell over the modules: scan files
// offline with the milter's verdict, replay a mail store, check and test rules and
// policies, import exact-data hashes, bootstrap recipient history.
#include <CLI/CLI.hpp>

#include "commands.h"
#include "sendguard/ocr/ocr.h"

int main(int argc, char** argv) {
  sendguard::ocr::LimitOpenMpThreads(argv);  // scan and replay read pictures (ocr.h)
  using namespace sendguard::cli;
  CLI::App app{"sendguard: outbound-mail data loss prevention (admin command line)"};
  app.require_subcommand(1);
  EngineFlags flags;
  auto add_engine_flags = [&](CLI::App* cmd) {
    cmd->add_option("--config", flags.config_file, "the milter's config file (organisation, policies, warn mode)");
    cmd->add_option("--rules", flags.rules_dirs, "rule directory (repeatable; later ones add types)")->allow_extra_args(false);
    cmd->add_option("--secret", flags.secret_file, "secret file for keyed hashes (default: the config's)");
    cmd->add_option("--edm", flags.edm_dir, "exact-data directory (default /var/lib/sendguard/edm)");
  };
  auto add_policy_flags = [&](CLI::App* cmd) {
    cmd->add_option("--internal-domain", flags.internal_domains, "the organisation's own domain (repeatable; replaces the config's)")
        ->allow_extra_args(false);
    cmd->add_option("--partner-domain", flags.partner_domains, "a partner's domain (repeatable; replaces the config's)")
        ->allow_extra_args(false);
    cmd->add_option("--policy", flags.policy_files, "policy file or directory to use instead of the shipped policies (repeatable)")
        ->allow_extra_args(false);
  };

  auto* scan = app.add_subcommand("scan", "scan .eml files: findings (masked), verdict, policies, signals, explanation");
  ScanFlags scan_flags;
  scan->add_option("files", scan_flags.files, "messages to scan ('-' for standard input)")->required();
  scan->add_flag("--json", scan_flags.json, "one JSON object per file, one per line");
  scan->add_option("--from", scan_flags.from, "envelope sender (default: the From header)");
  scan->add_option("--to", scan_flags.to, "envelope recipient (repeatable; default: To and Cc)")->allow_extra_args(false);
  scan->add_option("--history", scan_flags.history_db, "state database with recipient history (for history signals)");
  add_engine_flags(scan);
  add_policy_flags(scan);

  auto* replay = app.add_subcommand("replay", "run the policies over a Maildir, mbox or directory and print what would have happened");
  ReplayFlags replay_flags;
  replay->add_option("paths", replay_flags.paths, "Maildir folders, mbox files or directories of .eml files")->required();
  replay->add_flag("--json", replay_flags.json, "one JSON object with every count");
  replay->add_flag("--learn", replay_flags.learn, "learn recipient history while replaying (oldest first)");
  replay->add_option("--history", replay_flags.history_db, "start from a copy of this state database's history");
  replay->add_option("--top", replay_flags.top, "how many top reasons to show")->capture_default_str();
  add_engine_flags(replay);
  add_policy_flags(replay);

  auto* rules = app.add_subcommand("rules", "check or test rule and policy files");
  rules->require_subcommand(1);
  auto* check = rules->add_subcommand("check", "load and compile the rules and policies; report file:line errors");
  std::vector<std::string> check_dirs;
  check->add_option("dirs", check_dirs, "rule directories (default: the configured ones)");
  add_engine_flags(check);
  add_policy_flags(check);
  auto* test = rules->add_subcommand("test", "run every rule's must_match / must_not_match examples");
  std::vector<std::string> test_dirs;
  test->add_option("dirs", test_dirs, "rule directories (default: the configured ones)");
  add_engine_flags(test);

  auto* edm = app.add_subcommand("edm", "exact data match");
  edm->require_subcommand(1);
  auto* import = edm->add_subcommand("import", "hash one column of a CSV file into the exact-data set");
  std::string type, csv;
  int column = 1;
  import->add_option("--type", type, "information type id, e.g. case_reference")->required();
  import->add_option("--column", column, "1-based CSV column holding the values")->capture_default_str();
  import->add_option("file", csv, "CSV file")->required();
  add_engine_flags(import);

  auto* history = app.add_subcommand("history", "recipient history");
  history->require_subcommand(1);
  auto* history_import = history->add_subcommand("import", "learn who has been sent mail from a Postfix log (status=sent only)");
  std::vector<std::string> logs;
  std::string history_db;
  history_import->add_option("logs", logs, "mail log files ('-' for standard input), e.g. /var/log/mail.log")->required();
  history_import->add_option("--db", history_db, "state database (default: <state_dir>/state.db from the config)");
  add_engine_flags(history_import);
  add_policy_flags(history_import);

  auto* retention = app.add_subcommand("retention", "forget scan records and recipient history past milter.scan_record_days "
                                                    "and milter.recipient_history_days");
  bool retention_dry_run = false;
  std::string retention_db;
  retention->add_flag("--dry-run", retention_dry_run, "count what would go; change nothing");
  retention->add_option("--db", retention_db, "state database (default: <state_dir>/state.db from the config)");
  add_engine_flags(retention);

  auto* secret = app.add_subcommand("secret", "the deployment secret's keys: list, add, promote, retire, rotate");
  secret->require_subcommand(1);
  SecretFlags secret_flags;
  std::vector<CLI::App*> secret_actions;
  for (const auto& [name, help] : std::vector<std::pair<const char*, const char*>>{
           {"list", "the keys' ids and roles (never the keys)"},
           {"add", "add a new key that verifies only (step 1 of a rotation across several hosts)"},
           {"promote", "make KEY_ID the key that signs; the old one still verifies (step 2)"},
           {"retire", "remove a key that only verifies (step 3, after the retention periods)"},
           {"rotate", "add a new key and make it sign at once (one host)"}}) {
    auto* cmd = secret->add_subcommand(name, help);
    cmd->add_option("--secret", secret_flags.secret_file, "the secret file")->capture_default_str();
    if (std::string(name) == "promote" || std::string(name) == "retire") {
      cmd->add_option("key_id", secret_flags.key_id, "the key's id (sendguard secret list)")->required();
    }
    secret_actions.push_back(cmd);
  }

  auto* incidents = app.add_subcommand("incidents", "the assessment core's incidents");
  incidents->require_subcommand(1);
  auto* score = incidents->add_subcommand(
      "score", "what-if calculator: derived results (NHS grid, ENISA, clocks, recommendations) of one incident document");
  IncidentsScoreFlags score_flags;
  score->add_option("file", score_flags.file, "incident document, a flat JSON object of spec field names ('-' for stdin)")
      ->required();
  score->add_option("--now", score_flags.now, "read the clocks at this UTC instant, e.g. 2024-05-25T12:00Z");
  score->add_option("--primary-method", score_flags.primary_method, "NHS_GRID (default) or ENISA_STROUD");
  score->add_flag("--dspt", score_flags.dspt_participant, "the council submits to the NHS DSPT (DHSC flag)");

  IncidentsFlags inc;
  auto common_incident_flags = [&](CLI::App* cmd) {
    cmd->add_option("--db", inc.db, "incident store (default /var/lib/sendguard/incidents.db)");
    cmd->add_option("--token-file", inc.token_file,
                    "act with this token's role (sendguard-core token add NAME --role ROLE); without one you act as a "
                    "REPORTER; the audit trail records your login either way");
    cmd->add_option("--accounts-db", inc.accounts_db, "where tokens are checked (default accounts.db beside --db)");
    cmd->add_flag("--json", inc.json, "JSON output");
  };
  auto* create = incidents->add_subcommand("create", "file an incident from a JSON document of spec field names");
  create->add_option("file", inc.id, "the document ('-' for standard input)")->required();
  common_incident_flags(create);
  auto* list = incidents->add_subcommand("list", "incidents by deadline, soonest first");
  list->add_option("--status", inc.status, "only this status (e.g. DRAFT)");
  list->add_option("--kind", inc.kind, "only this kind (e.g. BREACH)");
  common_incident_flags(list);
  auto* show = incidents->add_subcommand("show", "one incident: scores, clocks, audit trail");
  show->add_option("id", inc.id, "incident id")->required();
  common_incident_flags(show);
  auto* assess = incidents->add_subcommand("assess", "set fields (assessment inputs, form answers), audited");
  assess->add_option("id", inc.id, "incident id")->required();
  assess->add_option("--set", inc.set, "FIELD=VALUE, VALUE as JSON (e.g. nhs_likelihood=3, s4_types='[\"OTHER\"]')")
      ->required()->allow_extra_args(false);
  assess->add_option("--reason", inc.reason, "why (required for some fields, e.g. aware_at)");
  common_incident_flags(assess);
  auto* transition = incidents->add_subcommand("transition", "change status (the spec's guards apply)");
  transition->add_option("id", inc.id, "incident id")->required();
  transition->add_option("status", inc.to, "the new status, e.g. UNDER_INVESTIGATION")->required();
  transition->add_option("--reason", inc.reason, "why (required when moving back)");
  common_incident_flags(transition);
  auto* report = incidents->add_subcommand("report", "the committee report for a period against the previous one");
  report->add_option("--from", inc.from, "first day (YYYY-MM-DD)")->required();
  report->add_option("--to", inc.until, "the day after the last (YYYY-MM-DD, exclusive)")->required();
  report->add_option("--focus", inc.focus, "a directorate or service area to break down");
  report->add_option("--format", inc.format, "md (default), csv or html");
  common_incident_flags(report);

  auto* misdirected = app.add_subcommand("report-misdirected", "report an email you sent to the wrong person");
  MisdirectedFlags mis;
  misdirected->add_option("--message-id", mis.message_id, "the Message-ID of the email (from its headers)")->required();
  misdirected->add_option("--reporter", mis.reporter, "your email address")->required();
  misdirected->add_option("--state-db", mis.state_db, "the milter's state database (default <state_dir>/state.db)");
  misdirected->add_option("--incidents-db", mis.incidents_db, "incident store (default /var/lib/sendguard/incidents.db)");
  add_engine_flags(misdirected);
  add_policy_flags(misdirected);

  auto* quarantine = app.add_subcommand("quarantine", "messages sendguard put in Postfix's hold queue");
  quarantine->require_subcommand(1);
  auto* release = quarantine->add_subcommand("release", "release a quarantined message and file the release for the IG team");
  QuarantineFlags qf;
  release->add_option("queue_id", qf.queue_id, "the Postfix queue id (mailq shows held messages with '!')")->required();
  release->add_option("--by", qf.by, "who releases it")->required();
  release->add_option("--reason", qf.reason, "why it may go (no personal details)")->required();
  release->add_option("--state-db", qf.state_db, "the milter's state database (default <state_dir>/state.db)");
  release->add_option("--postfix-config", qf.postfix_config, "Postfix's configuration directory (postsuper -c)");
  release->add_option("--postsuper", qf.postsuper, "the postsuper command");
  add_engine_flags(release);
  add_policy_flags(release);

  auto* apply = quarantine->add_subcommand(
      "apply", "carry out the release and delete decisions made in the IG pages (run as root, from sendguard-quarantine.timer)");
  apply->add_option("--state-db", qf.state_db, "the milter's state database (default <state_dir>/state.db)");
  apply->add_option("--postfix-config", qf.postfix_config, "Postfix's configuration directory (postsuper -c)");
  apply->add_option("--postsuper", qf.postsuper, "the postsuper command");
  add_engine_flags(apply);
  add_policy_flags(apply);

  CLI11_PARSE(app, argc, argv);
  if (release->parsed()) return RunQuarantineRelease(flags, qf);
  if (apply->parsed()) return RunQuarantineApply(flags, qf);
  if (score->parsed()) return RunIncidentsScore(score_flags);
  for (auto [cmd, name] : {std::pair{create, "create"}, std::pair{list, "list"}, std::pair{show, "show"}, std::pair{assess, "assess"},
                           std::pair{transition, "transition"}, std::pair{report, "report"}}) {
    if (cmd->parsed()) {
      inc.action = name;
      inc.to = name == std::string("report") ? inc.until : inc.to;
      return RunIncidents(inc);
    }
  }
  for (auto* cmd : secret_actions) {
    if (cmd->parsed()) {
      secret_flags.action = cmd->get_name();
      return RunSecret(secret_flags);
    }
  }
  if (misdirected->parsed()) return RunReportMisdirected(flags, mis);
  if (scan->parsed()) return RunScan(flags, scan_flags);
  if (replay->parsed()) return RunReplay(flags, replay_flags);
  if (check->parsed()) {
    flags.rules_dirs.insert(flags.rules_dirs.end(), check_dirs.begin(), check_dirs.end());
    return RunRulesCheck(flags);
  }
  if (test->parsed()) {
    flags.rules_dirs.insert(flags.rules_dirs.end(), test_dirs.begin(), test_dirs.end());
    return RunRulesTest(flags);
  }
  if (import->parsed()) return RunEdmImport(flags, type, csv, column);
  if (history_import->parsed()) return RunHistoryImport(flags, logs, history_db);
  if (retention->parsed()) return RunStateRetention(flags, retention_db, retention_dry_run);
  return 2;
}
