// SPDX-License-Identifier: Apache-2.0
// Verdicts and fail modes turned into milter replies (see milter_reply.h).
#include "sendguard/milter/milter_reply.h"

#include <map>

#include "sendguard/common/text.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {

std::vector<std::string> WrapLines(const std::string& text, size_t width) {
  std::vector<std::string> out;
  std::string line;
  size_t pos = 0;
  while (pos < text.size()) {
    // A bracketed group ("[confirm 7K2QM-X4D9A-PW3HC]") is kept on one line.
    size_t end = text[pos] == '[' ? text.find(']', pos) : std::string::npos;
    size_t space = text.find(' ', end == std::string::npos ? pos : end);
    std::string word = text.substr(pos, space == std::string::npos ? std::string::npos : space - pos);
    pos = space == std::string::npos ? text.size() : space + 1;
    if (word.empty()) continue;
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out.push_back(line);
      line.clear();
    }
    while (word.size() > width) {  // an address longer than a line
      out.push_back(word.substr(0, width));
      word.erase(0, width);
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

std::string FindingsSummary(const scanner::ScanResult& scan) {
  std::map<std::string, uint64_t> counts;
  for (const auto& f : scan.findings) {
    if (f.confidence >= rules::Confidence::kMedium) counts[f.type] += f.count;
  }
  std::string out;
  for (const auto& [type, n] : counts) out += (out.empty() ? "" : " ") + type + "=" + std::to_string(n);
  return out.empty() ? "none" : out;
}

namespace {

constexpr size_t kWidth = 76;
constexpr size_t kMaxLines = 32;

void AddText(MilterReply& r, const std::string& text) {
  for (auto& l : WrapLines(text, kWidth)) {
    if (r.lines.size() < kMaxLines) r.lines.push_back(std::move(l));
  }
}

std::string PolicyList(const rules::Verdict& v, bool monitor) {
  std::string out;
  for (const auto& m : v.matches) {
    if (m.policy->monitor != monitor) continue;
    out += (out.empty() ? "" : ",") + m.policy->id;
  }
  return out;
}

void AddScanHeaders(MilterReply& r, const Decision& d) {
  const rules::Verdict& v = d.verdict;
  std::string verdict = rules::ActionName(v.action);
  if (std::string p = PolicyList(v, false); !p.empty()) verdict += "; policies=" + p;
  r.add_headers.emplace_back("X-Sendguard-Verdict", verdict);
  if (v.monitored != v.action) {
    r.add_headers.emplace_back("X-Sendguard-Monitor",
                               std::string(rules::ActionName(v.monitored)) + "; policies=" + PolicyList(v, true));
  }
  std::string scan = d.scan.complete ? "complete" : "incomplete";
  if (!d.scan.complete && !d.scan.incomplete.empty()) scan += "; reason=" + d.scan.incomplete.front().bound;
  r.add_headers.emplace_back("X-Sendguard-Scan", scan);
  r.add_headers.emplace_back("X-Sendguard-Findings", FindingsSummary(d.scan));
}

}  // namespace

MilterReply ReplyForDecision(const Decision& d, const rules::PolicyEngine& policy, const Config& config,
                             const ConfirmState& confirm, const std::string& subject) {
  MilterReply r;
  const rules::Verdict& v = d.verdict;
  const std::string& lang = v.language;
  switch (v.action) {
    case rules::Action::kAllow:
      r.outcome = "accepted";
      break;
    case rules::Action::kTag:
      r.outcome = "tagged";
      if (!config.milter.subject_tag.empty() && subject.rfind(config.milter.subject_tag, 0) != 0) {
        r.new_subject = config.milter.subject_tag + " " + subject;
      }
      break;
    case rules::Action::kWarn:
      if (config.warn_mode == WarnMode::kHoldAndConfirm) {
        // Accepted from the client and dropped here: the sealed copy waits for its sender.
        r.kind = MilterReply::Kind::kDiscard;
        r.outcome = "held";
        return r;
      }
      if (confirm.valid) {
        r.outcome = "confirmed";
        r.new_subject = confirm.subject_without_tag;
        r.add_headers.emplace_back("X-Sendguard-Confirmed", "yes");
        break;
      }
      r.kind = MilterReply::Kind::kReject;
      r.rcode = "550";
      r.xcode = "5.7.1";
      r.outcome = confirm.tagged ? "rejected_confirmation_" + confirm.check : "rejected_for_confirmation";
      // A code already used: the first send with it went, and the sender should hear that plainly.
      if (confirm.tagged && confirm.check == "already_used") AddText(r, policy.Phrase(lang, "already_sent"));
      AddText(r, v.explanation);
      AddText(r, policy.Phrase(lang, "confirm",
                               {{"code", confirm.new_code}, {"minutes", std::to_string(config.confirm_ttl_minutes)}}));
      return r;
    case rules::Action::kQuarantine:
      r.outcome = "quarantined";
      r.quarantine_reason = "sendguard: " + PolicyList(v, false);
      if (!config.milter.ig_bcc.empty()) r.add_recipients.push_back(config.milter.ig_bcc);
      break;
    case rules::Action::kBlock:
      r.kind = MilterReply::Kind::kReject;
      r.rcode = "550";
      r.xcode = "5.7.1";
      r.outcome = "blocked";
      AddText(r, v.explanation);
      AddText(r, policy.Phrase(lang, "not_sent"));
      return r;
  }
  AddScanHeaders(r, d);
  return r;
}

void ForRecipients(MilterReply& reply, const Config& config, const std::vector<std::string>& recipients) {
  bool outside = false;
  for (const auto& r : recipients) {
    outside |= rules::Classify(config.organisation.directory, rules::NormaliseAddress(r)) != rules::RecipientClass::kInternal;
  }
  if (!outside) return;
  if (reply.outcome == "tagged" && !config.milter.subject_tag_outside) reply.new_subject.clear();
  if (config.milter.outside_headers == "full") return;
  bool had = false;
  std::vector<std::pair<std::string, std::string>> kept;
  for (auto& h : reply.add_headers) {
    if (common::AsciiLower(h.first).rfind("x-sendguard", 0) == 0) {
      had = true;
    } else {
      kept.push_back(std::move(h));
    }
  }
  if (had) kept.emplace_back("X-Sendguard", "checked");
  reply.add_headers = std::move(kept);
}

MilterReply ReplyForRelease(bool accepted) {
  MilterReply r;
  if (accepted) {
    r.outcome = "released";
    r.remove_headers.push_back("X-Sendguard-Release");
    r.add_headers.emplace_back("X-Sendguard-Verdict", "warn; released by its sender");
    return r;
  }
  r.kind = MilterReply::Kind::kReject;
  r.rcode = "550";
  r.xcode = "5.7.1";
  r.outcome = "release_refused";
  r.lines = {"sendguard: this release is not valid or has been used already; the message was not sent"};
  return r;
}

MilterReply ReplyForFailure(FailAction action, const std::string& reason, const std::string& detail) {
  MilterReply r;
  r.outcome = std::string("fail_") + FailActionName(action) + ":" + reason;
  switch (action) {
    case FailAction::kAccept:
      r.add_headers.emplace_back("X-Sendguard-Verdict", "unscanned; reason=" + reason);
      r.add_headers.emplace_back("X-Sendguard-Scan", "incomplete; reason=" + reason);
      break;
    case FailAction::kTempfail:
      r.kind = MilterReply::Kind::kTempfail;
      r.rcode = "451";
      r.xcode = "4.7.1";
      r.lines = {"sendguard could not check this message (" + reason + "); it will be tried again"};
      break;
    case FailAction::kReject:
      r.kind = MilterReply::Kind::kReject;
      r.rcode = "550";
      r.xcode = "5.7.1";
      r.lines = {"sendguard could not check this message (" + reason + "); it has not been sent"};
      break;
    case FailAction::kQuarantine:
      r.quarantine_reason = "sendguard: " + reason + (detail.empty() ? "" : " (" + detail + ")");
      r.add_headers.emplace_back("X-Sendguard-Scan", "incomplete; reason=" + reason);
      break;
  }
  return r;
}

}  // namespace sendguard::milter
