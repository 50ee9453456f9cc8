// SPDX-License-Identifier: Apache-2.0
// Holds in the shared store: the core's show and request, the workers' claim and finish (see
// shared_holds.h). PostgreSQL only (SKIP LOCKED, the sync sequence): the shared store is.
#include "sendguard/holds/shared_holds.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sendguard/common/log_line.h"
#include "sendguard/common/text.h"

namespace sendguard::holds {
namespace {

using nlohmann::json;

// Every change a gateway pulls is numbered from sync_seq under this lock, so numbers commit in
// order (as sendguard-sync's pushes take it).
constexpr const char* kSeqLock = "sendguard-sync-push";

}  // namespace

// What the core signs of an answer, so a worker carries out only what a core recorded.
std::string AnswerSigned(const std::string& id, const std::string& state, const std::string& request, int64_t at) {
  return "sendguard hold answer|" + id + "|" + state + "|" + request + "|" + std::to_string(at);
}

bool SharedHolds::LinkValid(const std::string& id, const std::string& token) const {
  return IsHoldId(id) && HoldLinkTokenValid(hasher_, id, token);
}

HoldAnswer SharedHolds::Read(common::SqlDb& db, const std::string& id, const std::string& token, std::time_t now,
                             HeldMessage* held) const {
  if (!LinkValid(id, token)) return {403, "", "this link is not valid (it may have been copied incompletely)", ""};
  auto q = db.Prepare("SELECT state, created, expires, sealed FROM holds WHERE id = ?");
  if (!q.ok()) return {500, "", q.status().message(), ""};
  (*q)->Bind(1, id);
  if (!(*q)->Step()) {
    if (!(*q)->status().ok()) return {500, "", (*q)->status().message(), ""};
    return {404, "", "no such held message", ""};
  }
  held->id = id;
  held->state = (*q)->Text(0);
  held->created = static_cast<std::time_t>((*q)->Int(1));
  held->expires = static_cast<std::time_t>((*q)->Int(2));
  const std::string sealed_hex = (*q)->Text(3);
  (*q)->Reset();
  const std::string state = held->state;
  if (state == "held" && held->expires <= now) return {410, "expired", "the time to confirm has passed", ""};
  if (state != "held") return {409, state, "this message is no longer waiting (" + state + ")", ""};
  const auto sealed = common::HexDecode(sealed_hex);
  if (!sealed || sealed->empty()) return {500, state, "the held copy is missing", ""};
  auto plain = seal_.Open(*sealed, id);
  if (!plain.ok()) return {500, state, "held message " + id + ": " + plain.status().message(), ""};
  auto parsed = ParseHeldPlain(id, *plain);
  if (!parsed.ok()) return {500, state, parsed.status().message(), ""};
  const std::time_t created = held->created, expires = held->expires;
  *held = std::move(parsed).value();
  held->state = state;
  held->created = created;
  held->expires = expires;
  return {200, state, "", ""};
}

HoldAnswer SharedHolds::Show(common::SqlDb& db, const std::string& id, const std::string& token, std::time_t now) const {
  HeldMessage m;
  HoldAnswer a = Read(db, id, token, now, &m);
  if (a.http_status == 200 || a.http_status == 409 || a.http_status == 410) {
    m.id = id;
    m.state = a.state;
    a.view_json = HoldViewJson(m, a.http_status == 200);
  }
  return a;
}

HoldAnswer SharedHolds::Request(common::SqlDb& db, const std::string& id, const std::string& token, bool release,
                                const ConfirmRequest& request, std::time_t now) const {
  HeldMessage m;
  HoldAnswer a = Read(db, id, token, now, &m);
  if (a.http_status != 200) return a;
  if (release) {
    if (std::string problem = ConfirmRequestProblem(request); !problem.empty()) return {422, a.state, problem, ""};
    const bool someone_left = std::any_of(m.recipients.begin(), m.recipients.end(), [&](const std::string& r) {
      return !request.except_flagged || std::find(m.flagged.begin(), m.flagged.end(), r) == m.flagged.end();
    });
    if (!someone_left) return {422, a.state, "leaving out the flagged recipients leaves nobody to send to", ""};
  }
  const json asked = {{"action", release ? "release" : "cancel"},
                      {"reason", request.reason},
                      {"text", common::RepairUtf8(request.text)},
                      {"except_flagged", request.except_flagged}};
  const std::string next = release ? "release_requested" : "cancel_requested";
  {
    common::SqlTransaction tx(db);
    if (!tx.begun()) return {500, a.state, tx.begin_status().message(), ""};
    if (Status st = db.LockForWrite(kSeqLock); !st.ok()) return {500, a.state, st.message(), ""};
    auto up = db.Prepare(
        "UPDATE holds SET state = ?, request = ?, requested_at = ?, request_sig = ?, seq = nextval('sync_seq') "
        "WHERE id = ? AND state = 'held' AND expires > ?");
    if (!up.ok()) return {500, a.state, up.status().message(), ""};
    const int64_t at = now;
    const std::string request_json = asked.dump();
    const std::string sig = hasher_.Hex(AnswerSigned(id, next, request_json, at));
    if (Status st = (*up)->Bind(1, next).Bind(2, request_json).Bind(3, at).Bind(4, sig).Bind(5, id).Bind(6, at).Run();
        !st.ok()) {
      return {500, a.state, st.message(), ""};
    }
    if (db.Changes() == 1) {
      if (Status st = tx.Commit(); !st.ok()) return {500, a.state, st.message(), ""};
      return {200, next, "", ""};
    }
  }
  return Read(db, id, token, now, &m);  // answered first by someone else, or expired just now
}

Result<std::optional<ClaimedHold>> SharedHolds::Claim(common::SqlDb& db, const std::string& holder,
                                                      const std::string& gateway, std::time_t now,
                                                      int lease_seconds) const {
  common::SqlTransaction tx(db);
  if (!tx.begun()) return tx.begin_status();
  auto q = db.Prepare(
      "SELECT id, origin, created, expires, state, request, sealed, requested_at, attempts, request_sig FROM holds "
      "WHERE (state IN ('release_requested', 'cancel_requested') OR (state = 'sending' AND sending_gateway = ?)) "
      "AND claim_until < ? ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED");
  if (!q.ok()) return q.status();
  (*q)->Bind(1, gateway).Bind(2, int64_t{now});
  if (!(*q)->Step()) {
    if (!(*q)->status().ok()) return (*q)->status();
    return std::optional<ClaimedHold>();
  }
  ClaimedHold c;
  c.id = (*q)->Text(0);
  c.origin = (*q)->Text(1);
  c.created = static_cast<std::time_t>((*q)->Int(2));
  c.expires = static_cast<std::time_t>((*q)->Int(3));
  const std::string state = (*q)->Text(4);
  const std::string request_json = (*q)->Text(5);
  const auto sealed = common::HexDecode((*q)->Text(6));
  c.answered_at = static_cast<std::time_t>((*q)->Int(7));
  c.attempts = (*q)->Int(8) + 1;
  const std::string sig = (*q)->Text(9);
  (*q)->Reset();
  c.sending = state == "sending";
  c.release = state != "cancel_requested";
  // A `sending` row was signed as release_requested, before this gateway took it over.
  c.signed_ok = hasher_.Verifies(AnswerSigned(c.id, c.release ? "release_requested" : "cancel_requested", request_json,
                                              static_cast<int64_t>(c.answered_at)),
                                 sig);
  const json asked = json::parse(request_json, nullptr, false);
  if (asked.is_object()) {
    c.request.reason = asked.value("reason", "");
    c.request.text = asked.value("text", "");
    c.request.except_flagged = asked.value("except_flagged", false);
  }
  if (sealed) c.sealed = *sealed;
  auto up = db.Prepare("UPDATE holds SET claim_holder = ?, claim_until = ?, attempts = attempts + 1 WHERE id = ?");
  if (!up.ok()) return up.status();
  if (Status st = (*up)->Bind(1, holder).Bind(2, int64_t{now} + lease_seconds).Bind(3, c.id).Run(); !st.ok()) return st;
  if (Status st = tx.Commit(); !st.ok()) return st;
  return std::optional<ClaimedHold>(std::move(c));
}

Result<bool> SharedHolds::MarkSending(common::SqlDb& db, const std::string& id, const std::string& holder,
                                      const std::string& gateway) {
  common::SqlTransaction tx(db);
  if (!tx.begun()) return tx.begin_status();
  if (Status st = db.LockForWrite(kSeqLock); !st.ok()) return st;
  auto up = db.Prepare(
      "UPDATE holds SET state = 'sending', sending_gateway = ?, seq = nextval('sync_seq') WHERE id = ? AND "
      "claim_holder = ? AND state = 'release_requested'");
  if (!up.ok()) return up.status();
  if (Status st = (*up)->Bind(1, gateway).Bind(2, id).Bind(3, holder).Run(); !st.ok()) return st;
  const bool marked = db.Changes() == 1;
  if (Status st = tx.Commit(); !st.ok()) return st;
  return marked;
}

Result<bool> SharedHolds::Finish(common::SqlDb& db, const std::string& id, const std::string& holder,
                                 const std::string& state, std::time_t now, const std::string& why) {
  common::SqlTransaction tx(db);
  if (!tx.begun()) return tx.begin_status();
  if (Status st = db.LockForWrite(kSeqLock); !st.ok()) return st;
  auto up = db.Prepare(
      "UPDATE holds SET state = ?, outcome_at = ?, sealed = '', request = '', claim_holder = '', claim_until = 0, "
      "last_error = ?, seq = nextval('sync_seq') WHERE id = ? AND claim_holder = ? AND state IN ('release_requested', "
      "'cancel_requested', 'sending')");
  if (!up.ok()) return up.status();
  if (Status st = (*up)->Bind(1, state).Bind(2, int64_t{now}).Bind(3, common::OneLine(why).substr(0, 300)).Bind(4, id)
                      .Bind(5, holder).Run();
      !st.ok()) {
    return st;
  }
  const bool finished = db.Changes() == 1;
  if (Status st = tx.Commit(); !st.ok()) return st;
  return finished;
}

Status SharedHolds::GiveBack(common::SqlDb& db, const std::string& id, const std::string& holder, const std::string& error,
                             std::time_t now, int retry_seconds) {
  auto up = db.Prepare("UPDATE holds SET claim_holder = '', claim_until = ?, last_error = ? WHERE id = ? AND claim_holder = ?");
  if (!up.ok()) return up.status();
  return (*up)->Bind(1, int64_t{now} + retry_seconds).Bind(2, common::OneLine(error).substr(0, 300)).Bind(3, id).Bind(4, holder).Run();
}

}  // namespace sendguard::holds
