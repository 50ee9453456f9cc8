// One message decided end to end, outside libmilter (see processor.h).
#include "sendguard/milter/processor.h"

#include <chrono>

#include "sendguard/milter/confirm_code.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/rules/address_list.h"

namespace sendguard::milter {

Result<std::unique_ptr<Processor>> Processor::Create(const common::KeyedHasher& hasher, const std::string& state_db) {
  auto db = OpenStateDb(state_db);
  if (!db.ok()) return db.status();
  return std::unique_ptr<Processor>(new Processor(hasher, std::move(db).value()));
}

Processor::Processor(const common::KeyedHasher& hasher, std::unique_ptr<common::SqliteDb> db)
    : hasher_(hasher), db_(std::move(db)), history_(*db_, hasher_), records_(*db_, hasher_) {}

scanner::Scanner& Processor::ScannerFor(const Snapshot& s) {
  if (!scanner_ || generation_ != s.generation) {
    scanner::ScanOptions options;
    // The scan ends itself (incomplete) before the milter's deadline.
    options.time_budget_ms = static_cast<uint32_t>(s.config->milter.message_timeout_ms * 3 / 4);
    options.max_message_bytes = static_cast<uint64_t>(s.config->milter.max_message_bytes);
    scanner_ = std::make_unique<scanner::Scanner>(s.rules, hasher_, options);
    generation_ = s.generation;
  }
  return *scanner_;
}

JobResult Processor::Process(const MessageJob& job, std::time_t now) {
  const auto start = std::chrono::steady_clock::now();
  const Config& config = *job.snapshot.config;
  scanner::Scanner& scanner = ScannerFor(job.snapshot);
  Decision d = DecideMessage(scanner, *job.snapshot.policy, &history_, job.raw, job.envelope);

  ConfirmState confirm;
  if (d.verdict.action == rules::Action::kWarn && config.warn_mode == WarnMode::kRejectAndConfirm) {
    ConfirmCodes codes(hasher_, int64_t{config.confirm_ttl_minutes} * 60);
    ConfirmSubject subject{d.facts.sender, rules::AllRecipients(d.facts), scanner.ContentDigest(job.raw)};
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
    if (!confirm.valid) confirm.new_code = codes.Issue(subject, now);
  }

  JobResult r;
  r.reply = ReplyForDecision(d, *job.snapshot.policy, config, confirm, job.subject);
  if (r.reply.kind == MilterReply::Kind::kAccept && r.reply.quarantine_reason.empty() && !d.facts.sender.empty()) {
    // Learned only from mail that goes: accepted, not held.
    std::vector<rules::MailAddress> to = d.facts.visible;
    for (const auto& a : rules::AllRecipients(d.facts)) to.push_back({"", a});
    history_.Record(d.facts.sender, to, now);
  }
  records_.Add(records_.Make(d, job.queue_id, job.message_id, r.reply.outcome, now));
  r.verdict = rules::ActionName(d.verdict.action);
  r.monitored = rules::ActionName(d.verdict.monitored);
  r.summary = FindingsSummary(d.scan);
  for (const auto& m : d.verdict.matches) r.policies += (r.policies.empty() ? "" : ",") + m.policy->id;
  for (const auto& s : d.verdict.signals) {
    if (r.signals.find(s.type) == std::string::npos) r.signals += (r.signals.empty() ? "" : ",") + s.type;
  }
  if (!d.scan.complete && !d.scan.incomplete.empty()) r.incomplete_reason = d.scan.incomplete.front().bound;
  for (const auto& f : d.scan.findings) {
    if (f.confidence >= rules::Confidence::kMedium) r.findings.emplace_back(f.type, f.count);
  }
  r.scan_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace sendguard::milter
