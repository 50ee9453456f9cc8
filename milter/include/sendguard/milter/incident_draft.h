// SPDX-License-Identifier: Apache-2.0
// The incident draft the milter files for the assessment core: the spec's mail-filter fields
// (§1.7) built from a decision, with identifiers reduced to types and distinct counts and
// evidence to tokens like "[NHS_NUMBER#1]". Never content, never a value, masked or not.
#pragma once

#include <ctime>
#include <string>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/policy_setup.h"
#include "sendguard/milter/scan_records.h"

namespace sendguard::milter {

// The spec's IdentifierType for a scanner type id ("uk.nhs_number" -> "NHS_NUMBER").
std::string IdentifierTypeOf(const std::string& scanner_type);

struct DraftContext {
  std::string event_id;      // unique per event; the hand-over's idempotency key
  std::string mf_action;     // BLOCKED, WARNED_USER_CANCELLED, WARNED_USER_OVERRODE, AUDIT_ONLY
  std::string message_id;    // the RFC 5322 Message-ID (hashed with SHA-256, never stored clear)
  std::time_t at = 0;
};

// Whether a verdict files an incident, and as what ("" = none): block and quarantine are
// near misses (BLOCKED), a monitored policy that would have acted is AUDIT_ONLY. Warnings are
// filed when their outcome is known (confirmed, or expired unconfirmed).
std::string ActionToFile(const Decision& d);

// How many people the message's identifiers point at: the most distinct values of any
// person-level identifier type (NHS numbers, NI numbers, case references, ...).
uint64_t EstimatedIndividuals(const Decision& d);

// The draft as a JSON document of spec field names.
std::string BuildIncidentDraft(const Decision& d, const rules::PolicyEngine& policy, const DraftContext& context);

// What happened later to a message already scanned: a recall attempt (an Outlook "Recall:"
// message; mf_action AUDIT_ONLY, signal recall_attempted) or a release from quarantine by a
// person (WARNED_USER_OVERRODE, signal released_from_quarantine).
struct RecordEvent {
  std::string event_id;
  std::time_t at = 0;
  std::string action;  // mf_action
  std::string title;
  std::string signal;  // added to the original's signals
  std::string sender;  // mf_sender ("" = not known: scan records keep only its hash)
};

// The potential-breach draft for `e`, built from the original message's scan record: domains,
// verdict, signals and finding counts (never content).
std::string BuildRecordEventDraft(const ScanRecord& original, const rules::PolicyEngine& policy, const RecordEvent& e);

// A draft id from the event's parts: stable for one message, unique across messages.
std::string DraftId(const common::KeyedHasher& hasher, const std::string& queue_id, const std::string& message_id,
                    std::time_t at);

}  // namespace sendguard::milter
