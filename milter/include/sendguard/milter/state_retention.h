// SPDX-License-Identifier: Apache-2.0
// The mail filter's side of the retention schedule: scan records older than
// milter.scan_record_days, and recipient history a sender or recipient has not used for
// milter.recipient_history_days (the senders, their recipients, recipient pairs and name
// words, and domains). Run at start and by `sendguard retention [--dry-run]` (the daily timer).
#pragma once

#include <ctime>

#include "sendguard/common/sql.h"
#include "sendguard/common/status.h"

namespace sendguard::milter {

struct StateRetentionCounts {
  int64_t scan_records = 0;
  int64_t history_senders = 0;
  int64_t history_recipients = 0;
  int64_t history_pairs = 0;
  int64_t history_domains = 0;
};

// Removes what the schedule says is due (or, with `dry_run`, only counts it), in one transaction.
Result<StateRetentionCounts> ApplyStateRetention(common::SqlDb& db, int scan_record_days, int history_days, std::time_t now,
                                                 bool dry_run);

}  // namespace sendguard::milter
