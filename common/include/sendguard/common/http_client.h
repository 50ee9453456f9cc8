// SPDX-License-Identifier: Apache-2.0
// One HTTP request with libcurl, for sendguard's loopback calls between its own processes
// (the milter's hand-over to the core, the core's staff pages asking the milter) and webhooks.
#pragma once

#include <string>
#include <vector>

namespace sendguard::common {

struct HttpCallResult {
  long status = 0;    // 0 when no answer came
  std::string body;   // at most max_body bytes
  std::string error;  // curl's reason when status is 0
};

struct HttpCall {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
  long connect_timeout_ms = 2000;
  long timeout_ms = 10000;
  size_t max_body = 1 << 20;
};

HttpCallResult Perform(const HttpCall& call);

// Decodes application/x-www-form-urlencoded text ("a=1&b=x+y") into name -> value (the last
// of a repeated name wins).
std::vector<std::pair<std::string, std::string>> ParseForm(const std::string& body);
std::string FormValue(const std::vector<std::pair<std::string, std::string>>& form, const std::string& name);

}  // namespace sendguard::common
