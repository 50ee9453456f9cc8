// SPDX-License-Identifier: Apache-2.0
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
#include "sendguard/milter/scan_records.h"

namespace sendguard::cli {

namespace {

// Postfix queue ids are letters and digits (short hex, or the long base-52 form).
bool QueueIdLooksRight(const std::string& id) {
  return !id.empty() && id.size() <= 32 &&
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
  auto rules = LoadEngine(flags, state->config);
  if (!rules.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", rules.status().message().c_str());
    return 2;
  }
  auto policy = LoadPolicies(flags, state->config, **rules);
  if (!policy.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", policy.status().message().c_str());
    return 2;
  }
  // Release first: a draft for a message still held would be a false record.
  std::vector<std::string> argv = {q.postsuper};
  if (!q.postfix_config.empty()) argv.insert(argv.end(), {"-c", q.postfix_config});
  argv.insert(argv.end(), {"-H", q.queue_id});
  std::string out;
  const int status = RunProgram(argv, &out);
  if (status < 0) {
    std::fprintf(stderr, "sendguard: cannot run %s\n", q.postsuper.c_str());
    return 2;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || out.find("released from hold") == std::string::npos) {
    std::fprintf(stderr, "sendguard: postsuper did not release %s: %s", q.queue_id.c_str(), out.c_str());
    return 1;
  }
  const std::time_t now = std::time(nullptr);
  const std::string event_id = "quarantine-release-" + record->message_id_hash + "-" + std::to_string(record->id);
  auto draft = nlohmann::json::parse(milter::BuildRecordEventDraft(
      *record, **policy, {event_id, now, "WARNED_USER_OVERRODE", "Released from quarantine: an email sent", "released_from_quarantine", ""}));
  draft["mf_warning"] = {{"mode", "QUARANTINE"}, {"outcome", "RELEASED"}, {"released_by", common::MaskedNote(q.by, 200) + " (run by " + OsAccount() + ")"}, {"reason", common::MaskedNote(q.reason, 500)}};
  if (Status st = milter::IncidentOutbox(*state->db).Enqueue(event_id, draft.dump(), now); !st.ok()) {
    std::fprintf(stderr, "sendguard: released %s, but the incident could not be queued: %s; tell the IG team\n",
                 q.queue_id.c_str(), st.message().c_str());
    return 1;
  }
  std::printf("released %s from the hold queue; the release is queued for the IG team as a potential breach (%s)\n",
              q.queue_id.c_str(), event_id.c_str());
  return 0;
}

}  // namespace sendguard::cli
