// SPDX-License-Identifier: Apache-2.0
// The gateway admin's side of the milter against the real daemon (miltertest as the MTA): each
// fail mode does what docs/OPERATIONS.md's table says for every value it can take; every metric
// family is there from start-up at zero; every log event is one line with time and program
// (text and JSON); --check-config checks what start needs as the account the milter runs as;
// a unix socket in a setgid directory keeps the directory's group;
// monitor mode files audit-only drafts only from the admin's threshold up; an exception in any
// callback and a message the milter died on are answered per their fail mode (the test build
// sendguard-milter-faults injects them; the shipped program has no fault points).
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <regex>
#include <thread>
#include <vector>
#include <sstream>
#include <string>

#include "milter/daemon_harness.h"
#include "milter/milter_lua.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

using testing::MilterDaemon;
using namespace testing::lua;

const std::string kOrg = "organisation:\n  internal_domains: [council.example.gov.uk]\n";
const std::vector<std::string> kActions = {"accept", "tempfail", "reject", "quarantine"};

// A message to a colleague (inside, so sendguard's headers are all there to check).
Msg ToColleague(Msg m = Msg{}) {
  m.to = {"colleague@council.example.gov.uk"};
  return m;
}

// The miltertest checks for a message answered per `action` because of `reason`.
std::string AnsweredAs(const std::string& action, const std::string& reason) {
  if (action == "accept") {
    return std::string(kAccepted) + "assert(mt.eom_check(conn, MT_HDRADD, 'X-Sendguard-Verdict', 'unscanned; reason=" + reason +
           "'), 'marked unscanned')\n";
  }
  if (action == "quarantine") {
    return std::string(kAccepted) + "assert(mt.eom_check(conn, MT_QUARANTINE), 'quarantined')\n";
  }
  // (miltertest matches a reply by its code, enhanced code and text together)
  const std::string reply = action == "tempfail"
                                ? "'451', '4.7.1', 'sendguard could not check this message (" + reason + "); it will be tried again'"
                                : "'550', '5.7.1', 'sendguard could not check this message (" + reason + "); it has not been sent'";
  return std::string(kRejected) + "assert(mt.eom_check(conn, MT_SMTPREPLY, " + reply + "), 'SMTP reply " + action + "')\n";
}

// A policy file the loader refuses (an unknown action on line 3).
std::string BrokenPolicy(const std::filesystem::path& dir) {
  const auto path = dir / "broken-policy.yaml";
  std::ofstream(path) << "policies:\n  - id: x\n    action: explode\n    when: {}\n    reason: x\n";
  return path.string();
}

TEST(MilterAdminTest, RulesUnavailableAtStartIsAnsweredPerEachValue) {
  for (const auto& action : kActions) {
    SCOPED_TRACE(action);
    const auto dir = std::filesystem::temp_directory_path() / ("sendguard-failmode-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    MilterDaemon d("rules-" + action, kOrg + "policy_files: [" + BrokenPolicy(dir) + "]\n",
                   "  fail_modes: {rules_unavailable: " + action + "}\n");
    ASSERT_TRUE(d.Alive()) << d.Log();
    EXPECT_NE(d.Log().find("rules unavailable: "), std::string::npos) << d.Log();
    std::string out;
    EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague()) + AnsweredAs(action, "rules_unavailable") + "mt.disconnect(conn)\n", &out), 0)
        << out << d.Log();
    EXPECT_NE(d.Metrics().find("sendguard_fail_mode_total{reason=\"rules_unavailable\",action=\"" + action + "\"} 1"),
              std::string::npos) << d.Metrics();
    // --check-config: tempfail (what Postfix answers anyway while no milter runs) stops the
    // unit; the others need the milter up, so they start it with a warning.
    const int rc = testing::Shell(std::string(SENDGUARD_MILTER_BIN) + " --check-config --config " + d.config().string(), &out);
    EXPECT_NE(out.find("# rules NOT loaded: " + BrokenPolicy(dir) + ":3: unknown action 'explode'"), std::string::npos) << out;
    if (action == "tempfail") {
      EXPECT_EQ(rc, 1) << out;
    } else {
      EXPECT_EQ(rc, 0) << out;
      EXPECT_NE(out.find("# WARNING: the milter will start and answer every message per fail_modes.rules_unavailable: " + action),
                std::string::npos) << out;
    }
  }
}

TEST(MilterAdminTest, OversizeIsAnsweredPerEachValue) {
  Msg big;
  big.body = std::string(200, 'x') + "\r\n";
  for (int i = 0; i < 6; ++i) big.body += big.body;  // about 13 KB
  for (const auto& action : kActions) {
    SCOPED_TRACE(action);
    MilterDaemon d("oversize-" + action, kOrg, "  max_message_bytes: 4096\n  fail_modes: {oversize: " + action + "}\n");
    std::string out;
    EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague(big)) + AnsweredAs(action, "oversize") + "mt.disconnect(conn)\n", &out), 0)
        << out << d.Log();
    EXPECT_NE(d.Log().find("fail_mode=oversize action=" + action), std::string::npos) << d.Log();
  }
}

// Lua that prints FAILMODE when the message just sent was answered per `action` for `reason`
// (after mt.getreply), for counting among several concurrent sends.
std::string PrintIfFailMode(const std::string& action, const std::string& reason) {
  std::string check;
  if (action == "accept") {
    check = "mt.eom_check(conn, MT_HDRADD, 'X-Sendguard-Verdict', 'unscanned; reason=" + reason + "')";
  } else if (action == "quarantine") {
    check = "mt.eom_check(conn, MT_QUARANTINE)";
  } else {
    check = "mt.eom_check(conn, MT_SMTPREPLY, " +
            std::string(action == "tempfail" ? "'451', '4.7.1', 'sendguard could not check this message (" + reason + "); it will be tried again'"
                                             : "'550', '5.7.1', 'sendguard could not check this message (" + reason + "); it has not been sent'") +
            ")";
  }
  return "local reply = mt.getreply(conn)\nif " + check + " then print('FAILMODE') end\n";
}

// scan_timeout: the deadline (message_timeout_ms, at least 100 ms) counts from end of message,
// queueing included. Six large messages at once on two workers: the last ones wait for two
// rounds of scans, so at least one is past its deadline however fast the machine is (the
// scanner's own budget, 3/4 of the deadline, bounds each scan, not the wait).
TEST(MilterAdminTest, ScanTimeoutIsAnsweredPerEachValue) {
  Msg slow;
  synth::Rng rng(77);
  while (slow.body.size() < 12 * 1024 * 1024) {
    slow.body += "Row " + std::to_string(slow.body.size()) + " NHS " + synth::NhsNumber(rng) + " referral mental health\r\n";
  }
  slow.chunk = 60000;
  slow = ToColleague(slow);
  for (const auto& action : kActions) {
    SCOPED_TRACE(action);
    MilterDaemon d("timeout-" + action, kOrg, "  message_timeout_ms: 100\n  fail_modes: {scan_timeout: " + action + "}\n");
    std::vector<std::string> outs(6);
    std::vector<std::thread> senders;
    for (size_t i = 0; i < outs.size(); ++i) {
      senders.emplace_back([&, i] {
        Msg m = slow;
        m.qid = "Q" + std::to_string(i);
        d.RunScript("mt.set_timeout(120)\n" + Connect() + SendLua(m) + PrintIfFailMode(action, "scan_timeout") +
                        "mt.disconnect(conn)\n",
                    &outs[i]);
      });
    }
    for (auto& t : senders) t.join();
    int answered = 0;
    for (const auto& o : outs) answered += o.find("FAILMODE") != std::string::npos;
    EXPECT_GE(answered, 1) << d.Log();
    const std::string log = d.Log();
    int logged = 0;
    for (size_t at = log.find("fail_mode=scan_timeout action=" + action); at != std::string::npos;
         at = log.find("fail_mode=scan_timeout action=" + action, at + 1)) {
      ++logged;
    }
    EXPECT_EQ(logged, answered) << "every timed-out message was answered per the fail mode, and only those: " << log;
  }
}

// internal_error, injected as a real fault: the body spool's directory replaced by a file, so a
// body that must be spooled (spool_memory_bytes: 0) cannot be.
TEST(MilterAdminTest, InternalErrorIsAnsweredPerEachValue) {
  for (const auto& action : kActions) {
    SCOPED_TRACE(action);
    MilterDaemon d("internal-" + action, kOrg, "  spool_memory_bytes: 0\n  fail_modes: {internal_error: " + action + "}\n");
    const auto spool = d.dir() / "state" / "spool";
    std::filesystem::remove_all(spool);
    std::ofstream(spool) << "not a directory";
    std::string out;
    EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague()) + AnsweredAs(action, "spool_failed") + "mt.disconnect(conn)\n", &out), 0)
        << out << d.Log();
    EXPECT_NE(d.Log().find("fail_mode=spool_failed action=" + action), std::string::npos) << d.Log();
  }
}

// incident_unavailable, injected as a real fault: the state database refuses every incident
// draft (a trigger added behind the running milter's back). A lookalike-domain send is blocked
// and files a near miss; accept keeps the verdict's answer, the others answer for the failure.
// The shell waits for the lock: the milter may be writing the database as it starts.
TEST(MilterAdminTest, IncidentUnavailableIsAnsweredPerEachValue) {
  synth::Rng rng(99);
  Msg blocked;
  blocked.to = {"jo@counci1.example.gov.uk"};
  blocked.body = "Referrals, mental health:\r\n";
  for (int i = 0; i < 12; ++i) blocked.body += "NHS number " + synth::Grouped(synth::NhsNumber(rng), {3, 3, 4}, ' ') + " depression\r\n";
  for (const auto& action : kActions) {
    SCOPED_TRACE(action);
    MilterDaemon d("incident-" + action, kOrg, "  outside_headers: full\n  fail_modes: {incident_unavailable: " + action + "}\n");
    std::string out;
    ASSERT_EQ(testing::Shell("sqlite3 -cmd '.timeout 20000' " + (d.dir() / "state" / "state.db").string() +
                                 " \"CREATE TRIGGER injected BEFORE INSERT ON incident_outbox BEGIN SELECT RAISE(ABORT, 'injected'); END;\"",
                             &out),
              0)
        << out;
    // accept: the block's own answer (its reply code; the log says which outcome).
    const std::string expect = action == "accept" ? std::string(kRejected) : AnsweredAs(action, "incident_unavailable");
    EXPECT_EQ(d.RunScript(Connect() + SendLua(blocked) + expect + "mt.disconnect(conn)\n", &out), 0) << out << d.Log();
    EXPECT_NE(d.Log().find("incident=unavailable"), std::string::npos) << d.Log();
    if (action == "accept") {
      EXPECT_NE(d.Log().find("outcome=blocked"), std::string::npos) << d.Log();
    }
  }
}

TEST(MilterAdminTest, EveryMetricFamilyIsExportedFromStartUp) {
  MilterDaemon d("metrics-at-start", kOrg);
  const std::string m = d.Metrics();
  for (const std::string series : {"sendguard_fail_mode_total{reason=\"rules_unavailable\",action=\"tempfail\"} 0",
                                   "sendguard_fail_mode_total{reason=\"scan_timeout\",action=\"accept\"} 0",
                                   "sendguard_fail_mode_total{reason=\"incident_unavailable\",action=\"reject\"} 0",
                                   "sendguard_fail_mode_total{reason=\"poison_message\",action=\"quarantine\"} 0",
                                   "sendguard_callback_faults_total{callback=\"eom\"} 0",
                                   "sendguard_reloads_total{result=\"ok\"} 0", "sendguard_reloads_total{result=\"failed\"} 0",
                                   "sendguard_incident_handovers_total{result=\"delivered\"} 0",
                                   "sendguard_incident_handovers_total{result=\"retry\"} 0",
                                   "sendguard_messages_total{direction=\"outbound\",verdict=\"block\",outcome=\"blocked\"} 0",
                                   "sendguard_findings_total{type=\"uk.nhs_number\"} 0",
                                   "sendguard_incomplete_scans_total{reason=\"max_depth\"} 0", "sendguard_scan_seconds_count 0"}) {
    EXPECT_NE(m.find(series + "\n"), std::string::npos) << series << " missing from:\n" << m;
  }
}

// Every line of a log is one event: "TIME sendguard-milter[PID] LEVEL: ..." or one JSON object.
TEST(MilterAdminTest, EveryLogEventIsOneLineWithTimeAndProgram) {
  for (const std::string format : {"text", "json"}) {
    SCOPED_TRACE(format);
    MilterDaemon d("log-" + format, kOrg, "  log_format: " + format + "\n");
    std::string out;
    ASSERT_EQ(d.RunScript(Connect() + SendLua(Msg{}) + kAccepted + "mt.disconnect(conn)\n", &out), 0) << out;
    const auto dir = d.dir();
    std::ofstream(d.config(), std::ios::app) << "policy_files: [" << BrokenPolicy(dir) << "]\n";
    d.Signal(SIGHUP);
    ASSERT_TRUE(d.WaitForLog("reload failed"));
    std::istringstream lines(d.Log());
    std::string line;
    int n = 0;
    bool reload_line = false;
    const std::regex text_line(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:?\d\d sendguard-milter\[\d+\] (info|warning|warn|error|critical): .+$)");
    while (std::getline(lines, line)) {
      ++n;
      if (format == "text") {
        EXPECT_TRUE(std::regex_match(line, text_line)) << "not one event with time and program: " << line;
      } else {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_TRUE(j.is_object()) << line;
        EXPECT_EQ(j.value("program", ""), "sendguard-milter") << line;
        EXPECT_TRUE(j.contains("time") && j.contains("level")) << line;
      }
      // The refusal's file:line is on the same line as the event, not on one of its own.
      if (line.find("reload failed") != std::string::npos) reload_line = line.find("broken-policy.yaml:3:") != std::string::npos;
    }
    EXPECT_GE(n, 3) << d.Log();
    EXPECT_TRUE(reload_line) << d.Log();
  }
}

// --check-config answers for the account the milter will run as: a secret only root can read
// is a problem for a milter that runs as another user, and says how to fix it.
TEST(MilterAdminTest, CheckConfigChecksTheSecretAsTheRunAccount) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to check as another account";
  MilterDaemon d("check-secret", kOrg);
  d.Stop();
  const auto cfg = d.dir() / "as-nobody.yaml";
  std::string text = testing::ReadFile(d.config());
  text = std::regex_replace(text, std::regex("milter:\n"), "milter:\n  user: nobody\n  group: nogroup\n");
  std::ofstream(cfg) << text;
  std::filesystem::permissions(d.dir() / "secret", std::filesystem::perms::owner_read);  // root:root 0400
  std::string out;
  EXPECT_EQ(testing::Shell(std::string(SENDGUARD_MILTER_BIN) + " --check-config --config " + cfg.string(), &out), 1) << out;
  EXPECT_NE(out.find("# PROBLEM: secret_file " + (d.dir() / "secret").string()), std::string::npos) << out;
  EXPECT_NE(out.find("is not readable by nobody"), std::string::npos) << out;
  // Given to the run account's group, 0640: fine.
  EXPECT_EQ(::chown((d.dir() / "secret").c_str(), 0, getgrnam("nogroup")->gr_gid), 0);
  std::filesystem::permissions(d.dir() / "secret", std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
  EXPECT_EQ(testing::Shell(std::string(SENDGUARD_MILTER_BIN) + " --check-config --config " + cfg.string(), &out), 0) << out;
  EXPECT_NE(out.find("# ok: secret_file"), std::string::npos) << out;
}

// Beside Postfix the socket's directory is setgid to the MTA's group (sendguard:postfix 2750):
// the socket keeps that group when the daemon, started as root, gives it to milter.user, so
// the MTA connects through its own group and is never put in sendguard's (which reads the
// secret). --check-config says which group the socket gets, and warns when that group can read
// the secret.
TEST(MilterAdminTest, AUnixSocketInASetgidDirectoryKeepsTheDirectorysGroup) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to start as one account and drop to another";
  MilterDaemon d("socket-group", kOrg);
  d.Stop();
  // "daemon" stands in for postfix: a group that exists everywhere.
  ASSERT_TRUE(getgrnam("daemon") && getgrnam("nogroup"));
  const gid_t mta = getgrnam("daemon")->gr_gid;
  const auto sock_dir = d.dir() / "sock";
  std::filesystem::create_directories(sock_dir);
  ASSERT_EQ(::chown(sock_dir.c_str(), 0, mta), 0);
  ASSERT_EQ(::chmod(sock_dir.c_str(), 02750), 0);
  const auto cfg = d.dir() / "socket-group.yaml";
  std::string text = testing::ReadFile(d.config());
  text = std::regex_replace(text, std::regex("socket: inet:[^\n]*"), "socket: unix:" + (sock_dir / "milter.sock").string());
  text = std::regex_replace(text, std::regex("milter:\n"), "milter:\n  user: nobody\n  group: nogroup\n");
  std::ofstream(cfg) << text;
  std::string out;
  EXPECT_EQ(testing::Shell(std::string(SENDGUARD_MILTER_BIN) + " --check-config --config " + cfg.string(), &out), 0) << out;
  EXPECT_NE(out.find("is usable; the socket gets group daemon, mode 0660"), std::string::npos) << out;
  pid_t pid = testing::Spawn({SENDGUARD_MILTER_BIN, "--foreground", "--config", cfg.string()});
  int status = 0;
  ASSERT_TRUE(testing::WaitUntilReady([&] { return testing::UnixSocketOpen(sock_dir / "milter.sock"); }, &pid, 60, &status))
      << "exit status " << status << ": " << d.Log();
  struct stat st {};
  ASSERT_EQ(::stat((sock_dir / "milter.sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getpwnam("nobody")->pw_uid) << "the socket is milter.user's";
  EXPECT_EQ(st.st_gid, mta) << "the socket keeps its directory's group";
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  testing::Terminate(&pid);
  // The same group on the secret: whoever connects could read it.
  ASSERT_EQ(::chown((d.dir() / "secret").c_str(), 0, mta), 0);
  std::filesystem::permissions(d.dir() / "secret", std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
  testing::Shell(std::string(SENDGUARD_MILTER_BIN) + " --check-config --config " + cfg.string(), &out);
  EXPECT_NE(out.find("# WARNING: group daemon, which connects to the milter socket, can also read secret_file"),
            std::string::npos) << out;
}

// The compiled-rules cache in the state directory: the first start (as root) compiles and keeps
// the database, gives the cache to milter.user with the rest of the state directory, and a
// reload, run as that user, loads the rules from it instead of compiling them again.
TEST(MilterAdminTest, TheRulesCacheServesReloadsAfterPrivilegesAreDropped) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to start as one account and drop to another";
  MilterDaemon d("rules-cache", kOrg);
  d.Stop();
  const auto cache = d.dir() / "state" / "rules-cache";
  std::filesystem::remove_all(cache);
  std::string text = testing::ReadFile(d.config());
  text = std::regex_replace(text, std::regex("milter:\n"), "milter:\n  user: nobody\n  group: nogroup\n");
  std::ofstream(d.config()) << text << "rules_cache_dir: " << cache.string() << "\n";
  std::filesystem::remove(d.dir() / "milter.log");
  d.Start();
  ASSERT_TRUE(d.WaitForLog("started:"));
  EXPECT_NE(d.Log().find("(compiled; kept in the cache"), std::string::npos) << d.Log();
  struct stat st {};
  ASSERT_EQ(::stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, getpwnam("nobody")->pw_uid) << "the cache is milter.user's, as the state directory is";
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  d.Signal(SIGHUP);
  ASSERT_TRUE(d.WaitForLog("reloaded:")) << d.Log();
  EXPECT_NE(d.Log().find("generation 2 (from the cache)"), std::string::npos) << d.Log();
  std::string out;
  ASSERT_EQ(d.RunScript(Connect() + SendLua(Msg{}) + kAccepted + "mt.disconnect(conn)\n", &out), 0) << out << d.Log();
}

// One NI number to someone new outside: a monitor-mode policy would have warned. Below the
// default threshold (2 people) it is logged and counted, not filed; at 1 it is filed.
TEST(MilterAdminTest, MonitorModeFilesAuditDraftsOnlyFromTheThresholdUp) {
  synth::Rng rng(4242);
  Msg one;
  one.to = {"new.contact@example.org"};
  one.body = "Your National Insurance number " + synth::Nino(rng) + " is on the form.\r\n";
  for (const std::string threshold : {"", "1"}) {
    SCOPED_TRACE(threshold);
    MilterDaemon d("monitor-" + (threshold.empty() ? std::string("default") : threshold), kOrg,
                   threshold.empty() ? "" : "  audit_only_min_individuals: " + threshold + "\n");
    std::string out;
    // The sender has written before (to someone else), so the next recipient is a first.
    ASSERT_EQ(d.RunScript(Connect() + SendLua(Msg{}) + kAccepted + "mt.disconnect(conn)\n", &out), 0) << out << d.Log();
    ASSERT_EQ(d.RunScript(Connect() + SendLua(one) + kAccepted + "mt.disconnect(conn)\n", &out), 0) << out << d.Log();
    const std::string metrics = d.Metrics();
    if (threshold.empty()) {
      EXPECT_NE(d.Log().find("monitored=warn"), std::string::npos) << d.Log();
      EXPECT_NE(d.Log().find("incident=audit_below_threshold"), std::string::npos) << d.Log();
      EXPECT_NE(metrics.find("sendguard_incidents_total{outcome=\"audit_below_threshold\"} 1"), std::string::npos) << metrics;
      EXPECT_NE(metrics.find("sendguard_incidents_total{outcome=\"AUDIT_ONLY\"} 0"), std::string::npos) << metrics;
    } else {
      EXPECT_NE(d.Log().find("incident=AUDIT_ONLY"), std::string::npos) << d.Log();
      EXPECT_NE(metrics.find("sendguard_incidents_total{outcome=\"AUDIT_ONLY\"} 1"), std::string::npos) << metrics;
    }
  }
}

#ifdef SENDGUARD_MILTER_FAULTS_BIN

// The fault-injection build, armed through `fault_file` and crashing on `crash_marker`.
testing::Launch FaultBuild(const std::filesystem::path& fault_file, const std::string& crash_marker = "") {
  testing::Launch l;
  l.program = SENDGUARD_MILTER_FAULTS_BIN;
  l.env = {"SENDGUARD_FAULT_FILE=" + fault_file.string()};
  if (!crash_marker.empty()) l.env.push_back("SENDGUARD_FAULT_CRASH_MARKER=" + crash_marker);
  return l;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// No exception reaches libmilter: a throw injected at the entry of each registered callback
// (std::runtime_error, or an int in body) is answered per fail_modes.internal_error for each
// value, at the end of that message (a throw at negotiate or connect: every message on that
// connection); one log line per fault, digits masked, addresses and quoted text left out; counted; and the
// daemon serves the next message as usual. A throw in abort or close has no message to answer.
TEST(MilterAdminTest, AnExceptionInAnyCallbackIsAnsweredPerEachValue) {
  const std::vector<std::string> steps = {"negotiate", "connect", "envfrom", "envrcpt", "header", "eoh", "body other", "eom"};
  for (const auto& action : kActions) {
    SCOPED_TRACE(action);
    const auto fault_file = std::filesystem::temp_directory_path() / ("sendguard-fault-" + std::to_string(::getpid()) + "-" + action);
    MilterDaemon d("throw-" + action, kOrg, "  fail_modes: {internal_error: " + action + "}\n", testing::MilterSocket::kTcp,
                   FaultBuild(fault_file));
    // (The start line follows the metrics port, which the harness waits for: wait for it.)
    ASSERT_TRUE(d.WaitForLog("TEST BUILD with fault injection")) << d.Log();
    std::string out;
    for (const auto& step : steps) {
      SCOPED_TRACE(step);
      std::ofstream(fault_file) << step << "\n";
      EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague()) + AnsweredAs(action, "internal_error") + "mt.disconnect(conn)\n", &out), 0)
          << out << d.Log();
      EXPECT_FALSE(std::filesystem::exists(fault_file)) << "the fault fired";
      const std::string name = step.substr(0, step.find(' '));
      EXPECT_EQ(Count(d.Log(), "fault in " + name + ": "), 1u) << d.Log();
      EXPECT_NE(d.Metrics().find("sendguard_callback_faults_total{callback=\"" + name + "\"} 1\n"), std::string::npos);
      // The next message, on a new connection, is scanned as usual.
      EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague()) + kAccepted +
                                "assert(mt.eom_check(conn, MT_HDRADD, 'X-Sendguard-Verdict', 'allow'), 'scanned')\n"
                                "mt.disconnect(conn)\n",
                            &out),
                0)
          << out << d.Log();
    }
    // Abort and close: logged and counted, nothing to answer; the connection's next message
    // (after the abort) is scanned as usual.
    std::ofstream(fault_file) << "abort\n";
    Msg half = ToColleague();
    EXPECT_EQ(d.RunScript(Connect() + "mt.macro(conn, SMFIC_MAIL, \"{auth_authen}\", \"staff\", \"i\", \"QA\")\n"
                                      "assert(mt.mailfrom(conn, '<staff@council.example.gov.uk>') == nil, 'mailfrom')\n"
                                      "assert(mt.abort(conn) == nil, 'abort')\n" +
                              SendLua(half) + kAccepted + "mt.disconnect(conn)\n",
                          &out),
              0)
        << out << d.Log();
    std::ofstream(fault_file) << "close\n";
    EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague()) + kAccepted + "mt.disconnect(conn)\n", &out), 0) << out << d.Log();
    ASSERT_TRUE(d.WaitForLog("fault in close: ")) << d.Log();
    EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague()) + kAccepted + "mt.disconnect(conn)\n", &out), 0) << out << d.Log();
    const std::string log = d.Log(), metrics = d.Metrics();
    EXPECT_NE(log.find("fault in abort: std::runtime_error: injected fault in abort at ########## for [address] near '...'; no message to answer"),
              std::string::npos) << log;
    EXPECT_NE(log.find("fault in body: int; the message is answered per fail_modes.internal_error"), std::string::npos) << log;
    EXPECT_NE(log.find("fault in negotiate: std::runtime_error: injected fault in negotiate at ########## for [address] near '...'; every message "
                       "on this connection is answered per fail_modes.internal_error"),
              std::string::npos) << log;
    EXPECT_EQ(log.find("1234567890"), std::string::npos) << "digits masked: " << log;
    EXPECT_EQ(log.find("Mrs Example"), std::string::npos) << "quoted text left out: " << log;
    EXPECT_EQ(log.find("jo@example.org"), std::string::npos) << "addresses left out: " << log;
    EXPECT_EQ(Count(log, "fail_mode=internal_error action=" + action), steps.size()) << log;
    EXPECT_NE(metrics.find("sendguard_fail_mode_total{reason=\"internal_error\",action=\"" + action + "\"} " +
                           std::to_string(steps.size()) + "\n"),
              std::string::npos) << metrics;
    EXPECT_NE(metrics.find("sendguard_callback_faults_total{callback=\"close\"} 1\n"), std::string::npos) << metrics;
    EXPECT_TRUE(d.Alive());
  }
}

// A message the milter dies on (the test build crashes when its scan begins) is answered per
// fail_modes.poison_message, for each value, when it comes back after the restart, without
// being scanned again; counted, logged with its digest only; the next message is scanned.
TEST(MilterAdminTest, APoisonMessageIsAnsweredPerEachValueWithoutAScan) {
  const std::string marker = "poison-" + std::to_string(::getpid());
  Msg poison = ToColleague();
  poison.body = "Quarterly figures attached. " + marker + "\r\n";
  for (const auto& action : kActions) {
    SCOPED_TRACE(action);
    const auto fault_file = std::filesystem::temp_directory_path() / ("sendguard-fault-" + std::to_string(::getpid()) + "-p" + action);
    MilterDaemon d("poison-" + action, kOrg, "  poison_after_crashes: 1\n  fail_modes: {poison_message: " + action + "}\n",
                   testing::MilterSocket::kTcp, FaultBuild(fault_file, marker));
    std::string out;
    EXPECT_NE(d.RunScript(Connect() + SendLua(poison) + kAccepted + "mt.disconnect(conn)\n", &out), 0) << "it crashed: " << out;
    const int status = d.WaitForExit();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) << status << d.Log();
    d.Start();
    EXPECT_NE(d.Log().find("the previous run ended while scanning 1 message(s) (digest "), std::string::npos) << d.Log();
    EXPECT_EQ(d.RunScript(Connect() + SendLua(poison) + AnsweredAs(action, "poison_message") + "mt.disconnect(conn)\n", &out), 0)
        << out << d.Log();
    EXPECT_TRUE(d.Alive()) << "answered without a scan: " << d.Log();
    const std::string log = d.Log();
    EXPECT_TRUE(std::regex_search(log, std::regex("qid=Q1 direction=outbound fail_mode=poison_message action=" + action +
                                                  " digest=[0-9a-f]{12} crashes=1\n")))
        << log;
    EXPECT_NE(d.Metrics().find("sendguard_fail_mode_total{reason=\"poison_message\",action=\"" + action + "\"} 1\n"),
              std::string::npos) << d.Metrics();
    EXPECT_EQ(d.RunScript(Connect() + SendLua(ToColleague()) + kAccepted +
                              "assert(mt.eom_check(conn, MT_HDRADD, 'X-Sendguard-Verdict', 'allow'), 'scanned')\n"
                              "mt.disconnect(conn)\n",
                          &out),
              0)
        << out << d.Log();
    EXPECT_EQ(log.find(marker), std::string::npos) << "no content in the log";
  }
}

#endif  // SENDGUARD_MILTER_FAULTS_BIN

// The shipped program cannot be armed: its fault points are the empty ones, and it does not
// even hold the names of the variables that arm the test build.
TEST(MilterAdminTest, TheShippedMilterHasNoFaultPoints) {
  const std::string shipped = testing::ReadFile(SENDGUARD_MILTER_BIN);
  ASSERT_GT(shipped.size(), 100000u);
  EXPECT_EQ(shipped.find("SENDGUARD_FAULT_"), std::string::npos);
  EXPECT_EQ(shipped.find("TEST BUILD with fault injection"), std::string::npos);
#ifdef SENDGUARD_MILTER_FAULTS_BIN
  EXPECT_NE(testing::ReadFile(SENDGUARD_MILTER_FAULTS_BIN).find("SENDGUARD_FAULT_FILE"), std::string::npos);
#endif
}

}  // namespace
}  // namespace sendguard
