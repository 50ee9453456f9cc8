// SPDX-License-Identifier: Apache-2.0
// HTTP requests with libcurl, and form decoding (see http_client.h).
#include "sendguard/common/http_client.h"

#include <curl/curl.h>

#include <algorithm>

#include "sendguard/common/text.h"

namespace sendguard::common {
namespace {

struct Sink {
  std::string* body;
  size_t max;
};

size_t Collect(char* p, size_t size, size_t n, void* user) {
  auto* s = static_cast<Sink*>(user);
  if (s->body->size() < s->max) s->body->append(p, std::min(size * n, s->max - s->body->size()));
  return size * n;
}

}  // namespace

HttpCallResult Perform(const HttpCall& call) {
  HttpCallResult r;
  CURL* c = curl_easy_init();
  if (!c) {
    r.error = "curl_easy_init failed";
    return r;
  }
  curl_slist* headers = nullptr;
  for (const auto& h : call.headers) headers = curl_slist_append(headers, h.c_str());
  Sink sink{&r.body, call.max_body};
  curl_easy_setopt(c, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method != "GET" && call.method != "HEAD") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, call.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, call.timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  const CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  else r.error = curl_easy_strerror(rc);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return r;
}

std::vector<std::pair<std::string, std::string>> ParseForm(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string::npos) amp = body.size();
    const std::string pair = body.substr(pos, amp - pos);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      out.emplace_back(PercentDecode(pair.substr(0, eq), true), eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
    }
    pos = amp + 1;
  }
  return out;
}

std::string FormValue(const std::vector<std::pair<std::string, std::string>>& form, const std::string& name) {
  std::string value;
  for (const auto& [k, v] : form) {
    if (k == name) value = v;
  }
  return value;
}

}  // namespace sendguard::common
