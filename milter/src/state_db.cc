// SPDX-License-Identifier: Apache-2.0
// The state database's schema, one migration per release (see state_db.h), for SQLite and
// for PostgreSQL. Addresses, name words and Message-IDs are stored only as keyed hashes;
// domains are kept in clear.
#include "sendguard/milter/state_db.h"

#include <string>
#include <vector>

namespace sendguard::milter {

namespace {

// The triggers of migration 9: each local change to a shared table becomes a journal row.
std::string SyncTriggers() {
  struct Shared {
    const char* table;
    const char* kind;
    const char* k1;
    const char* k2;      // "" when the key is one column
    const char* counts;  // the messages column, or "" when the table keeps none
  };
  static constexpr Shared kShared[] = {{"history_senders", "sender", "sender", "", "messages"},
                                       {"history_recipients", "recipient", "sender", "recipient", "messages"},
                                       {"history_pairs", "pair", "sender", "pair", ""},
                                       {"history_names", "name", "sender", "token", ""},
                                       {"history_domains", "domain", "domain", "", "messages"},
                                       {"used_confirm_codes", "code", "code", "", ""}};
  const std::string when =
      " WHEN EXISTS (SELECT 1 FROM sync_state WHERE name = 'enabled') AND NOT EXISTS (SELECT 1 FROM sync_applying)";
  std::string out;
  for (const Shared& t : kShared) {
    const std::string k2 = *t.k2 ? std::string("NEW.") + t.k2 : "''";
    for (const bool insert : {true, false}) {
      if (!insert && !*t.counts && std::string(t.kind) != "pair") continue;  // nothing else changes
      const std::string delta = !*t.counts ? "0" : insert ? std::string("NEW.") + t.counts
                                                          : std::string("NEW.") + t.counts + " - OLD." + t.counts;
      out += std::string("CREATE TRIGGER sync_") + t.table + (insert ? "_insert AFTER INSERT" : "_update AFTER UPDATE") +
             " ON " + t.table + when + " BEGIN INSERT INTO sync_journal (kind, k1, k2, delta) VALUES ('" + t.kind +
             "', NEW." + t.k1 + ", " + k2 + ", " + delta + "); END;\n";
    }
  }
  // Scan records: each gateway's own (origin '') are shared, so a self-report or a recall
  // finds the send whichever gateway carried it; a recall noticed on any gateway is shared.
  out += "CREATE TRIGGER sync_scan_records_insert AFTER INSERT ON scan_records" + when +
         " AND NEW.origin = '' BEGIN INSERT INTO sync_journal (kind, k1) VALUES ('scan', NEW.id); END;\n";
  out += "CREATE TRIGGER sync_scan_records_recalled AFTER UPDATE OF recalled ON scan_records" + when +
         " AND NEW.recalled = 1 AND OLD.recalled = 0 BEGIN INSERT INTO sync_journal (kind, k1) VALUES ('scan_recalled', NEW.id); END;\n";
  // Warnings awaiting their outcome: made on one gateway, confirmed on any (the resend may
  // arrive through another); taken (confirmed) or expired anywhere, gone everywhere.
  out += "CREATE TRIGGER sync_pending_warnings_insert AFTER INSERT ON pending_warnings" + when +
         " BEGIN INSERT INTO sync_journal (kind, k1) VALUES ('warning', NEW.key); END;\n";
  out += "CREATE TRIGGER sync_pending_warnings_update AFTER UPDATE ON pending_warnings" + when +
         " BEGIN INSERT INTO sync_journal (kind, k1) VALUES ('warning', NEW.key); END;\n";  // a repeat extends it
  out += "CREATE TRIGGER sync_pending_warnings_delete AFTER DELETE ON pending_warnings" + when +
         " BEGIN INSERT INTO sync_journal (kind, k1) VALUES ('warning_gone', OLD.key); END;\n";
  return out;
}

// The triggers of migration 10: a new hold and each change of a hold's state.
std::string HoldSyncTriggers() {
  const std::string when =
      " WHEN EXISTS (SELECT 1 FROM sync_state WHERE name = 'enabled') AND NOT EXISTS (SELECT 1 FROM sync_applying)";
  return "CREATE TRIGGER sync_held_messages_insert AFTER INSERT ON held_messages" + when +
         " BEGIN INSERT INTO sync_journal (kind, k1) VALUES ('hold', NEW.id); END;\n"
         "CREATE TRIGGER sync_held_messages_update AFTER UPDATE OF state ON held_messages" + when +
         " BEGIN INSERT INTO sync_journal (kind, k1) VALUES ('hold', NEW.id); END;\n";
}

const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> kMigrations = {
      // 1: recipient history and used confirmation codes.
      R"sql(
      CREATE TABLE history_senders (
        sender TEXT PRIMARY KEY,          -- keyed hash of the address
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        messages INTEGER NOT NULL);
      CREATE TABLE history_recipients (
        sender TEXT NOT NULL,             -- keyed hash
        recipient TEXT NOT NULL,          -- keyed hash
        domain TEXT NOT NULL,             -- clear, lower case
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        messages INTEGER NOT NULL,
        PRIMARY KEY (sender, recipient));
      CREATE TABLE history_pairs (
        sender TEXT NOT NULL,
        pair TEXT NOT NULL,               -- keyed hash of the two recipient hashes, sorted
        last_seen INTEGER NOT NULL,
        PRIMARY KEY (sender, pair));
      CREATE TABLE history_names (
        sender TEXT NOT NULL,
        token TEXT NOT NULL,              -- keyed hash of a name word of a correspondent
        PRIMARY KEY (sender, token));
      CREATE TABLE history_domains (
        domain TEXT PRIMARY KEY,
        messages INTEGER NOT NULL,
        last_seen INTEGER NOT NULL);
      CREATE INDEX history_domains_by_use ON history_domains (messages DESC);
      CREATE TABLE used_confirm_codes (
        code TEXT PRIMARY KEY,            -- keyed hash of the code
        expires INTEGER NOT NULL);
      )sql",
      // 2: scan records (metadata only) for self-reports and recall detection.
      R"sql(
      CREATE TABLE scan_records (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,              -- unix seconds
        queue_id TEXT NOT NULL,
        message_id TEXT NOT NULL,         -- keyed hash of the Message-ID
        sender TEXT NOT NULL,             -- keyed hash
        sender_domain TEXT NOT NULL,
        recipients TEXT NOT NULL,         -- JSON: [{"domain", "hash"}]
        verdict TEXT NOT NULL,
        outcome TEXT NOT NULL,
        policies TEXT NOT NULL,           -- JSON list of policy ids
        signals TEXT NOT NULL,            -- JSON list of {"type", "domain"}
        findings TEXT NOT NULL,           -- "uk.nhs_number=14 dict.health=3"
        complete INTEGER NOT NULL);
      CREATE INDEX scan_records_by_message_id ON scan_records (message_id);
      CREATE INDEX scan_records_by_time ON scan_records (at);
      )sql",
      // 3: the incident outbox and warnings waiting for their outcome.
      R"sql(
      CREATE TABLE incident_outbox (
        draft_id TEXT PRIMARY KEY,        -- the core's idempotency key
        payload TEXT NOT NULL,            -- the draft: spec fields, counts and tokens, no content
        created INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        delivered INTEGER,                -- unix seconds; NULL while pending
        refused INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '');
      CREATE INDEX incident_outbox_due ON incident_outbox (delivered, refused, next_attempt);
      CREATE TABLE pending_warnings (
        key TEXT PRIMARY KEY,             -- keyed hash of sender, recipients and content digest
        draft_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        expires INTEGER NOT NULL);
      )sql",
      // 4: recall detection: a keyed hash of the subject, and whether a recall was seen.
      R"sql(
      ALTER TABLE scan_records ADD COLUMN subject TEXT NOT NULL DEFAULT '';
      ALTER TABLE scan_records ADD COLUMN recalled INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX scan_records_by_sender_subject ON scan_records (sender, subject, at);
      )sql",
      // 5: hold-and-confirm: held messages (their sealed copies are files in <state_dir>/held)
      // and mail the milter sends itself (hold notices), sealed until sent.
      R"sql(
      CREATE TABLE held_messages (
        id TEXT PRIMARY KEY,              -- random, 32 hex characters
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL,
        state TEXT NOT NULL,              -- held, releasing, released, partially_released, cancelled, expired
        release_as TEXT NOT NULL DEFAULT '',
        outcome_at INTEGER);
      CREATE INDEX held_messages_by_state ON held_messages (state, expires);
      CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        sealed TEXT NOT NULL,             -- hex of the sealed {from, to, message}
        created INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt INTEGER NOT NULL,
        sent INTEGER,
        last_error TEXT NOT NULL DEFAULT '');
      CREATE INDEX mail_outbox_due ON mail_outbox (sent, next_attempt);
      )sql",
      // 6: self-report links mailed to staff (single use, expiring); the sender only as a hash.
      R"sql(
      CREATE TABLE self_report_links (
        id TEXT PRIMARY KEY,              -- random, 32 hex characters
        sender TEXT NOT NULL,             -- keyed hash, as scan_records.sender
        reporter TEXT NOT NULL,           -- hex of the sealed address (for the draft's section 1)
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL,
        used_at INTEGER);
      )sql",
      // 7: the Message-ID's SHA-256 as incidents carry it (mf_message_id_hash), so a later event
      // for the same email (a quarantine release, a recall) names the email the core links on.
      R"sql(
      ALTER TABLE scan_records ADD COLUMN message_sha256 TEXT NOT NULL DEFAULT '';
      )sql",
      // 8: the IG team's decisions on quarantined messages (release or delete), made in the
      // pages and carried out by `sendguard quarantine apply` (root, postsuper).
      R"sql(
      CREATE TABLE quarantine_decisions (
        record_id INTEGER PRIMARY KEY,      -- the quarantined message's scan record
        queue_id TEXT NOT NULL,
        decision TEXT NOT NULL,             -- release | delete
        decided_by TEXT NOT NULL,
        reason TEXT NOT NULL,               -- digits masked
        decided_at INTEGER NOT NULL,
        applied_at INTEGER,
        result TEXT);
      )sql",
      // 9: the shared store (sendguard-sync): a journal of local history, used-code and warning changes
      // for it to push, written by triggers only once sync is enabled (a row in sync_state),
      // and quiet while sendguard-sync applies rows pulled from it (a row in sync_applying).
      R"sql(
      CREATE TABLE sync_state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE sync_applying (one INTEGER PRIMARY KEY);
      CREATE TABLE sync_journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,               -- sender, recipient, pair, name, domain, code
        k1 TEXT NOT NULL,
        k2 TEXT NOT NULL DEFAULT '',
        delta INTEGER NOT NULL DEFAULT 0); -- messages added (sender, recipient, domain)
      -- Scan records pulled from other gateways: the gateway that carried the send and its id
      -- there ('' and NULL for this gateway's own).
      ALTER TABLE scan_records ADD COLUMN origin TEXT NOT NULL DEFAULT '';
      ALTER TABLE scan_records ADD COLUMN origin_id INTEGER;
      CREATE UNIQUE INDEX scan_records_by_origin ON scan_records (origin, origin_id);
      )sql" +
          SyncTriggers(),
      // 10: holds in the shared store (sendguard-sync pushes each hold and each change of its
      // state, with its sealed copy while it is held), journalled like the rest once sync is
      // enabled; holds already waiting when this runs on a syncing gateway are journalled too.
      // `answered`: the sender answered on a core (pulled from the shared store), so this
      // gateway's expiry leaves the hold to the release worker that carries the answer out.
      HoldSyncTriggers() + R"sql(
      ALTER TABLE held_messages ADD COLUMN answered INTEGER NOT NULL DEFAULT 0;
      INSERT INTO sync_journal (kind, k1) SELECT 'hold', id FROM held_messages
        WHERE state IN ('held', 'releasing') AND EXISTS (SELECT 1 FROM sync_state WHERE name = 'enabled');
      )sql",
  };
  return kMigrations;
}

// PostgreSQL: the same tables as SQLite's migrations 1-8 leave them (integers are BIGINT,
// scan record ids an identity column). Later releases add a migration to both lists.
const std::vector<std::string>& PostgresMigrations() {
  static const std::vector<std::string> kMigrations = {
      R"sql(
      CREATE TABLE history_senders (sender TEXT PRIMARY KEY, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
        messages BIGINT NOT NULL);
      CREATE TABLE history_recipients (sender TEXT NOT NULL, recipient TEXT NOT NULL, domain TEXT NOT NULL,
        first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, messages BIGINT NOT NULL, PRIMARY KEY (sender, recipient));
      CREATE INDEX history_recipients_by_recipient ON history_recipients (recipient);
      CREATE TABLE history_pairs (sender TEXT NOT NULL, pair TEXT NOT NULL, last_seen BIGINT NOT NULL,
        PRIMARY KEY (sender, pair));
      CREATE TABLE history_names (sender TEXT NOT NULL, token TEXT NOT NULL, PRIMARY KEY (sender, token));
      CREATE TABLE history_domains (domain TEXT PRIMARY KEY, messages BIGINT NOT NULL, last_seen BIGINT NOT NULL);
      CREATE INDEX history_domains_by_use ON history_domains (messages DESC);
      CREATE TABLE used_confirm_codes (code TEXT PRIMARY KEY, expires BIGINT NOT NULL);
      CREATE TABLE scan_records (
        id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at BIGINT NOT NULL, queue_id TEXT NOT NULL, message_id TEXT NOT NULL, sender TEXT NOT NULL,
        sender_domain TEXT NOT NULL, recipients TEXT NOT NULL, verdict TEXT NOT NULL, outcome TEXT NOT NULL,
        policies TEXT NOT NULL, signals TEXT NOT NULL, findings TEXT NOT NULL, complete BIGINT NOT NULL,
        subject TEXT NOT NULL DEFAULT '', recalled BIGINT NOT NULL DEFAULT 0, message_sha256 TEXT NOT NULL DEFAULT '');
      CREATE INDEX scan_records_by_message_id ON scan_records (message_id);
      CREATE INDEX scan_records_by_time ON scan_records (at);
      CREATE INDEX scan_records_by_sender_subject ON scan_records (sender, subject, at);
      CREATE TABLE incident_outbox (draft_id TEXT PRIMARY KEY, payload TEXT NOT NULL, created BIGINT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0, next_attempt BIGINT NOT NULL, delivered BIGINT,
        refused BIGINT NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '');
      CREATE INDEX incident_outbox_due ON incident_outbox (delivered, refused, next_attempt);
      CREATE TABLE pending_warnings (key TEXT PRIMARY KEY, draft_id TEXT NOT NULL, payload TEXT NOT NULL,
        expires BIGINT NOT NULL);
      CREATE TABLE held_messages (id TEXT PRIMARY KEY, created BIGINT NOT NULL, expires BIGINT NOT NULL,
        state TEXT NOT NULL, release_as TEXT NOT NULL DEFAULT '', outcome_at BIGINT);
      CREATE INDEX held_messages_by_state ON held_messages (state, expires);
      CREATE TABLE mail_outbox (id TEXT PRIMARY KEY, sealed TEXT NOT NULL, created BIGINT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0, next_attempt BIGINT NOT NULL, sent BIGINT,
        last_error TEXT NOT NULL DEFAULT '');
      CREATE INDEX mail_outbox_due ON mail_outbox (sent, next_attempt);
      CREATE TABLE self_report_links (id TEXT PRIMARY KEY, sender TEXT NOT NULL, reporter TEXT NOT NULL,
        created BIGINT NOT NULL, expires BIGINT NOT NULL, used_at BIGINT);
      CREATE TABLE quarantine_decisions (record_id BIGINT PRIMARY KEY, queue_id TEXT NOT NULL, decision TEXT NOT NULL,
        decided_by TEXT NOT NULL, reason TEXT NOT NULL, decided_at BIGINT NOT NULL, applied_at BIGINT, result TEXT);
      )sql",
      // 2: the shared store of several gateways (sendguard-sync): each shared row names the
      // gateway that last changed it and a sequence number (pushes take turns, so numbers
      // are committed in order and a gateway pulls what is newer than the last it saw).
      R"sql(
      CREATE SEQUENCE sync_seq;
      ALTER TABLE history_senders ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN origin TEXT NOT NULL DEFAULT '';
      ALTER TABLE history_recipients ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN origin TEXT NOT NULL DEFAULT '';
      ALTER TABLE history_pairs ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN origin TEXT NOT NULL DEFAULT '';
      ALTER TABLE history_names ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN origin TEXT NOT NULL DEFAULT '';
      ALTER TABLE history_domains ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN origin TEXT NOT NULL DEFAULT '';
      ALTER TABLE used_confirm_codes ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN origin TEXT NOT NULL DEFAULT '';
      ALTER TABLE pending_warnings ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN origin TEXT NOT NULL DEFAULT '',
        ADD COLUMN gone BIGINT NOT NULL DEFAULT 0;
      CREATE INDEX history_senders_seq ON history_senders (seq);
      CREATE INDEX history_recipients_seq ON history_recipients (seq);
      CREATE INDEX history_pairs_seq ON history_pairs (seq);
      CREATE INDEX history_names_seq ON history_names (seq);
      CREATE INDEX history_domains_seq ON history_domains (seq);
      CREATE INDEX used_confirm_codes_seq ON used_confirm_codes (seq);
      CREATE INDEX pending_warnings_seq ON pending_warnings (seq);
      ALTER TABLE scan_records ADD COLUMN origin TEXT NOT NULL DEFAULT '', ADD COLUMN origin_id BIGINT,
        ADD COLUMN seq BIGINT NOT NULL DEFAULT 0, ADD COLUMN changed_by TEXT NOT NULL DEFAULT '';
      CREATE UNIQUE INDEX scan_records_by_origin ON scan_records (origin, origin_id);
      CREATE INDEX scan_records_seq ON scan_records (seq);
      )sql",
      // 3: holds shared by every gateway and core: each gateway's holds as it last pushed them,
      // with the copy (hex of the file in <state_dir>/held, sealed under the deployment's key,
      // its key id inside) while the message is held or being released, '' once it has an
      // outcome. The store never holds a message in clear.
      R"sql(
      -- The core records the sender's answer (state release_requested or cancel_requested;
      -- request: the justification, JSON; request_sig: the core's signature of the answer with
      -- the deployment key) and a gateway's release worker claims it (holder, lease end;
      -- attempts and the last error for the admin), marks it `sending` on its gateway before
      -- the SMTP hand-over, and ends it (sendguard/holds/shared_holds.h).
      CREATE TABLE holds (id TEXT PRIMARY KEY, origin TEXT NOT NULL, created BIGINT NOT NULL, expires BIGINT NOT NULL,
        state TEXT NOT NULL, release_as TEXT NOT NULL DEFAULT '', outcome_at BIGINT NOT NULL DEFAULT 0,
        sealed TEXT NOT NULL DEFAULT '', seq BIGINT NOT NULL DEFAULT 0, request TEXT NOT NULL DEFAULT '',
        requested_at BIGINT NOT NULL DEFAULT 0, claim_holder TEXT NOT NULL DEFAULT '', claim_until BIGINT NOT NULL DEFAULT 0,
        attempts BIGINT NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '', request_sig TEXT NOT NULL DEFAULT '',
        sending_gateway TEXT NOT NULL DEFAULT '');
      ALTER TABLE held_messages ADD COLUMN answered BIGINT NOT NULL DEFAULT 0;
      CREATE INDEX holds_seq ON holds (seq);
      CREATE INDEX holds_by_state ON holds (state, claim_until);
      )sql",
  };
  return kMigrations;
}

}  // namespace

Result<std::unique_ptr<common::SqlDb>> OpenStateDb(const std::string& where) {
  auto db = common::OpenSqlDb(where);
  if (!db.ok()) return db.status();
  if (Status st = (*db)->Migrate(Migrations(), PostgresMigrations(), "gateway"); !st.ok()) {
    return Status(st.code(), (*db)->Describe() + ": " + st.message());
  }
  return db;
}

}  // namespace sendguard::milter
