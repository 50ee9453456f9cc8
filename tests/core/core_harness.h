// SPDX-License-Identifier: Apache-2.0
// Runs the real sendguard-core for integration tests: a private SQLite file (or a given
// PostgreSQL database), a free loopback port, started and stopped (SIGTERM) with the harness;
// and a libcurl client for its API.
#pragma once

#include <curl/curl.h>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "process_harness.h"

namespace sendguard::testing {

struct HttpResult {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string headers;  // the response's header block, as received
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class CoreServer {
 public:
  // `port` 0 picks a free one. The core's own milter token is made first (see
  // milter_token_file()); `start` false leaves Start() to the caller (after AppendConfig).
  // `db`: the store ("" = a private SQLite file); cores given the same PostgreSQL database
  // share it (and its accounts), each with a milter token of its own name.
  explicit CoreServer(const std::string& name, const std::string& config_yaml = "", int port = 0, bool start = true,
                      const std::string& db = "")
      : dir_(std::filesystem::temp_directory_path() / ("sendguard-core-" + name + "-" + std::to_string(::getpid()))),
        port_(port ? port : FreePort()) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "core.yaml") << "listen: 127.0.0.1:" << port_ << "\ndb: \""
                                      << (db.empty() ? (dir_ / "incidents.db").string() : db)
                                      << "\"\nmilter_token_file: " << milter_token_file().string() << "\n" << config_yaml;
    const std::string made = Command("token add sendguard-milter" + (db.empty() ? std::string() : "-" + name) +
                                     " --role MAIL_FILTER --output " + milter_token_file().string());
    EXPECT_NE(made.find("written to"), std::string::npos) << made;
    if (start) Start();
  }
  ~CoreServer() {
    Stop();
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_);
  }
  void AppendConfig(const std::string& yaml) { std::ofstream(dir_ / "core.yaml", std::ios::app) << yaml; }
  // Makes a page account NAME with ROLE and signs in as the login form does (its token and
  // cookie); the session's "Cookie: sg_session=..." header, and the session's form token from
  // `page` in *csrf. Empty on failure (with a test failure recorded).
  std::string SignIn(const std::string& name, const std::string& role, const std::string& page, std::string* csrf) {
    const auto password = dir_ / (name + ".password");
    std::ofstream(password) << "correct horse battery staple\n";
    const std::string added = Command("user add " + name + " --role " + role + " --password-file " + password.string());
    EXPECT_NE(added.find("saved"), std::string::npos) << added;
    const std::string form = "Content-Type: application/x-www-form-urlencoded";
    auto login = Request("GET", "/login");
    std::smatch m;
    if (!std::regex_search(login.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) return "";
    const std::string login_csrf = m[1];
    if (!std::regex_search(login.headers, m, std::regex("sg_login=([0-9a-f]+)"))) return "";
    auto in = Request("POST", "/login", "csrf=" + login_csrf + "&name=" + name + "&password=correct+horse+battery+staple",
                      {form, "Cookie: sg_login=" + std::string(m[1])});
    if (!std::regex_search(in.headers, m, std::regex("sg_session=([0-9a-f]{64})"))) {
      ADD_FAILURE() << "no session: " << in.headers << in.body;
      return "";
    }
    const std::string cookie = "Cookie: sg_session=" + std::string(m[1]);
    auto shown = Request("GET", page, "", {cookie});
    if (!std::regex_search(shown.body, m, std::regex("name=\"csrf\" value=\"([0-9a-f]+)\""))) {
      ADD_FAILURE() << "no form token on " << page << ": " << shown.body;
      return "";
    }
    *csrf = m[1];
    return cookie;
  }
  void Start() {
    pid_ = Spawn({SENDGUARD_CORE_BIN, "--config", (dir_ / "core.yaml").string()}, dir_ / "core.log");
    int status = 0;
    ASSERT_TRUE(WaitForPort(port_, &pid_, 30, &status))
        << "sendguard-core did not start (exit status " << status << "):\n" << ReadFile(dir_ / "core.log");
  }
  // The token the milter presents to this core (and requires from it): give it to a
  // MilterDaemon as `core_token_file: PATH`.
  std::filesystem::path milter_token_file() const { return dir_ / "milter.token"; }
  // `sendguard-core --config CORE.yaml ARGS`, its standard output and error.
  std::string Command(const std::string& args, int* status = nullptr) const {
    std::string out;
    const int rc = Shell(std::string(SENDGUARD_CORE_BIN) + " --config " + (dir_ / "core.yaml").string() + " " + args, &out);
    if (status) *status = rc;
    return out;
  }
  // The Authorization header of a token with `role`, named `name` (made once per name).
  std::vector<std::string> As(const std::string& role, const std::string& name) {
    auto it = tokens_.find(name);
    if (it == tokens_.end()) {
      const std::string out = Command("token add " + name + " --role " + role);
      const size_t at = out.find("sgt_");
      EXPECT_NE(at, std::string::npos) << out;
      it = tokens_.emplace(name, at == std::string::npos ? std::string() : out.substr(at, 68)).first;
    }
    return {"Authorization: Bearer " + it->second};
  }
  void Stop() { Terminate(&pid_); }
  void Kill() { Terminate(&pid_, SIGKILL); }  // as a crash: no clean stop
  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string Log() { return ReadFile(dir_ / "core.log"); }

  // One request; `headers` like As("DPO", "dpo1").
  HttpResult Request(const std::string& method, const std::string& path, const std::string& body = "",
                     const std::vector<std::string>& headers = {}) {
    HttpResult r;
    CURL* c = curl_easy_init();
    std::string url = "http://127.0.0.1:" + std::to_string(port_) + path;
    curl_slist* list = nullptr;
    for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
    bool typed = false;
    for (const auto& h : headers) typed |= h.rfind("Content-Type:", 0) == 0;
    if (!body.empty() && !typed) list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (!body.empty()) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
      static_cast<std::string*>(out)->append(p, s * n);
      return s * n;
    });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, +[](char* p, size_t s, size_t n, void* out) {
      static_cast<std::string*>(out)->append(p, s * n);
      return s * n;
    });
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    if (curl_easy_perform(c) == CURLE_OK) {
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
      char* type = nullptr;
      curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
      if (type) r.content_type = type;
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return r;
  }

 private:
  std::filesystem::path dir_;
  int port_;
  std::map<std::string, std::string> tokens_;  // name -> token
  pid_t pid_ = -1;
};

}  // namespace sendguard::testing
