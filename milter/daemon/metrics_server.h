// SPDX-License-Identifier: Apache-2.0
// Serves Metrics::Render on http://ADDR:PORT/metrics, liveness on /healthz and, when given,
// other paths (the hold controls) to `more` (common's HttpServer, its own threads); and the
// guard every control endpoint passes: the milter's token.
#pragma once

#include <functional>

#include <memory>
#include <optional>
#include <string>

#include "sendguard/common/http_server.h"
#include "sendguard/common/status.h"
#include "sendguard/milter/metrics.h"

namespace sendguard::milter {

class MetricsServer {
 public:
  // `listen` is "ADDR:PORT" (IPv4). Port 0 picks a free one (see port()). `extra`, when
  // given, is appended to each scrape (the shared store's health, read at scrape time).
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& listen, const Metrics& metrics,
                                                      common::HttpServer::Handler more = {},
                                                      std::function<std::string()> extra = {});
  int port() const { return server_->port(); }

 private:
  std::unique_ptr<common::HttpServer> server_;
};

// Nothing when `req` carries "Authorization: Bearer TOKEN" with the milter's `token` (compared
// in constant time); else the refusal: 401, or 503 when no token is configured (the control
// endpoints are then closed to everyone).
std::optional<common::HttpResponse> RefuseWithoutToken(const common::HttpRequest& req, const std::string& token);

}  // namespace sendguard::milter
