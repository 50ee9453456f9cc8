// SPDX-License-Identifier: Apache-2.0
// The gateway's shared-store replication (see shared_sync.h): the journal pushed to
// PostgreSQL, other gateways' rows pulled into the local SQLite file.
#include "sendguard/milter/shared_sync.h"

#include "sendguard/common/sqlite.h"
#include "sendguard/common/text.h"
#include "sendguard/milter/state_retention.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <tuple>
#include <vector>

namespace sendguard::milter {
namespace {

// One kind of shared row: how to read it locally, write it to the shared store, read what is
// new there, and apply that locally.
struct Kind {
  const char* name;        // as in sync_journal.kind
  const char* table;
  const char* local_read;  // ?1 = k1 (?2 = k2): the row's values, when it still exists
  const char* push;        // PostgreSQL; parameters in the order `push_binds` says
  const char* push_binds;  // k1, k2, v<i> (the i-th value read), d (the summed delta), o (origin)
  const char* pull;        // $1 = after seq, $2 = this gateway, $3 = limit: apply's parameters, then seq
  const char* apply;       // local SQLite, ?1.. in pull's column order
  const char* apply_types; // t (text) or i (integer) for each of apply's parameters
  bool two_keys;
  const char* apply_also = nullptr;  // a second local statement with the same parameters
  bool apply_gets_gateway = false;   // this gateway's id follows apply's parameters
  bool held_copy = false;            // v5 is the hold's sealed copy (<state_dir>/held/<k1>) while v2 says it is held
};

// A scan record's columns, as stored on every gateway and in the shared store.
#define SENDGUARD_SCAN_COLUMNS \
  "at, queue_id, message_id, sender, sender_domain, recipients, verdict, outcome, policies, signals, findings, complete, " \
  "subject, recalled, message_sha256"

const Kind kKinds[] = {
    {"sender", "history_senders", "SELECT first_seen, last_seen FROM history_senders WHERE sender = ?1",
     "INSERT INTO history_senders (sender, first_seen, last_seen, messages, seq, origin) VALUES ($1, CAST($2 AS BIGINT), "
     "CAST($3 AS BIGINT), CAST($4 AS BIGINT), nextval('sync_seq'), $5) ON CONFLICT (sender) DO UPDATE SET "
     "first_seen = LEAST(history_senders.first_seen, EXCLUDED.first_seen), last_seen = GREATEST(history_senders.last_seen, "
     "EXCLUDED.last_seen), messages = history_senders.messages + EXCLUDED.messages, seq = nextval('sync_seq'), origin = $5",
     "k1 v0 v1 d o",
     "SELECT sender, first_seen, last_seen, messages, seq FROM history_senders WHERE seq > CAST($1 AS BIGINT) AND origin <> $2 "
     "ORDER BY seq LIMIT $3",
     "INSERT INTO history_senders (sender, first_seen, last_seen, messages) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (sender) DO UPDATE "
     "SET first_seen = min(first_seen, ?2), last_seen = max(last_seen, ?3), messages = max(messages, ?4)",
     "tiii", false},
    {"recipient", "history_recipients",
     "SELECT domain, first_seen, last_seen FROM history_recipients WHERE sender = ?1 AND recipient = ?2",
     "INSERT INTO history_recipients (sender, recipient, domain, first_seen, last_seen, messages, seq, origin) VALUES "
     "($1, $2, $3, CAST($4 AS BIGINT), CAST($5 AS BIGINT), CAST($6 AS BIGINT), nextval('sync_seq'), $7) ON CONFLICT (sender, "
     "recipient) DO UPDATE SET first_seen = LEAST(history_recipients.first_seen, EXCLUDED.first_seen), last_seen = "
     "GREATEST(history_recipients.last_seen, EXCLUDED.last_seen), messages = history_recipients.messages + EXCLUDED.messages, "
     "seq = nextval('sync_seq'), origin = $7",
     "k1 k2 v0 v1 v2 d o",
     "SELECT sender, recipient, domain, first_seen, last_seen, messages, seq FROM history_recipients WHERE seq > CAST($1 AS BIGINT) "
     "AND origin <> $2 ORDER BY seq LIMIT $3",
     "INSERT INTO history_recipients (sender, recipient, domain, first_seen, last_seen, messages) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
     "ON CONFLICT (sender, recipient) DO UPDATE SET first_seen = min(first_seen, ?4), last_seen = max(last_seen, ?5), "
     "messages = max(messages, ?6)",
     "tttiii", true},
    {"pair", "history_pairs", "SELECT last_seen FROM history_pairs WHERE sender = ?1 AND pair = ?2",
     "INSERT INTO history_pairs (sender, pair, last_seen, seq, origin) VALUES ($1, $2, CAST($3 AS BIGINT), nextval('sync_seq'), $4) "
     "ON CONFLICT (sender, pair) DO UPDATE SET last_seen = GREATEST(history_pairs.last_seen, EXCLUDED.last_seen), "
     "seq = nextval('sync_seq'), origin = $4",
     "k1 k2 v0 o",
     "SELECT sender, pair, last_seen, seq FROM history_pairs WHERE seq > CAST($1 AS BIGINT) AND origin <> $2 ORDER BY seq LIMIT $3",
     "INSERT INTO history_pairs (sender, pair, last_seen) VALUES (?1, ?2, ?3) ON CONFLICT (sender, pair) DO UPDATE SET "
     "last_seen = max(last_seen, ?3)",
     "tti", true},
    {"name", "history_names", "SELECT 1 FROM history_names WHERE sender = ?1 AND token = ?2",
     "INSERT INTO history_names (sender, token, seq, origin) VALUES ($1, $2, nextval('sync_seq'), $3) ON CONFLICT DO NOTHING",
     "k1 k2 o",
     "SELECT sender, token, seq FROM history_names WHERE seq > CAST($1 AS BIGINT) AND origin <> $2 ORDER BY seq LIMIT $3",
     "INSERT INTO history_names (sender, token) VALUES (?1, ?2) ON CONFLICT DO NOTHING", "tt", true},
    {"domain", "history_domains", "SELECT last_seen FROM history_domains WHERE domain = ?1",
     "INSERT INTO history_domains (domain, last_seen, messages, seq, origin) VALUES ($1, CAST($2 AS BIGINT), CAST($3 AS BIGINT), "
     "nextval('sync_seq'), $4) ON CONFLICT (domain) DO UPDATE SET messages = history_domains.messages + EXCLUDED.messages, "
     "last_seen = GREATEST(history_domains.last_seen, EXCLUDED.last_seen), seq = nextval('sync_seq'), origin = $4",
     "k1 v0 d o",
     "SELECT domain, last_seen, messages, seq FROM history_domains WHERE seq > CAST($1 AS BIGINT) AND origin <> $2 ORDER BY seq "
     "LIMIT $3",
     "INSERT INTO history_domains (domain, last_seen, messages) VALUES (?1, ?2, ?3) ON CONFLICT (domain) DO UPDATE SET "
     "last_seen = max(last_seen, ?2), messages = max(messages, ?3)",
     "tii", false},
    {"code", "used_confirm_codes", "SELECT expires FROM used_confirm_codes WHERE code = ?1",
     "INSERT INTO used_confirm_codes (code, expires, seq, origin) VALUES ($1, CAST($2 AS BIGINT), nextval('sync_seq'), $3) "
     "ON CONFLICT DO NOTHING",
     "k1 v0 o", "SELECT code, expires, seq FROM used_confirm_codes WHERE seq > CAST($1 AS BIGINT) AND origin <> $2 ORDER BY seq LIMIT $3",
     "INSERT INTO used_confirm_codes (code, expires) VALUES (?1, ?2) ON CONFLICT DO NOTHING", "ti", false},
    // A warning awaiting its outcome, and its end (taken when confirmed, or expired): a row
    // marked gone (its payload dropped) removes every gateway's copy, so one outcome is filed.
    {"warning", "pending_warnings", "SELECT draft_id, payload, expires FROM pending_warnings WHERE key = ?1",
     "INSERT INTO pending_warnings (key, draft_id, payload, expires, seq, origin, gone) VALUES ($1, $2, $3, CAST($4 AS BIGINT), "
     "nextval('sync_seq'), $5, 0) ON CONFLICT (key) DO UPDATE SET draft_id = EXCLUDED.draft_id, payload = EXCLUDED.payload, "
     "expires = EXCLUDED.expires, gone = 0, seq = nextval('sync_seq'), origin = EXCLUDED.origin",
     "k1 v0 v1 v2 o",
     "SELECT key, draft_id, payload, expires, gone, seq FROM pending_warnings WHERE seq > CAST($1 AS BIGINT) AND origin <> $2 "
     "ORDER BY seq LIMIT $3",
     "INSERT INTO pending_warnings (key, draft_id, payload, expires) SELECT ?1, ?2, ?3, ?4 WHERE ?5 = 0 ON CONFLICT (key) "
     "DO UPDATE SET draft_id = excluded.draft_id, payload = excluded.payload, expires = excluded.expires",
     "tttii", false, "DELETE FROM pending_warnings WHERE key = ?1 AND ?5 = 1 AND ?2 = ?2 AND ?3 = ?3 AND ?4 = ?4"},
    // Scan records: pushed once (this gateway's own), pulled as other gateways' (kept with their
    // origin; a pulled record of our own comes back only when another gateway saw its recall).
    {"scan", "scan_records", "SELECT " SENDGUARD_SCAN_COLUMNS " FROM scan_records WHERE id = ?1 AND origin = ''",
     "INSERT INTO scan_records (" SENDGUARD_SCAN_COLUMNS ", origin, origin_id, seq, changed_by) VALUES (CAST($1 AS BIGINT), "
     "$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CAST($12 AS BIGINT), $13, CAST($14 AS BIGINT), $15, $16, CAST($17 AS BIGINT), "
     "nextval('sync_seq'), $16) ON CONFLICT (origin, origin_id) DO UPDATE SET at = EXCLUDED.at, queue_id = EXCLUDED.queue_id, "
     "message_id = EXCLUDED.message_id, sender = EXCLUDED.sender, sender_domain = EXCLUDED.sender_domain, recipients = "
     "EXCLUDED.recipients, verdict = EXCLUDED.verdict, outcome = EXCLUDED.outcome, policies = EXCLUDED.policies, signals = "
     "EXCLUDED.signals, findings = EXCLUDED.findings, complete = EXCLUDED.complete, subject = EXCLUDED.subject, recalled = "
     "EXCLUDED.recalled, message_sha256 = EXCLUDED.message_sha256, seq = nextval('sync_seq'), changed_by = $16",
     "v0 v1 v2 v3 v4 v5 v6 v7 v8 v9 v10 v11 v12 v13 v14 o k1",
     "SELECT origin, origin_id, " SENDGUARD_SCAN_COLUMNS ", seq FROM scan_records WHERE seq > CAST($1 AS BIGINT) AND "
     "changed_by <> $2 ORDER BY seq LIMIT $3",
     "INSERT INTO scan_records (origin, origin_id, " SENDGUARD_SCAN_COLUMNS ") SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
     "?11, ?12, ?13, ?14, ?15, ?16, ?17 WHERE ?1 <> ?18 ON CONFLICT (origin, origin_id) DO UPDATE SET at = excluded.at, "
     "queue_id = excluded.queue_id, message_id = excluded.message_id, sender = excluded.sender, sender_domain = "
     "excluded.sender_domain, recipients = excluded.recipients, verdict = excluded.verdict, outcome = excluded.outcome, "
     "policies = excluded.policies, signals = excluded.signals, findings = excluded.findings, complete = excluded.complete, "
     "subject = excluded.subject, recalled = excluded.recalled, message_sha256 = excluded.message_sha256",
     "tiittttttttttitit", false,
     "UPDATE scan_records SET recalled = max(recalled, ?16) WHERE id = ?2 AND origin = '' AND ?1 = ?18", true},
    {"scan_recalled", "scan_records", "SELECT origin, origin_id FROM scan_records WHERE id = ?1",
     "UPDATE scan_records SET recalled = 1, seq = nextval('sync_seq'), changed_by = $3 WHERE "
     "origin = (CASE WHEN $1 = '' THEN $3 ELSE $1 END) AND origin_id = CAST((CASE WHEN $1 = '' THEN $4 ELSE $2 END) AS BIGINT)",
     "v0 v1 o k1", nullptr, nullptr, "", false},
    // Holds: pushed as they stand on the gateway that made them, with the sealed copy while the
    // message waits and without it once it has an outcome (the file is gone then too). A push
    // changes only a row its gateway still owns (held or releasing): once the core recorded an
    // answer, that and the worker's outcome stand. Pulled back: what became of this gateway's
    // own holds in the store: answered (its expiry then waits for the worker) and ended by
    // another gateway's worker (its row closed, its copy swept, nothing more filed).
    {"hold", "held_messages", "SELECT created, expires, state, release_as, COALESCE(outcome_at, 0) FROM held_messages WHERE id = ?1",
     "INSERT INTO holds (id, origin, created, expires, state, release_as, outcome_at, sealed, seq) VALUES ($1, $2, "
     "CAST($3 AS BIGINT), CAST($4 AS BIGINT), $5, $6, CAST($7 AS BIGINT), $8, nextval('sync_seq')) ON CONFLICT (id) DO UPDATE "
     "SET expires = EXCLUDED.expires, state = EXCLUDED.state, release_as = EXCLUDED.release_as, outcome_at = "
     "EXCLUDED.outcome_at, sealed = EXCLUDED.sealed, seq = nextval('sync_seq') WHERE holds.origin = EXCLUDED.origin "
     "AND holds.state IN ('held', 'releasing')",
     "k1 o v0 v1 v2 v3 v4 v5",
     "SELECT id, state, outcome_at, seq FROM holds WHERE seq > CAST($1 AS BIGINT) AND origin = $2 AND state NOT IN ('held', "
     "'releasing') ORDER BY seq LIMIT $3",
     "UPDATE held_messages SET state = ?2, outcome_at = ?3 WHERE id = ?1 AND state = 'held' AND ?2 IN ('released', "
     "'partially_released', 'cancelled', 'expired')",
     "tti", false,
     // Answered on a core (and not yet ended): this gateway's expiry leaves it to the worker;
     // an answer that failed for good hands it back to that expiry.
     "UPDATE held_messages SET answered = CASE WHEN ?2 = 'failed' THEN 0 ELSE 1 END WHERE id = ?1 AND state = 'held' AND "
     "?2 IN ('release_requested', 'cancel_requested', 'sending', 'failed') AND ?3 = ?3",
     false, true},
    {"warning_gone", "pending_warnings", "SELECT ?1",
     "INSERT INTO pending_warnings (key, draft_id, payload, expires, seq, origin, gone) VALUES ($1, '', '', 0, nextval('sync_seq'), "
     "$2, 1) ON CONFLICT (key) DO UPDATE SET gone = 1, payload = '', seq = nextval('sync_seq'), origin = $2",
     "k1 o", nullptr, nullptr, "", false},
};
#undef SENDGUARD_SCAN_COLUMNS

const Kind* FindKind(const std::string& name) {
  for (const Kind& k : kKinds) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

// A hold's sealed copy as it is on disk, in hex, while the hold waits (held, or being
// released): the seal is the deployment key's, so the shared store holds nothing in clear.
// "" otherwise, or when the file is gone.
std::string HeldCopy(const std::filesystem::path& held_dir, const std::string& id, const std::string& state) {
  if (held_dir.empty() || (state != "held" && state != "releasing")) return "";
  if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) return "";  // only our ids
  std::ifstream in(held_dir / id, std::ios::binary);
  return in ? common::HexEncode(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())) : "";
}

std::string StateValue(common::SqlDb& db, const std::string& name) {
  auto q = db.Prepare("SELECT value FROM sync_state WHERE name = ?");
  if (!q.ok()) return "";
  std::string out = (*q)->Bind(1, name).Step() ? (*q)->Text(0) : "";
  (*q)->Reset();
  return out;
}

Status SetState(common::SqlDb& db, const std::string& name, const std::string& value) {
  auto q = db.Prepare("INSERT INTO sync_state (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = ?2");
  if (!q.ok()) return q.status();
  return (*q)->Bind(1, name).Bind(2, value).Run();
}

}  // namespace

Status SharedSync::Enable() {
  // A round that died between marking and unmarking its pulled rows would silence the journal.
  if (Status st = local_.Exec("DELETE FROM sync_applying"); !st.ok()) return st;
  if (!StateValue(local_, "enabled").empty()) return Status();
  common::SqlTransaction tx(local_);
  if (!tx.begun()) return tx.begin_status();
  // What this gateway learned before sync began goes to the shared store too.
  if (Status st = local_.Exec(
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'sender', sender, '', messages FROM history_senders;"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'recipient', sender, recipient, messages FROM history_recipients;"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'pair', sender, pair, 0 FROM history_pairs;"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'name', sender, token, 0 FROM history_names;"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'domain', domain, '', messages FROM history_domains;"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'code', code, '', 0 FROM used_confirm_codes;"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'warning', key, '', 0 FROM pending_warnings;"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'scan', id, '', 0 FROM scan_records WHERE origin = '';"
          "INSERT INTO sync_journal (kind, k1, k2, delta) SELECT 'hold', id, '', 0 FROM held_messages "
          "WHERE state IN ('held', 'releasing');");
      !st.ok()) {
    return st;
  }
  if (Status st = SetState(local_, "enabled", "1"); !st.ok()) return st;
  return tx.Commit();
}

Result<int64_t> SharedSync::Push(common::SqlDb& shared, size_t batch) {
  // The journal's oldest rows, summed per key (a busy sender's hundred messages are one row).
  auto read = local_.Prepare("SELECT seq, kind, k1, k2, delta FROM sync_journal ORDER BY seq LIMIT ?");
  if (!read.ok()) return read.status();
  (*read)->Bind(1, static_cast<int64_t>(batch));
  struct Change {
    int64_t delta = 0;
    int64_t last_seq = 0;  // the key's latest journal row: changes go in that order
  };
  std::map<std::tuple<std::string, std::string, std::string>, Change> changes;
  int64_t last = 0, rows = 0;
  while ((*read)->Step()) {
    last = (*read)->Int(0);
    ++rows;
    Change& c = changes[{(*read)->Text(1), (*read)->Text(2), (*read)->Text(3)}];
    c.delta += (*read)->Int(4);
    c.last_seq = last;
  }
  if (!(*read)->status().ok()) return (*read)->status();
  if (rows == 0) return 0;
  // In the order each key last changed: a warning taken then given again (or given then taken)
  // ends as it ended here.
  std::vector<std::pair<std::tuple<std::string, std::string, std::string>, Change>> ordered(changes.begin(), changes.end());
  std::sort(ordered.begin(), ordered.end(), [](const auto& x, const auto& y) { return x.second.last_seq < y.second.last_seq; });
  {
    common::SqlTransaction tx(shared);
    if (!tx.begun()) return tx.begin_status();
    if (Status st = shared.LockForWrite("sendguard-sync-push"); !st.ok()) return st;  // sequence numbers commit in order
    for (const auto& [key, change] : ordered) {
      const auto& [kind_name, k1, k2] = key;
      const int64_t delta = change.delta;
      const Kind* kind = FindKind(kind_name);
      if (!kind) continue;
      auto cur = local_.Prepare(kind->local_read);
      if (!cur.ok()) return cur.status();
      (*cur)->Bind(1, k1);
      if (kind->two_keys) (*cur)->Bind(2, k2);
      if (!(*cur)->Step()) {
        if (!(*cur)->status().ok()) return (*cur)->status();  // not read: the journal keeps it
        continue;                                             // gone since (retention): nothing to share
      }
      std::vector<std::string> values(16);  // v<i> past the last column reads ""
      for (int i = 0; i < std::min(16, (*cur)->Columns()); ++i) values[static_cast<size_t>(i)] = (*cur)->Text(i);
      (*cur)->Reset();
      if (kind->held_copy) values[5] = HeldCopy(held_dir_, k1, values[2]);
      auto up = shared.Prepare(kind->push);
      if (!up.ok()) return up.status();
      auto& s = **up;
      int n = 0;
      for (const auto& what : common::Split(kind->push_binds, ' ')) {
        ++n;
        if (what == "k1") s.Bind(n, k1);
        else if (what == "k2") s.Bind(n, k2);
        else if (what == "d") s.Bind(n, delta);
        else if (what == "o") s.Bind(n, gateway_);
        else s.Bind(n, values[static_cast<size_t>(std::atoi(std::string(what.substr(1)).c_str()))]);
      }
      if (Status st = s.Run(); !st.ok()) return st;
    }
    if (Status st = tx.Commit(); !st.ok()) return st;
  }
  auto done = local_.Prepare("DELETE FROM sync_journal WHERE seq <= ?");
  if (!done.ok()) return done.status();
  if (Status st = (*done)->Bind(1, last).Run(); !st.ok()) return st;
  return rows;
}

Result<int64_t> SharedSync::Pull(common::SqlDb& shared, size_t batch) {
  int64_t applied = 0;
  for (const Kind& kind : kKinds) {
    if (!kind.pull) continue;  // pushed only (its rows are pulled as another kind's)
    const std::string position = std::string("pulled:") + kind.table;
    const std::string after = StateValue(local_, position);
    auto q = shared.Prepare(kind.pull);
    if (!q.ok()) return q.status();
    (*q)->Bind(1, after.empty() ? "0" : after).Bind(2, gateway_).Bind(3, static_cast<int64_t>(batch));
    const std::string types = kind.apply_types;
    std::vector<std::vector<std::string>> rows;  // apply's parameters, then seq
    while ((*q)->Step()) {
      std::vector<std::string> row;
      for (size_t i = 0; i <= types.size(); ++i) row.push_back((*q)->Text(static_cast<int>(i)));
      rows.push_back(std::move(row));
    }
    if (!(*q)->status().ok()) return (*q)->status();
    if (rows.empty()) continue;
    common::SqlTransaction tx(local_);
    if (!tx.begun()) return tx.begin_status();
    if (Status st = local_.Exec("INSERT INTO sync_applying (one) VALUES (1)"); !st.ok()) return st;  // triggers quiet
    for (const auto& row : rows) {
      for (const char* sql : {kind.apply, kind.apply_also}) {
        if (!sql) continue;
        auto up = local_.Prepare(sql);
        if (!up.ok()) return up.status();
        for (size_t i = 0; i < types.size(); ++i) {
          if (types[i] == 'i') (*up)->Bind(static_cast<int>(i + 1), static_cast<int64_t>(std::atoll(row[i].c_str())));
          else (*up)->Bind(static_cast<int>(i + 1), row[i]);
        }
        if (kind.apply_gets_gateway) (*up)->Bind(static_cast<int>(types.size() + 1), gateway_);
        if (Status st = (*up)->Run(); !st.ok()) return st;
      }
    }
    if (Status st = local_.Exec("DELETE FROM sync_applying"); !st.ok()) return st;
    if (Status st = SetState(local_, position, rows.back().back()); !st.ok()) return st;
    if (Status st = tx.Commit(); !st.ok()) return st;
    applied += static_cast<int64_t>(rows.size());
  }
  return applied;
}

Result<int64_t> SharedSync::Backlog() {
  auto q = local_.Prepare("SELECT count(*) FROM sync_journal");
  if (!q.ok()) return q.status();
  const int64_t n = (*q)->Step() ? (*q)->Int(0) : 0;
  (*q)->Reset();
  return n;
}

Result<SyncCounts> SharedSync::Round(common::SqlDb& shared, size_t batch) {
  SyncCounts out;
  for (;;) {
    auto pushed = Push(shared, batch);
    if (!pushed.ok()) return pushed.status();
    out.pushed += *pushed;
    if (*pushed < static_cast<int64_t>(batch)) break;
  }
  for (;;) {
    auto pulled = Pull(shared, batch);
    if (!pulled.ok()) return pulled.status();
    out.pulled += *pulled;
    if (*pulled == 0) break;
  }
  auto backlog = Backlog();
  if (!backlog.ok()) return backlog.status();
  out.backlog = *backlog;
  return out;
}

Result<int64_t> SharedSync::PruneShared(common::SqlDb& shared, int scan_record_days, int history_days, std::time_t now) {
  auto counts = ApplyStateRetention(shared, scan_record_days, history_days, now, /*dry_run=*/false);
  if (!counts.ok()) return counts.status();
  int64_t removed = counts->scan_records + counts->history_recipients + counts->history_pairs + counts->history_senders +
                    counts->history_domains;
  for (const char* sql : {"DELETE FROM used_confirm_codes WHERE expires < ?",
                          "DELETE FROM pending_warnings WHERE expires < ?"}) {
    auto q = shared.Prepare(sql);
    if (!q.ok()) return q.status();
    // A day's grace past expiry: a gateway briefly cut off still learns a warning went (its
    // tombstone); were it to file the outcome again, the core files a draft id once.
    if (Status st = (*q)->Bind(1, static_cast<int64_t>(now) - 86400).Run(); !st.ok()) return st;
    removed += shared.Changes();
  }
  // Holds that ended are kept as long as the record of the send; so is anything whose time ran
  // out that long ago (a hold of a gateway that stopped, an answer nobody could carry out). An
  // answer still waiting is never pruned.
  auto holds = shared.Prepare(
      "DELETE FROM holds WHERE (state IN ('released', 'partially_released', 'cancelled', 'expired', 'failed') AND "
      "outcome_at < ?1) OR expires < ?1");
  if (!holds.ok()) return holds.status();
  if (Status st = (*holds)->Bind(1, static_cast<int64_t>(now) - int64_t{scan_record_days} * 86400).Run(); !st.ok()) return st;
  removed += shared.Changes();
  return removed;
}

void SharedSync::RecordOutcome(bool ok, const SyncCounts& counts, std::time_t now, const std::string& error) {
  common::SqlTransaction tx(local_);
  SetState(local_, "up", ok ? "1" : "0");
  if (ok) SetState(local_, "last_ok", std::to_string(now));
  SetState(local_, "last_error", ok ? "" : error.substr(0, 300));
  auto backlog = Backlog();
  SetState(local_, "backlog", std::to_string(backlog.ok() ? *backlog : counts.backlog));
  (void)tx.Commit();  // best effort: the next round records again
}

SharedStoreHealth ReadSharedStoreHealth(common::SqlDb& local) {
  SharedStoreHealth h;
  h.enabled = !StateValue(local, "enabled").empty();
  if (!h.enabled) return h;
  h.up = StateValue(local, "up") == "1";
  h.backlog = std::atoll(StateValue(local, "backlog").c_str());
  h.last_ok = std::atoll(StateValue(local, "last_ok").c_str());
  return h;
}

std::string SharedStoreMetrics(const std::string& state_db, std::time_t now) {
  auto db = common::SqliteDb::Open(state_db);  // read only what sendguard-sync recorded; never migrates
  if (!db.ok()) return "";
  auto has = (*db)->Prepare("SELECT 1 FROM sqlite_master WHERE name = 'sync_state'");
  if (!has.ok() || !(*has)->Step()) return "";
  (*has)->Reset();
  const SharedStoreHealth h = ReadSharedStoreHealth(**db);
  if (!h.enabled) return "";
  std::string out;
  out += "# HELP sendguard_shared_store_up Whether sendguard-sync's last round reached the shared PostgreSQL store (0: degraded, answering from local state).\n";
  out += "# TYPE sendguard_shared_store_up gauge\nsendguard_shared_store_up " + std::string(h.up ? "1" : "0") + "\n";
  out += "# HELP sendguard_shared_store_backlog Local changes waiting to be pushed to the shared store.\n";
  out += "# TYPE sendguard_shared_store_backlog gauge\nsendguard_shared_store_backlog " + std::to_string(h.backlog) + "\n";
  out += "# HELP sendguard_shared_store_last_sync_age_seconds Seconds since the last round that reached the shared store.\n";
  out += "# TYPE sendguard_shared_store_last_sync_age_seconds gauge\nsendguard_shared_store_last_sync_age_seconds " +
         std::to_string(h.last_ok ? static_cast<int64_t>(now) - h.last_ok : -1) + "\n";
  return out;
}

}  // namespace sendguard::milter
