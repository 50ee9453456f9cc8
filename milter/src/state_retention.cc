// SPDX-License-Identifier: Apache-2.0
// Retention over the mail filter's state database (see state_retention.h).
#include "sendguard/milter/state_retention.h"

#include <string>

namespace sendguard::milter {
namespace {

Result<int64_t> CountOrDelete(common::SqlDb& db, const std::string& table, const std::string& where, int64_t cutoff,
                              bool dry_run) {
  auto q = db.Prepare((dry_run ? "SELECT count(*) FROM " : "DELETE FROM ") + table + " WHERE " + where);
  if (!q.ok()) return q.status();
  auto& s = (*q)->Reset().Bind(1, cutoff);
  if (dry_run) {
    const int64_t n = s.Step() ? s.Int(0) : 0;
    s.Reset();
    return n;
  }
  if (Status st = s.Run(); !st.ok()) return st;
  return static_cast<int64_t>(db.Changes());
}

}  // namespace

Result<StateRetentionCounts> ApplyStateRetention(common::SqlDb& db, int scan_record_days, int history_days, std::time_t now,
                                                 bool dry_run) {
  StateRetentionCounts out;
  const int64_t records_cutoff = static_cast<int64_t>(now) - int64_t{scan_record_days} * 86400;
  const int64_t history_cutoff = static_cast<int64_t>(now) - int64_t{history_days} * 86400;
  common::SqlTransaction tx(db);
  struct Step {
    const char* table;
    const char* where;
    int64_t cutoff;
    int64_t* count;
  };
  // Name words and pairs go with their sender; a sender goes when they have sent nothing for
  // the period (their recipients are then gone too).
  const Step steps[] = {
      {"scan_records", "at < ?1", records_cutoff, &out.scan_records},
      {"history_recipients", "last_seen < ?1", history_cutoff, &out.history_recipients},
      {"history_pairs", "last_seen < ?1", history_cutoff, &out.history_pairs},
      {"history_names", "sender IN (SELECT sender FROM history_senders WHERE last_seen < ?1)", history_cutoff, nullptr},
      {"history_senders", "last_seen < ?1", history_cutoff, &out.history_senders},
      {"history_domains", "last_seen < ?1", history_cutoff, &out.history_domains},
  };
  for (const Step& step : steps) {
    auto n = CountOrDelete(db, step.table, step.where, step.cutoff, dry_run);
    if (!n.ok()) return n.status();
    if (step.count) *step.count = *n;
  }
  if (dry_run) return out;  // the transaction rolls back: nothing was changed anyway
  if (Status st = tx.Commit(); !st.ok()) return st;
  return out;
}

}  // namespace sendguard::milter
