// SPDX-License-Identifier: Apache-2.0
// Deciding one collected message, outside the protocol engine: scan, policies, reject-and-confirm
// codes, the reply, recipient history, the scan record. One Processor per worker thread:
// it owns that worker's Scanner (Hyperscan scratch) and its SQLite connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sql.h"
#include "sendguard/milter/hold_desk.h"
#include "sendguard/milter/milter_reply.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/scan_records.h"
#include "sendguard/milter/snapshot.h"
#include "sendguard/scanner/scanner.h"

namespace sendguard::milter {

struct MessageJob {
  Snapshot snapshot;
  std::string raw;          // the whole message: headers as received, then the body
  Envelope envelope;
  std::string queue_id;
  std::string message_id;
  std::string subject;      // the Subject header as received
  std::string direction = "outbound";
  std::string release_header;  // X-Sendguard-Release ("" on ordinary mail)
  // Run on the worker right before and right after the message is processed (the poison
  // journal's record and clear); either may be empty. after_scan runs whatever happened.
  std::function<void(const MessageJob&)> before_scan, after_scan;
  // True once nobody waits for the answer (the MTA connection closed, or the deadline answered
  // per scan_timeout): a job not yet started is then skipped. Empty: always wanted.
  std::function<bool()> cancelled;
  // A suspect (in flight when the milter died before): processed while no other message is,
  // so a second crash can be blamed on it alone.
  bool alone = false;
};

struct JobResult {
  MilterReply reply;
  std::string verdict;            // allow ... block
  std::string monitored;
  std::string summary;            // FindingsSummary: types and counts only
  std::string policies;           // comma-separated ids
  std::string signals;            // comma-separated types
  std::string incomplete_reason;  // first incomplete bound, "" when complete
  std::vector<std::pair<std::string, uint64_t>> findings;  // type, count (medium+)
  std::string incident;           // mf_action of the draft queued for the core ("" = none)
  scanner::OcrCounts ocr;         // pictures read, cached, skipped as tiny, not read
  double scan_seconds = 0;
};

class Processor {
 public:
  // Opens its own connection to `state_db`; `hasher` must outlive it. `queued` is called
  // after a message whose handling queued an incident draft is committed (to wake the sender).
  // A message's writes (ledger, hold, outbox, history, scan record) are one transaction.
  // `seal` encrypts held messages (hold-and-confirm) kept in `held_dir`.
  static Result<std::unique_ptr<Processor>> Create(const common::KeyedHasher& hasher, const common::SealKey& seal,
                                                   const std::string& state_db, const std::string& held_dir,
                                                   std::function<void()> queued = {});
  JobResult Process(const MessageJob& job, std::time_t now);

 private:
  // A held message coming back with its release header.
  JobResult Released(const MessageJob& job, std::time_t now);
  // Scan and decide, then Handle in one transaction; wakes the sender after the commit.
  JobResult ScanAndRecord(const MessageJob& job, std::time_t now);
  // What the decision does and records, inside the message's transaction.
  JobResult Handle(const MessageJob& job, const Decision& d, scanner::Scanner& scanner, std::time_t now);
  Processor(const common::KeyedHasher& hasher, const common::SealKey& seal, std::unique_ptr<common::SqlDb> db,
            const std::string& held_dir);
  scanner::Scanner& ScannerFor(const Snapshot& s);
  // Writes the incident this decision files (if any) before the MTA is answered; false when
  // the outbox could not be written.
  bool FileIncident(const MessageJob& job, const Decision& d, const ConfirmState& confirm, const std::vector<std::string>& confirm_keys,
                    std::time_t now, std::string* filed);

  const common::KeyedHasher& hasher_;
  std::unique_ptr<common::SqlDb> db_;
  RecipientHistory history_;
  ScanRecords records_;
  HoldDesk holds_;
  std::unique_ptr<scanner::Scanner> scanner_;
  std::function<void()> queued_;
  bool wake_ = false;  // a draft was queued in the current transaction
  uint64_t generation_ = 0;
};

}  // namespace sendguard::milter
