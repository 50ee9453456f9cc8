// The Prometheus endpoint over libmicrohttpd (see metrics_server.h).
#include "metrics_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstring>

namespace sendguard::milter {

namespace {

MHD_Result Handle(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                  const char*, size_t*, void**) {
  const auto* metrics = static_cast<const Metrics*>(cls);
  std::string body;
  unsigned status = MHD_HTTP_OK;
  const char* type = "text/plain; version=0.0.4; charset=utf-8";
  if (std::strcmp(method, "GET") != 0) {
    status = MHD_HTTP_METHOD_NOT_ALLOWED;
    body = "only GET\n";
  } else if (std::strcmp(url, "/metrics") == 0) {
    body = metrics->Render();
  } else if (std::strcmp(url, "/healthz") == 0) {
    body = "ok\n";
  } else {
    status = MHD_HTTP_NOT_FOUND;
    body = "not found: try /metrics\n";
  }
  MHD_Response* response = MHD_create_response_from_buffer(body.size(), body.data(), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(response, "Content-Type", type);
  MHD_Result rc = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return rc;
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::Start(const std::string& listen, const Metrics& metrics) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("metrics_listen must be ADDRESS:PORT, not '" + listen + "'");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1)));
  if (inet_pton(AF_INET, listen.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("metrics_listen: not an IPv4 address: " + listen.substr(0, colon));
  }
  std::unique_ptr<MetricsServer> server(new MetricsServer());
  server->daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, &Handle,
                                     const_cast<Metrics*>(&metrics), MHD_OPTION_SOCK_ADDR, &addr,
                                     MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
  if (!server->daemon_) return IoError("cannot listen for metrics on " + listen);
  const union MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info ? info->port : 0;
  return server;
}

MetricsServer::~MetricsServer() {
  if (daemon_) MHD_stop_daemon(daemon_);
}

}  // namespace sendguard::milter
