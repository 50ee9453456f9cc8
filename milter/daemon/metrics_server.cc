// SPDX-License-Identifier: Apache-2.0
// The Prometheus endpoint (see metrics_server.h).
#include "metrics_server.h"

namespace sendguard::milter {

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen, const Metrics& metrics,
                                                            std::function<std::string()> extra) {
  auto handler = [&metrics, extra](const common::HttpRequest& req) {
    common::HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (req.method != "GET") {
      r.status = 405;
      r.body = "only GET\n";
    } else if (req.path == "/metrics") {
      r.body = metrics.Render();
      if (extra) r.body += extra();
    } else if (req.path == "/healthz") {
      r.body = "ok\n";
    } else {
      r.status = 404;
      r.body = "not found: try /metrics\n";
    }
    return r;
  };
  common::HttpServerOptions options;
  options.threads = 2;
  options.connection_limit = 16;
  options.timeout_seconds = 10;
  auto server = common::HttpServer::Start(listen, handler, options);
  if (!server.ok()) return InvalidArgument("metrics_listen: " + server.status().message());
  std::unique_ptr<MetricsServer> out(new MetricsServer());
  out->server_ = std::move(*server);
  return out;
}

}  // namespace sendguard::milter
