// SPDX-License-Identifier: Apache-2.0
// `sendguard quarantine apply`: carries out the IG team's decisions from the pages (release or
// delete, quarantine_desk.h) with postsuper, as root from a systemd timer, and records each result.
// `sendguard quarantine release QUEUE_ID --by NAME --reason TEXT`: releases a message that
// sendguard quarantined from Postfix's hold queue (postsuper -H) and files the release as a
// potential breach (WARNED_USER_OVERRODE, signal released_from_quarantine, who and why in
// mf_warning) through the milter's durable incident outbox, which the running milter delivers
// to the core. Releasing with postsuper alone leaves no record: the operations guide says so.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string>
#include <vector>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "command_actor.h"
#include "commands.h"
#include "engine_setup.h"
#include "sendguard/common/text.h"
#include "sendguard/milter/incident_draft.h"
#include "sendguard/milter/incident_outbox.h"
#include "sendguard/milter/quarantine_desk.h"
#include "sendguard/milter/scan_records.h"

namespace sendguard::cli {

namespace {

// Postfix queue ids are letters and digits (short hex, or the long base-52 form).
bool QueueIdLooksRight(const std::string& id) {
  // postsuper reads "ALL" as every message: never a queue id here, in any case.
  return id.size() >= 5 && id.size() <= 32 && common::AsciiUpper(id) != "ALL" &&
         std::all_of(id.begin(), id.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

// Runs `argv` (no shell: nothing in it is interpreted) with its stdout and stderr collected in
// *out; its wait status, or -1 when it could not be started.
int RunProgram(const std::vector<std::string>& argv, std::string* out) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(fds[1]);
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) out->append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 127 && out->empty() ? -1 : status;
}

}  // namespace

namespace {

// Runs postsuper FLAG QUEUE_ID hold (-H releases from the hold queue, -d deletes from it and
// from no other queue); "" when its output says `done` happened, else why not.
std::string Postsuper(const QuarantineFlags& q, const char* flag, const std::string& queue_id, const char* done) {
  if (!QueueIdLooksRight(queue_id)) return "'" + queue_id + "' is not a queue id";
  std::vector<std::string> argv = {q.postsuper};
  if (!q.postfix_config.empty()) argv.insert(argv.end(), {"-c", q.postfix_config});
  argv.insert(argv.end(), {flag, queue_id, "hold"});
  std::string out;
  const int status = RunProgram(argv, &out);
  if (status < 0) return "cannot run " + q.postsuper;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.find(done) == std::string::npos) {
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return "postsuper did not do it: " + (out.empty() ? std::string("no output") : out);
  }
  return "";
}

// Files a release as a potential breach (WARNED_USER_OVERRODE, signal released_from_quarantine,
// who and why) through the milter's outbox; the event id in *event_id.
Status FileRelease(common::SqlDb& db, const rules::PolicyEngine& policy, const milter::ScanRecord& record,
                   const std::string& released_by, const std::string& reason, std::time_t now, std::string* event_id) {
  *event_id = "quarantine-release-" + record.message_id_hash + "-" + std::to_string(record.id);
  auto draft = nlohmann::json::parse(milter::BuildRecordEventDraft(
      record, policy, {*event_id, now, "WARNED_USER_OVERRODE", "Released from quarantine: an email sent", "released_from_quarantine", ""}));
  draft["mf_warning"] = {{"mode", "QUARANTINE"}, {"outcome", "RELEASED"}, {"released_by", released_by},
                         {"reason", common::MaskedNote(reason, 500)}};
  return milter::IncidentOutbox(db).Enqueue(*event_id, draft.dump(), now);
}

// The policy engine a release's draft is built with (its rules checked first), or nullptr
// after saying why.
std::shared_ptr<const rules::PolicyEngine> DraftPolicy(const EngineFlags& flags, const milter::Config& config) {
  auto rules = LoadEngine(flags, config);
  if (!rules.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", rules.status().message().c_str());
    return nullptr;
  }
  auto policy = LoadPolicies(flags, config, **rules);
  if (!policy.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", policy.status().message().c_str());
    return nullptr;
  }
  return *policy;
}

}  // namespace

int RunQuarantineRelease(const EngineFlags& flags, const QuarantineFlags& q) {
  if (!QueueIdLooksRight(q.queue_id)) {
    std::fprintf(stderr, "sendguard: '%s' is not a Postfix queue id\n", q.queue_id.c_str());
    return 2;
  }
  if (common::MaskedNote(q.reason, 500).empty() || common::MaskedNote(q.by, 200).empty()) {
    std::fprintf(stderr, "sendguard: --by and --reason are required: the IG team is told who released it and why\n");
    return 2;
  }
  auto state = OpenState(flags, q.state_db);
  if (!state) return 2;
  common::KeyedHasher hasher(state->secret);
  milter::ScanRecords records(*state->db, hasher);
  auto record = records.FindByQueueId(q.queue_id);
  if (!record || record->outcome != "quarantined") {
    std::fprintf(stderr, "sendguard: %s was not quarantined by sendguard (no such scan record, kept %d days); "
                         "nothing was released\n", q.queue_id.c_str(), state->config.milter.scan_record_days);
    return 1;
  }
  const auto policy = DraftPolicy(flags, state->config);
  if (!policy) return 2;
  // Release first: a draft for a message still held would be a false record.
  if (std::string why = Postsuper(q, "-H", q.queue_id, "released from hold"); !why.empty()) {
    std::fprintf(stderr, "sendguard: %s was not released: %s\n", q.queue_id.c_str(), why.c_str());
    return why.rfind("cannot run", 0) == 0 ? 2 : 1;
  }
  std::string event_id;
  if (Status st = FileRelease(*state->db, *policy, *record, common::MaskedNote(q.by, 200) + " (run by " + OsAccount() + ")",
                              q.reason, std::time(nullptr), &event_id);
      !st.ok()) {
    std::fprintf(stderr, "sendguard: released %s, but the incident could not be queued: %s; tell the IG team\n",
                 q.queue_id.c_str(), st.message().c_str());
    return 1;
  }
  // The pages show the quarantined message as released, and offer no decision on it.
  if (Status st = milter::QuarantineDesk(*state->db, hasher).RecordDone(record->id, q.queue_id, "release",
                                                                        common::MaskedNote(q.by, 200) + " (command line)", q.reason,
                                                                        "released", std::time(nullptr));
      !st.ok()) {
    std::fprintf(stderr, "sendguard: released %s; the IG pages could not be told: %s\n", q.queue_id.c_str(), st.message().c_str());
  }
  std::printf("released %s from the hold queue; the release is queued for the IG team as a potential breach (%s)\n",
              q.queue_id.c_str(), event_id.c_str());
  return 0;
}

int RunQuarantineApply(const EngineFlags& flags, const QuarantineFlags& q) {
  auto state = OpenState(flags, q.state_db);
  if (!state) return 2;
  common::KeyedHasher hasher(state->secret);
  milter::QuarantineDesk desk(*state->db, hasher);
  const auto pending = desk.Pending();
  if (pending.empty()) return 0;
  const auto policy = DraftPolicy(flags, state->config);
  if (!policy) return 2;
  milter::ScanRecords records(*state->db, hasher);
  int failed = 0;
  for (const auto& d : pending) {
    const std::time_t now = std::time(nullptr);
    auto record = records.FindById(d.record_id);
    std::string result;
    if (!record || !QueueIdLooksRight(d.queue_id)) {
      result = "not done: the scan record is gone";
    } else if (d.decision == "release") {
      const std::string why = Postsuper(q, "-H", d.queue_id, "released from hold");
      std::string event_id;
      if (!why.empty()) {
        result = "not released: " + why;
      } else if (Status st = FileRelease(*state->db, *policy, *record, d.decided_by + " (in the IG pages)", d.reason, now, &event_id);
                 !st.ok()) {
        result = "released; the incident could not be queued: " + st.message();
      } else {
        result = "released";
      }
    } else {
      const std::string why = Postsuper(q, "-d", d.queue_id, "Deleted");
      result = why.empty() ? "deleted" : "not deleted: " + why;
    }
    // Recorded either way: a message already gone from the hold queue is not retried forever.
    if (Status st = desk.MarkApplied(d.record_id, result, now); !st.ok()) {
      std::fprintf(stderr, "sendguard: %s: %s, but that could not be recorded: %s\n", d.queue_id.c_str(), result.c_str(),
                   st.message().c_str());
    }
    const bool ok = result == "released" || result == "deleted";
    failed += ok ? 0 : 1;
    std::printf("%s %s: %s\n", d.decision.c_str(), d.queue_id.c_str(), result.c_str());
  }
  return failed ? 1 : 0;
}

}  // namespace sendguard::cli
