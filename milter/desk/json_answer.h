// SPDX-License-Identifier: Apache-2.0
// A control endpoint's JSON answer: one line, invalid UTF-8 replaced rather than thrown (an
// error may quote what the request carried).
#pragma once

#include <nlohmann/json.hpp>

#include "sendguard/common/http_server.h"

namespace sendguard::milter {

inline common::HttpResponse JsonAnswer(int status, const nlohmann::json& body) {
  common::HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return r;
}

}  // namespace sendguard::milter
