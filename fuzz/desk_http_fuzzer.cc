// SPDX-License-Identifier: Apache-2.0
// Fuzz target: sendguard-desk's endpoints (holds, self-report links, scan-record lookups,
// subject access, quarantine review) behind the token check, as sendguard-desk routes them,
// against a real state database. The first byte says whether the request carries the
// gateway's token, so the fuzzer reaches the endpoints themselves. Without it, everything must
// be refused.
#include "fuzz_support.h"
#include "hold_endpoint.h"
#include "http_input.h"
#include "control_routes.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/milter/state_db.h"
#include "temp_dir.h"

namespace {

using namespace sendguard;
using namespace sendguard::milter;

struct Controls {
  const std::string token = "fuzz-milter-token-0123456789abcdef";
  common::KeyedHasher hasher{"fuzzing key, not a secret"};
  common::SealKey seal{"fuzzing key, not a secret", "held"};
  std::shared_ptr<const Config> config;
  std::string state_db = (fuzz::TempDir() / "state.db").string();
  ControlRoutes routes;

  Controls() {
    fuzz::Check(OpenStateDb(state_db).ok(), "cannot make the state database");
    auto parsed = ParseConfig("", "(defaults)");
    fuzz::Check(parsed.ok(), "the default configuration does not parse");
    config = std::make_shared<const Config>(std::move(parsed).value());
    // No SMTP server: a release that gets this far fails to connect and says so.
    routes = ControlRoutes{HoldEndpoint{state_db, (fuzz::TempDir() / "held").string(), "smtp://127.0.0.1:9", &hasher, &seal, [] {}},
                           SelfReportEndpoint{state_db, &hasher, &seal, [this] { return config; }, [] {}},
                           QuarantineEndpoint{state_db, &hasher}, token};
  }

  common::HttpResponse Handle(const common::HttpRequest& r) const { return routes.Handle(r); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Controls controls;
  const auto in = fuzz::Select(data, size, 2);
  common::HttpRequest req = fuzz::ParseRequest(in.rest);
  if (in.choice == 1) req.headers["authorization"] = "Bearer " + controls.token;
  const common::HttpResponse res = controls.Handle(req);
  fuzz::Check(res.status >= 200 && res.status <= 599, "answer outside 200-599");
  if (in.choice == 0) fuzz::Check(res.status == 401, "a request without the token was not refused");
  return 0;
}
