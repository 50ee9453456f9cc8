// SPDX-License-Identifier: Apache-2.0
// The core's calls to the milter (see milter_link.h).
#include "milter_link.h"

namespace sendguard::incident {

common::HttpCallResult MilterLink::Call(const std::string& method, const std::string& path_and_query, const std::string& body,
                                        long timeout_ms) const {
  common::HttpCall call;
  call.method = method;
  call.url = url + path_and_query;
  call.body = body;
  if (!token.empty()) call.headers.push_back("Authorization: Bearer " + token);
  if (!body.empty()) call.headers.push_back("Content-Type: application/json");
  call.connect_timeout_ms = 2000;
  call.timeout_ms = timeout_ms;
  return common::Perform(call);
}

}  // namespace sendguard::incident
