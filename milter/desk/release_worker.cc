// SPDX-License-Identifier: Apache-2.0
// The release worker (see release_worker.h).
#include "release_worker.h"

#include "sendguard/common/postgres.h"
#include "sendguard/holds/shared_holds.h"
#include "sendguard/milter/held_messages.h"
#include "sendguard/milter/hold_desk.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter {
namespace {

bool Final(const std::string& state) {
  return state == "released" || state == "partially_released" || state == "cancelled" || state == "expired";
}

}  // namespace

Result<int> CarryOutHoldAnswers(common::SqlDb& shared, common::SqlDb& local, const ReleaseWorkerOptions& o, std::time_t now) {
  auto say = [&](const std::string& line) {
    if (o.log) o.log(line);
  };
  int ended = 0;
  for (;;) {
    auto claimed = holds::SharedHolds::Claim(shared, o.holder, now, o.lease_seconds);
    if (!claimed.ok()) return claimed.status();
    if (!*claimed) return ended;
    const holds::ClaimedHold& c = **claimed;
    HeldMessages held(local, o.held_dir, o.seal);
    if (Status st = held.Adopt(c.id, c.created, c.expires, c.sealed); !st.ok()) {
      say("hold " + c.id + ": cannot take it from the shared store (" + st.message() + "); tried again later");
      if (Status back = holds::SharedHolds::GiveBack(shared, c.id, o.holder, st.message(), now, o.retry_seconds); !back.ok()) {
        return back;
      }
      continue;
    }
    HoldDesk desk(local, *o.hasher, *o.seal, o.held_dir);
    const HoldOutcome out = c.release ? desk.Release(c.id, c.request, o.smtp_url, now) : desk.CancelHeld(c.id, now);
    // 200: done now; 409 with an outcome: done before (a round that died before telling the
    // store, or the gateway's own expiry); 410: its time ran out.
    std::string state;
    if (out.http_status == 200 || (out.http_status == 409 && Final(out.state))) state = out.state;
    if (out.http_status == 410) state = "expired";
    if (state.empty()) {
      say("hold " + c.id + ": " + (c.release ? "release" : "cancel") + " not carried out (" + std::to_string(out.http_status) +
          " " + out.error + "); tried again later");
      if (Status back = holds::SharedHolds::GiveBack(shared, c.id, o.holder, out.error, now, o.retry_seconds); !back.ok()) {
        return back;
      }
      continue;
    }
    auto finished = holds::SharedHolds::Finish(shared, c.id, o.holder, state, now);
    if (!finished.ok()) return finished.status();  // carried out here; the next claim finds it ended (409)
    say("hold " + c.id + " (made on " + c.origin + "): " + state + (*finished ? "" : " (the claim had lapsed)"));
    ++ended;
  }
}

ReleaseWorker::ReleaseWorker(ReleaseWorkerOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

ReleaseWorker::~ReleaseWorker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
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
      if (cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms), [&] { return stop_; })) return;
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
    auto round = CarryOutHoldAnswers(*shared, *local, options_, std::time(nullptr));
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
