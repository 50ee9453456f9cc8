// SPDX-License-Identifier: Apache-2.0
// The release worker (see release_worker.h).
#include "release_worker.h"

#include "sendguard/common/postgres.h"
#include "sendguard/holds/shared_holds.h"
#include "sendguard/milter/held_messages.h"
#include "sendguard/milter/hold_desk.h"
#include "sendguard/milter/incident_outbox.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

bool Final(const std::string& state) {
  return state == "released" || state == "partially_released" || state == "cancelled" || state == "expired";
}

using Step = std::function<Status(const std::string&, const std::string&)>;

// One claimed answer, the hold now here: `end(state, why)` tells the store how it ended,
// `later(why)` gives the claim back.
Status CarryOut(const holds::ClaimedHold& c, common::SqlDb& shared, common::SqlDb& local, const ReleaseWorkerOptions& o,
                const std::function<std::time_t()>& clock, const Step& end,
                const std::function<Status(const std::string&)>& later) {
  HeldMessages held(local, o.held_dir, o.seal);
  // A release this gateway began and whose claim lapsed: still releasing here means its copy
  // never passed this gateway's milter (which marks it released as it does), so it goes again.
  if (c.sending) {
    if (auto unstuck = held.Unstick(c.id); !unstuck.ok()) return unstuck.status();
  }
  HoldDesk desk(local, *o.hasher, *o.seal, o.held_dir);
  HoldOutcome out;
  if (c.release) {
    if (!c.sending) {
      // The outcome is filed from this gateway's copy of the hold's warning: wait for sync to
      // bring it (a while), rather than release and file nothing.
      if (c.origin != o.gateway && c.attempts <= o.warning_wait_attempts) {
        auto has = IncidentOutbox(local).HasWarning(HoldPendingKey(c.id));
        if (!has.ok()) return has.status();
        if (!*has) return later("its warning has not reached this gateway yet");
      }
      auto marked = holds::SharedHolds::MarkSending(shared, c.id, o.holder, o.gateway);
      if (!marked.ok()) return marked.status();
      if (!*marked) return Status();  // the claim lapsed meanwhile: another worker has it
    }
    out = desk.Release(c.id, c.request, o.smtp_url, clock(), c.answered_at);
  } else {
    out = desk.CancelHeld(c.id, clock(), c.answered_at);
  }
  // 200: done now; an outcome with another status: done before (a round that died before
  // telling the store, the gateway's own expiry) or sent with its incident not queued (500,
  // logged); 410: the hold's time had run out when the sender answered.
  if (out.http_status == 200 || Final(out.state)) return end(out.state, out.http_status == 200 ? "" : out.error);
  if (out.http_status == 410) return end("expired", "");
  return later(std::to_string(out.http_status) + " " + out.error);
}

}  // namespace

Result<int> CarryOutHoldAnswers(common::SqlDb& shared, common::SqlDb& local, const ReleaseWorkerOptions& o,
                                const std::function<std::time_t()>& clock, const std::atomic<bool>* stop) {
  auto say = [&](const std::string& line) {
    if (o.log) o.log(line);
  };
  const holds::SharedHolds store(*o.hasher, *o.seal);
  int ended = 0;
  while (!(stop && stop->load())) {
    auto claimed = store.Claim(shared, o.holder, o.gateway, clock(), o.lease_seconds);
    if (!claimed.ok()) return claimed.status();
    if (!*claimed) return ended;
    const holds::ClaimedHold& c = **claimed;
    const std::string what = "hold " + c.id + " (made on " + c.origin + "): ";
    auto end = [&](const std::string& state, const std::string& why) -> Status {
      auto finished = holds::SharedHolds::Finish(shared, c.id, o.holder, state, clock(), why);
      if (!finished.ok()) return finished.status();  // done here; the next claim finds it ended (409)
      say(what + state + (why.empty() ? "" : " (" + why + ")") + (*finished ? "" : " (the claim had lapsed)"));
      ++ended;
      return Status();
    };
    auto later = [&](const std::string& why) -> Status {
      say(what + (c.release ? "release" : "cancel") + " not carried out (" + why + "); tried again later");
      return holds::SharedHolds::GiveBack(shared, c.id, o.holder, why, clock(), o.retry_seconds);
    };
    Status st;
    if (!c.signed_ok) {
      st = end("failed", "the answer is not signed with the deployment key");
    } else if (c.attempts > o.max_attempts) {
      st = end("failed", "not carried out after " + std::to_string(o.max_attempts) + " attempts");
    } else if (Status adopted = HeldMessages(local, o.held_dir, o.seal).Adopt(c.id, c.created, c.expires, c.sealed);
               !adopted.ok()) {
      st = later("cannot take it from the shared store: " + adopted.message());
    } else {
      st = CarryOut(c, shared, local, o, clock, end, later);
    }
    if (!st.ok()) return st;
  }
  return ended;
}

ReleaseWorker::ReleaseWorker(ReleaseWorkerOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

ReleaseWorker::~ReleaseWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();  // a release under way finishes first (the unit's stop timeout allows for it)
  thread_.join();
}

void ReleaseWorker::Run() {
  std::unique_ptr<common::SqlDb> local, shared;
  std::string last_problem;
  auto problem = [&](const std::string& what) {
    if (what != last_problem && options_.log) options_.log("release worker: " + what);
    last_problem = what;
  };
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stop_.load(); })) return;
    }
    if (!local) {
      auto db = OpenStateDb(options_.state_db);
      if (!db.ok()) {
        problem(db.status().message());
        continue;
      }
      local = std::move(db).value();
    }
    if (!shared) {
      auto db = common::PostgresDb::Open(options_.shared_store, {std::chrono::seconds(3), std::chrono::milliseconds(10000)});
      if (!db.ok()) {
        problem("the shared store: " + db.status().message());
        continue;
      }
      shared = std::move(db).value();
    }
    auto round = CarryOutHoldAnswers(*shared, *local, options_, [] { return std::time(nullptr); }, &stop_);
    if (!round.ok()) {
      problem(round.status().message());
      shared.reset();  // reconnect next round
      continue;
    }
    if (!last_problem.empty() && options_.log) options_.log("release worker: working again");
    last_problem.clear();
  }
}

}  // namespace sendguard::milter
