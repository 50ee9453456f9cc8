// SPDX-License-Identifier: Apache-2.0
// Serves Metrics::Render on http://ADDR:PORT/metrics and liveness on /healthz (common's
// HttpServer, its own threads). Nothing else: the core's controls (holds, self-reports,
// quarantine, subject access) are sendguard-desk's (milter/desk), not the mail path's.
#pragma once

#include <functional>

#include <memory>
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
                                                      std::function<std::string()> extra = {});
  int port() const { return server_->port(); }

 private:
  std::unique_ptr<common::HttpServer> server_;
};

}  // namespace sendguard::milter
