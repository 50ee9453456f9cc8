// Serves Metrics::Render on http://ADDR:PORT/metrics (libmicrohttpd, its own thread).
#pragma once

#include <memory>
#include <string>

#include "sendguard/common/status.h"
#include "sendguard/milter/metrics.h"

struct MHD_Daemon;

namespace sendguard::milter {

class MetricsServer {
 public:
  // `listen` is "ADDR:PORT" (IPv4). Port 0 picks a free one (see port()).
  static Result<std::unique_ptr<MetricsServer>> Start(const std::string& listen, const Metrics& metrics);
  ~MetricsServer();
  int port() const { return port_; }

 private:
  MetricsServer() = default;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
};

}  // namespace sendguard::milter
