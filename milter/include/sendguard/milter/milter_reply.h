// SPDX-License-Identifier: Apache-2.0
// What the milter tells the MTA about one message, decided without the protocol engine so it can be
// tested as plain data: accept / tempfail / reject with a multi-line reply, headers to
// add, a subject change, a quarantine reason, recipients to add. The daemon's connection handler
// (daemon) only carries this out.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "sendguard/milter/config.h"
#include "sendguard/milter/policy_setup.h"

namespace sendguard::milter {

struct MilterReply {
  enum class Kind { kAccept, kTempfail, kReject, kDiscard };  // discard: held by sendguard (hold-and-confirm)
  Kind kind = Kind::kAccept;
  std::string rcode;                // "550", "451" (reject / tempfail)
  std::string xcode;                // "5.7.1", "4.7.1"
  std::vector<std::string> lines;   // reply text, at most 32 lines of at most 200 bytes, '%' not yet escaped
  std::vector<std::pair<std::string, std::string>> add_headers;
  std::vector<std::string> remove_headers;  // names whose first instance is deleted
  std::string new_subject;          // non-empty: replace the Subject header
  std::string quarantine_reason;    // non-empty: put the message on hold (Postfix hold queue)
  std::vector<std::string> add_recipients;
  std::string outcome;              // for logs and metrics: accepted, tagged, rejected, quarantined, confirmed, tempfail ...
};

// How a reject-and-confirm code check came out for this message.
struct ConfirmState {
  bool tagged = false;        // the subject carried [confirm CODE]
  bool valid = false;         // ... for exactly this message, unexpired and unused
  std::string check;          // ConfirmCheckName when tagged
  std::string new_code;       // the code to offer when the message is rejected for confirmation
  std::string subject_without_tag;
};

// The reply for a decided message.
MilterReply ReplyForDecision(const Decision& decision, const rules::PolicyEngine& policy, const Config& config,
                             const ConfirmState& confirm, const std::string& subject);

// The reply for a copy released from hold: accepted once with the release header removed, or
// refused when the release is forged or was used already.
MilterReply ReplyForRelease(bool accepted);

// The reply when a fail mode decides (`reason` names it: internal_error, scan_timeout ...).
MilterReply ReplyForFailure(FailAction action, const std::string& reason, const std::string& detail);

// What leaves the organisation: when a recipient is outside it (not at an internal domain),
// the X-Sendguard-* headers sendguard adds become the one neutral "X-Sendguard: checked"
// (unless milter.outside_headers is full), and a tag policy's subject prefix is left off
// (unless milter.subject_tag_outside). Applied to every reply, whatever decided it.
void ForRecipients(MilterReply& reply, const Config& config, const std::vector<std::string>& recipients);

// Wraps `text` into lines of at most `width` bytes, breaking at spaces.
std::vector<std::string> WrapLines(const std::string& text, size_t width);

// "uk.nhs_number=14 dict.health=3": types and counts at medium or high confidence, no values.
std::string FindingsSummary(const scanner::ScanResult& scan);

}  // namespace sendguard::milter
