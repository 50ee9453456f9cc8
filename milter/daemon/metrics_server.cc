// SPDX-License-Identifier: Apache-2.0
// The Prometheus endpoint (see metrics_server.h).
#include "metrics_server.h"

#include "sendguard/common/text.h"

namespace sendguard::milter {

std::optional<common::HttpResponse> RefuseWithoutToken(const common::HttpRequest& req, const std::string& token) {
  if (!token.empty() && common::SecureEquals(req.Header("authorization"), "Bearer " + token)) return std::nullopt;
  common::HttpResponse r;
  r.content_type = "application/json";
  r.status = token.empty() ? 503 : 401;
  r.body = token.empty() ? "{\"error\": \"the control endpoints are closed: core_token_file is not readable\"}\n"
                         : "{\"error\": \"the milter's token is required (Authorization: Bearer TOKEN)\"}\n";
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen, const Metrics& metrics,
                                                            common::HttpServer::Handler more,
                                                            std::function<std::string()> extra) {
  auto handler = [&metrics, more, extra](const common::HttpRequest& req) {
    if (more && req.path != "/metrics" && req.path != "/healthz") return more(req);
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
  options.threads = 4;  // a release waits on the MTA: scrapes must not wait behind it
  options.connection_limit = 16;
  options.timeout_seconds = 10;
  auto server = common::HttpServer::Start(listen, handler, options);
  if (!server.ok()) return InvalidArgument("metrics_listen: " + server.status().message());
  std::unique_ptr<MetricsServer> out(new MetricsServer());
  out->server_ = std::move(*server);
  return out;
}

}  // namespace sendguard::milter
