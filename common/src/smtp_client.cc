// SPDX-License-Identifier: Apache-2.0
// SMTP submission with libcurl (see smtp_client.h).
#include "sendguard/common/smtp_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

namespace sendguard::common {
namespace {

struct Upload {
  const std::string* data;
  size_t at = 0;
};

size_t Read(char* buffer, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t take = std::min(u->data->size() - u->at, size * n);
  std::memcpy(buffer, u->data->data() + u->at, take);
  u->at += take;
  return take;
}

}  // namespace

Status SendSmtp(const SmtpSend& send) {
  if (send.recipients.empty()) return InvalidArgument("SMTP: no recipients");
  CURL* c = curl_easy_init();
  if (!c) return Internal("SMTP: curl_easy_init failed");
  Upload upload{&send.message};
  curl_slist* rcpt = nullptr;
  for (const auto& r : send.recipients) rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
  const std::string from = "<" + send.from + ">";
  curl_easy_setopt(c, CURLOPT_URL, send.url.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &Read);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(send.message.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, send.connect_timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, send.timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(c);
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(c);
  if (rc == CURLE_OK) return Status();
  std::string error = std::string("SMTP to ") + send.url + ": " + curl_easy_strerror(rc);
  if (reply != 0) error += " (server replied " + std::to_string(reply) + ")";
  return IoError(error);
}

}  // namespace sendguard::common
