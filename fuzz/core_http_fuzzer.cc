// SPDX-License-Identifier: Apache-2.0
// Fuzz target: sendguard-core's request handling (the router, the API, the IG, staff and
// self-report pages) as the handler receives requests, against a real SQLite store. The
// first byte picks who is asking (nobody, a token of each role, a session of each web role),
// so the fuzzer reaches past authentication; a session's POSTs carry its CSRF token. Checks
// that every answer is a real HTTP status and that nothing is answered 2xx to nobody but the
// open paths.
#include <array>
#include <ctime>

#include "core_router.h"
#include "fuzz_support.h"
#include "http_input.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/incident/store.h"
#include "temp_dir.h"

namespace {

using namespace sendguard;
using namespace sendguard::incident;

struct Core {
  std::unique_ptr<IncidentStore> store;
  std::unique_ptr<IncidentService> service;
  std::unique_ptr<Accounts> accounts;
  ApiSettings api;
  common::KeyedHasher page_key{"fuzzing page key, not a secret"};
  SingleSignOn sso;
  std::unique_ptr<StaffPages> staff;
  std::unique_ptr<SelfReportPages> self_reports;
  std::unique_ptr<IgPages> pages;
  CoreRouter router;
  std::array<std::string, 4> tokens;     // IG_OFFICER, DPO, MAIL_FILTER, READER
  // ig_officer, dpo, admin, investigating_officer, siro, auditor
  std::array<WebSession, 6> sessions;
  std::array<std::string, 6> cookies;

  Core() {
    auto opened = OpenSqliteStore(fuzz::TempDir() / "incidents.db");
    fuzz::Check(opened.ok(), "cannot open the incident store");
    store = std::move(opened).value();
    service = std::make_unique<IncidentService>(*store, CoreConfig{}, NowUtc);
    auto acc = Accounts::Open((fuzz::TempDir() / "accounts.db").string());
    fuzz::Check(acc.ok(), "cannot open accounts");
    accounts = std::move(acc).value();
    const std::time_t now = std::time(nullptr);
    const std::array<const char*, 4> token_roles{"IG_OFFICER", "DPO", "MAIL_FILTER", "READER"};
    for (size_t i = 0; i < token_roles.size(); ++i) {
      fuzz::Check(accounts->AddToken(std::string("fuzz-") + token_roles[i], token_roles[i], now, &tokens[i]).ok(),
                  "cannot add a token");
    }
    const std::array<const char*, 6> web_roles{"ig_officer", "dpo", "admin", "investigating_officer", "siro", "auditor"};
    for (size_t i = 0; i < web_roles.size(); ++i) {
      const std::string name = std::string("fuzz.") + web_roles[i];
      fuzz::Check(accounts->AddSsoUser(name, web_roles[i]).ok(), "cannot add a user");
      auto s = accounts->SsoLogin(name, now, &cookies[i]);
      fuzz::Check(s.ok(), "cannot open a session");
      sessions[i] = *s;
    }
    // Letters are produced and recorded (a keyed hash of whom they went to); no email is set up.
    api.hasher = &page_key;
    api.organisation.name = "Fuzz Borough Council";
    api.organisation.dpo_name = "The DPO";
    api.organisation.dpo_email = "dpo@fuzz.example";
    staff = std::make_unique<StaffPages>(StaffPages{api.milter, &page_key, nullptr, ""});
    self_reports = std::make_unique<SelfReportPages>(SelfReportPages{api.milter, &page_key, service.get(), false});
    pages = std::make_unique<IgPages>(IgPages{service.get(), &api, accounts.get(), false, &sso, {}, nullptr, "http://127.0.0.1:8025"});
    router = CoreRouter{self_reports.get(), staff.get(), pages.get(), service.get(), &api, accounts.get(),
                        [](const common::HttpRequest& req, const std::string& what) {
                          std::fprintf(stderr, "%s %s threw: %s\n", req.method.c_str(), req.path.c_str(), what.c_str());
                        }};
  }
};

bool OpenPath(const std::string& path) {
  return path == "/healthz" || path == "/login" || path.rfind("/static/", 0) == 0 || path.rfind("/staff/", 0) == 0 ||
         path.rfind("/self-report", 0) == 0 || path.rfind("/officer/", 0) == 0;  // a link's page: its button signs in
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Core core;
  const auto in = fuzz::Select(data, size, 11);
  common::HttpRequest req = fuzz::ParseRequest(in.rest);
  if (in.choice >= 1 && in.choice <= 4) req.headers["authorization"] = "Bearer " + core.tokens[in.choice - 1];
  if (in.choice >= 5) {
    const size_t s = in.choice - 5;
    req.headers["cookie"] = "sg_session=" + core.cookies[s];
    if (req.method == "POST") req.body = "csrf=" + core.sessions[s].csrf + "&" + req.body;
  }
  const common::HttpResponse res = core.router.Handle(req);
  fuzz::Check(res.status >= 200 && res.status <= 599, "answer outside 200-599");
  fuzz::Check(res.status != 500, "a request made a handler throw (500)");
  if (in.choice == 0 && res.status / 100 == 2 && !OpenPath(req.path)) {
    fuzz::Violated("2xx to a caller with no session or token on", req.method + " " + req.path);
  }
  return 0;
}
