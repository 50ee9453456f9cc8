// SPDX-License-Identifier: Apache-2.0
// A small HTTP/1.1 server over libmicrohttpd for sendguard's loopback endpoints (the milter's
// metrics, the assessment core's API and pages): requests are collected whole (bodies bounded)
// and handed to one handler on libmicrohttpd's thread pool; the handler returns the response.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sendguard/common/status.h"

struct MHD_Daemon;

namespace sendguard::common {

struct HttpRequest {
  std::string method;
  std::string path;                            // without the query string
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  std::string client_ip;
  std::string Header(const std::string& lower_name) const;
  std::string Query(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpServerOptions {
  size_t max_body_bytes = 1 << 20;  // larger bodies get 413 without reaching the handler
  unsigned threads = 4;
  unsigned connection_limit = 64;
  unsigned timeout_seconds = 30;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // `listen` is "ADDR:PORT" (IPv4); port 0 picks a free one (see port()).
  static Result<std::unique_ptr<HttpServer>> Start(const std::string& listen, Handler handler,
                                                   HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  int port() const { return port_; }

  // Internal: state shared with libmicrohttpd's callbacks.
  struct Shared {
    Handler handler;
    HttpServerOptions options;
  };

 private:
  HttpServer() = default;
  MHD_Daemon* daemon_ = nullptr;
  int port_ = 0;
  std::unique_ptr<Shared> shared_;
};

}  // namespace sendguard::common
