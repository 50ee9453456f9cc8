// SPDX-License-Identifier: Apache-2.0
// libmicrohttpd adapter: accumulates each request's body (bounded), then calls the handler.
#include "sendguard/common/http_server.h"

#include <cstdio>
#include <exception>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#include <cstring>

#include "sendguard/common/ip_address.h"

namespace sendguard::common {
namespace {

struct Pending {
  HttpRequest request;
  bool too_large = false;
};

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* map = static_cast<std::map<std::string, std::string>*>(cls);
  std::string k = key ? key : "";
  for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  (*map)[k] = value ? value : "";
  return MHD_YES;
}

MHD_Result CollectQuery(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* map = static_cast<std::map<std::string, std::string>*>(cls);
  (*map)[key ? key : ""] = value ? value : "";
  return MHD_YES;
}

MHD_Result Send(MHD_Connection* connection, const HttpResponse& r) {
  MHD_Response* response = MHD_create_response_from_buffer(r.body.size(), const_cast<char*>(r.body.data()),
                                                           MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(response, "Content-Type", r.content_type.c_str());
  for (const auto& [name, value] : r.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
  MHD_Result rc = MHD_queue_response(connection, static_cast<unsigned>(r.status), response);
  MHD_destroy_response(response);
  return rc;
}

MHD_Result Handle(void* cls, MHD_Connection* connection, const char* url, const char* method, const char*,
                  const char* upload_data, size_t* upload_size, void** con_cls) {
  auto* shared = static_cast<HttpServer::Shared*>(cls);
  auto* pending = static_cast<Pending*>(*con_cls);
  if (!pending) {  // first call: headers only
    pending = new Pending();
    pending->request.method = method;
    pending->request.path = url;
    MHD_get_connection_values(connection, MHD_HEADER_KIND, &CollectHeader, &pending->request.headers);
    MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, &CollectQuery, &pending->request.query);
    const MHD_ConnectionInfo* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info) pending->request.client_ip = AddressText(info->client_addr);
    *con_cls = pending;
    return MHD_YES;
  }
  if (*upload_size > 0) {  // body chunks
    if (!pending->too_large) {
      if (pending->request.body.size() + *upload_size > shared->options.max_body_bytes) {
        pending->too_large = true;
        pending->request.body.clear();
      } else {
        pending->request.body.append(upload_data, *upload_size);
      }
    }
    *upload_size = 0;
    return MHD_YES;
  }
  HttpResponse response;
  if (pending->too_large) {
    response.status = 413;
    response.body = R"({"errors":[{"field":"","reason":"the request body is larger than )" +
                    std::to_string(shared->options.max_body_bytes) + R"( bytes"}]})";
  } else {
    // The last line of defence: an exception a handler let through would otherwise end the
    // process from libmicrohttpd's thread (for the milter, the mail path). Handlers answer
    // their own errors; this answers 500 and says so on standard error.
    try {
      response = shared->handler(pending->request);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "http: %s %s: unhandled exception: %s\n", pending->request.method.c_str(),
                   pending->request.path.c_str(), e.what());
      response = HttpResponse{500, "application/json", R"({"errors":[{"field":"","reason":"internal error"}]})", {}};
    } catch (...) {
      response = HttpResponse{500, "application/json", R"({"errors":[{"field":"","reason":"internal error"}]})", {}};
    }
  }
  return Send(connection, response);
}

void Completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
  delete static_cast<Pending*>(*con_cls);
  *con_cls = nullptr;
}

}  // namespace

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& listen, Handler handler,
                                                      HttpServerOptions options) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidArgument("listen address must be ADDRESS:PORT, not '" + listen + "'");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(listen.c_str() + colon + 1)));
  if (inet_pton(AF_INET, listen.substr(0, colon).c_str(), &addr.sin_addr) != 1) {
    return InvalidArgument("not an IPv4 address: " + listen.substr(0, colon));
  }
  std::unique_ptr<HttpServer> server(new HttpServer());
  server->shared_ = std::make_unique<Shared>(Shared{std::move(handler), options});
  // A pool only when asked for more than one thread (libmicrohttpd warns about a pool of one).
  const MHD_OptionItem pool[] = {{options.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
                                  static_cast<intptr_t>(options.threads), nullptr},
                                 {MHD_OPTION_END, 0, nullptr}};
  server->daemon_ = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, nullptr, nullptr, &Handle, server->shared_.get(),
      MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_LIMIT, options.connection_limit,
      MHD_OPTION_CONNECTION_TIMEOUT, options.timeout_seconds, MHD_OPTION_NOTIFY_COMPLETED, &Completed, nullptr,
      MHD_OPTION_ARRAY, pool, MHD_OPTION_END);
  if (!server->daemon_) return IoError("cannot listen on " + listen);
  const union MHD_DaemonInfo* info = MHD_get_daemon_info(server->daemon_, MHD_DAEMON_INFO_BIND_PORT);
  server->port_ = info ? info->port : 0;
  return server;
}

HttpServer::~HttpServer() {
  if (daemon_) MHD_stop_daemon(daemon_);
}

}  // namespace sendguard::common
