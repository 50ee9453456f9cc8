// SPDX-License-Identifier: Apache-2.0
// One message decided end to end, outside the protocol engine (see processor.h).
#include "sendguard/milter/processor.h"

#include <chrono>
#include <utility>
#include <nlohmann/json.hpp>

#include "sendguard/common/text.h"
#include "sendguard/milter/confirm_code.h"
#include "sendguard/milter/incident_draft.h"
#include "sendguard/milter/incident_outbox.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/rules/address_list.h"

namespace sendguard::milter {
namespace {

// A reject-and-confirm draft with how its warning ended.
std::string WithWarning(const std::string& draft, const char* outcome) {
  nlohmann::json doc = nlohmann::json::parse(draft);
  doc["mf_warning"] = {{"mode", "REJECT_AND_CONFIRM"}, {"outcome", outcome}};
  return doc.dump();
}

}  // namespace

Result<std::unique_ptr<Processor>> Processor::Create(const common::KeyedHasher& hasher, const common::SealKey& seal,
                                                     const std::string& state_db, const std::string& held_dir,
                                                     std::function<void()> queued) {
  auto db = OpenStateDb(state_db);
  if (!db.ok()) return db.status();
  std::unique_ptr<Processor> p(new Processor(hasher, seal, std::move(db).value(), held_dir));
  Processor* raw = p.get();
  p->holds_.OnQueued([raw] { raw->wake_ = true; });
  p->queued_ = std::move(queued);
  return p;
}

bool Processor::FileIncident(const MessageJob& job, const Decision& d, const ConfirmState& confirm,
                             const std::vector<std::string>& confirm_keys, std::time_t now, std::string* filed) {
  IncidentOutbox outbox(*db_);
  const rules::PolicyEngine& policy = *job.snapshot.policy;
  DraftContext c{DraftId(hasher_, job.queue_id, job.message_id, now), ActionToFile(d), job.message_id, now};
  if (!confirm_keys.empty()) {
    // A warning: filed when its outcome is known.
    if (confirm.valid) {
      for (const auto& key : confirm_keys) {  // recorded under any key of the secret's ring
        auto held = outbox.TakeWarning(key);
        if (!held.ok()) return false;
        if (!*held) continue;
        c.event_id = (*held)->first;
        break;
      }
      c.mf_action = "WARNED_USER_OVERRODE";
    } else {
      c.mf_action = "WARNED_USER_CANCELLED";  // what it becomes if never confirmed
      // The same send warned before a rotation waits under the old key: taken, so one warning
      // waits (under the signing key) and its draft keeps its id.
      for (size_t k = 1; k < confirm_keys.size(); ++k) {
        auto earlier = outbox.TakeWarning(confirm_keys[k]);
        if (!earlier.ok()) return false;
        if (*earlier) c.event_id = (*earlier)->first;
      }
      const std::time_t expires = now + int64_t{job.snapshot.config->confirm_ttl_minutes} * 60;
      return outbox.HoldWarning(confirm_keys.front(), c.event_id, WithWarning(BuildIncidentDraft(d, policy, c), "EXPIRED"), expires)
          .ok();
    }
  }
  if (c.mf_action.empty()) return true;
  if (c.mf_action == "AUDIT_ONLY" &&
      EstimatedIndividuals(d) < static_cast<uint64_t>(job.snapshot.config->milter.audit_only_min_individuals)) {
    *filed = "audit_below_threshold";  // logged and counted, not filed: monitor mode stays quiet
    return true;
  }
  std::string draft = BuildIncidentDraft(d, policy, c);
  if (!confirm_keys.empty()) draft = WithWarning(draft, "CONFIRMED");
  if (!outbox.Enqueue(c.event_id, draft, now).ok()) return false;
  *filed = c.mf_action;
  wake_ = true;
  return true;
}

Processor::Processor(const common::KeyedHasher& hasher, const common::SealKey& seal,
                     std::unique_ptr<common::SqlDb> db, const std::string& held_dir)
    : hasher_(hasher),
      db_(std::move(db)),
      history_(*db_, hasher_),
      records_(*db_, hasher_),
      holds_(*db_, hasher_, seal, held_dir) {}

scanner::Scanner& Processor::ScannerFor(const Snapshot& s) {
  if (!scanner_ || generation_ != s.generation) {
    scanner::ScanOptions options;
    // The scan ends itself (incomplete) before the milter's deadline.
    options.time_budget_ms = static_cast<uint32_t>(s.config->milter.message_timeout_ms * 3 / 4);
    options.max_message_bytes = static_cast<uint64_t>(s.config->milter.max_message_bytes);
    options.ocr = s.config->ocr;
    scanner_ = std::make_unique<scanner::Scanner>(s.rules, hasher_, options);
    generation_ = s.generation;
  }
  return *scanner_;
}

JobResult Processor::Process(const MessageJob& job, std::time_t now) {
  const auto start = std::chrono::steady_clock::now();
  JobResult r = job.release_header.empty() ? ScanAndRecord(job, now) : Released(job, now);
  ForRecipients(r.reply, *job.snapshot.config, job.envelope.recipients);
  r.scan_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

JobResult Processor::Released(const MessageJob& job, std::time_t now) {
  // A held message its sender confirmed, coming back in: decided already, passed once.
  JobResult r;
  r.reply = ReplyForRelease(holds_.AcceptRelease(job.release_header, now));
  r.verdict = "warn";
  r.monitored = "warn";
  r.summary = "-";
  return r;
}

JobResult Processor::ScanAndRecord(const MessageJob& job, std::time_t now) {
  const Config& config = *job.snapshot.config;
  scanner::Scanner& scanner = ScannerFor(job.snapshot);
  const Decision d = DecideMessage(scanner, *job.snapshot.policy, &history_, job.raw, job.envelope);
  JobResult r;
  {
    // Everything the message writes, committed once; the sender thread is woken after.
    common::SqlTransaction tx(*db_);
    r = Handle(job, d, scanner, now);
    if (Status st = tx.Commit(); !st.ok()) {
      wake_ = false;
      if (r.reply.kind == MilterReply::Kind::kDiscard) {
        // The held copy was not recorded: never discard a message nobody could release.
        r.reply = ReplyForFailure(config.milter.fail_modes.internal_error, "hold_failed", st.message());
      } else if (config.milter.fail_modes.incident_unavailable != FailAction::kAccept) {
        r.reply = ReplyForFailure(config.milter.fail_modes.incident_unavailable, "incident_unavailable",
                                  "the incident could not be recorded");
      }
      r.incident = "unavailable";
    }
  }
  if (std::exchange(wake_, false) && queued_) queued_();
  return r;
}

JobResult Processor::Handle(const MessageJob& job, const Decision& d, scanner::Scanner& scanner, std::time_t now) {
  const Config& config = *job.snapshot.config;

  ConfirmState confirm;
  std::vector<std::string> confirm_keys;  // what a warning's outcome is recorded under (each key of the ring)
  if (d.verdict.action == rules::Action::kWarn && config.warn_mode == WarnMode::kRejectAndConfirm) {
    ConfirmCodes codes(hasher_, int64_t{config.confirm_ttl_minutes} * 60);
    ConfirmSubject subject{d.facts.sender, rules::AllRecipients(d.facts), scanner.ContentDigest(job.raw)};
    confirm_keys = codes.SubjectKeys(subject);
    if (auto code = ExtractConfirmTag(job.subject, &confirm.subject_without_tag)) {
      confirm.tagged = true;
      ConfirmCheck check = codes.Verify(*code, subject, now);
      if (check == ConfirmCheck::kValid) {
        auto first = ConfirmLedger(*db_, hasher_).Use(*code, codes.ExpiryOf(*code, now), now);
        if (first.ok() && !*first) check = ConfirmCheck::kAlreadyUsed;
        confirm.valid = first.ok() && *first;
        if (!first.ok()) confirm.check = "ledger_error";
      }
      if (confirm.check.empty()) confirm.check = ConfirmCheckName(check);
    }
    if (!confirm.valid) {
      // Codes are derived from the send and the expiry minute, so the same send within the
      // same minute would get a code already used: move the expiry on a minute (a code lasts
      // a little longer, never less) until it is one never used.
      ConfirmLedger ledger(*db_, hasher_);
      confirm.new_code = codes.Issue(subject, now);
      for (int minute = 1; minute <= 2; ++minute) {
        auto used = ledger.WasUsed(confirm.new_code);
        if (!used.ok() || !*used) break;
        confirm.new_code = codes.Issue(subject, now + 60 * minute);
      }
    }
  }

  JobResult r;
  r.reply = ReplyForDecision(d, *job.snapshot.policy, config, confirm, job.subject);
  if (r.reply.kind == MilterReply::Kind::kDiscard) {
    auto held = holds_.Hold(d, *job.snapshot.policy, config, job.raw, job.queue_id, job.message_id, job.subject, now);
    if (held.ok()) {
      r.incident = "HELD";
    } else {
      r.reply = ReplyForFailure(config.milter.fail_modes.internal_error, "hold_failed", held.status().message());
    }
  }
  // The incident is written before the MTA hears the answer; if it cannot be, the fail mode
  // decides (accept keeps the verdict's answer: the mail's fate does not wait for the core).
  if (!FileIncident(job, d, confirm, confirm_keys, now, &r.incident)) {
    const FailAction fail = config.milter.fail_modes.incident_unavailable;
    if (fail != FailAction::kAccept) {
      r.reply = ReplyForFailure(fail, "incident_unavailable", "the incident could not be recorded");
    }
    r.incident = "unavailable";
  }
  if (r.reply.kind == MilterReply::Kind::kAccept && r.reply.quarantine_reason.empty() && !d.facts.sender.empty()) {
    // Learned only from mail that goes: accepted, not held.
    std::vector<rules::MailAddress> to = d.facts.visible;
    for (const auto& a : rules::AllRecipients(d.facts)) to.push_back({"", a});
    history_.Record(d.facts.sender, to, now);
  }
  // An Outlook recall of a message sent in the last 24 hours: the sender knows it went wrong.
  if (job.subject.size() > 7 && common::AsciiLower(job.subject.substr(0, 7)) == "recall:") {
    const std::string original_subject(common::Trim(job.subject.substr(7)));
    if (auto target = records_.FindRecallTarget(d.facts.sender, original_subject, now - 86400)) {
      IncidentOutbox outbox(*db_);
      const std::string event_id = "recall-" + target->message_id_hash + "-" + std::to_string(target->id);
      const bool filed = records_.MarkRecalled(target->id).ok() &&
                         outbox.Enqueue(event_id,
                                        BuildRecordEventDraft(*target, *job.snapshot.policy,
                                                              {event_id, now, "AUDIT_ONLY", "Recall attempted for an email sent",
                                                               "recall_attempted", d.facts.sender}),
                                        now).ok();
      r.incident = filed ? "RECALL" : "unavailable";
      if (filed) wake_ = true;
    }
  }
  records_.Add(records_.Make(d, job.queue_id, job.message_id, r.reply.outcome, now, job.subject));
  r.verdict = rules::ActionName(d.verdict.action);
  r.monitored = rules::ActionName(d.verdict.monitored);
  r.summary = FindingsSummary(d.scan);
  for (const auto& m : d.verdict.matches) r.policies += (r.policies.empty() ? "" : ",") + m.policy->id;
  for (const auto& s : d.verdict.signals) {
    if (r.signals.find(s.type) == std::string::npos) r.signals += (r.signals.empty() ? "" : ",") + s.type;
  }
  if (!d.scan.complete && !d.scan.incomplete.empty()) r.incomplete_reason = d.scan.incomplete.front().bound;
  r.ocr = d.scan.ocr;
  for (const auto& f : d.scan.findings) {
    if (f.confidence >= rules::Confidence::kMedium) r.findings.emplace_back(f.type, f.count);
  }
  return r;
}

}  // namespace sendguard::milter
