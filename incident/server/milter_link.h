// SPDX-License-Identifier: Apache-2.0
// The core's calls to a gateway's programs: sendguard-desk (holds, scan records, self-reports,
// quarantine, subject access: desk_url) and sendguard-milter's metrics (milter_url): the URL and
// the token the desk requires (the gateway's own token, core.yaml milter_token_file), in one
// place so no call forgets it.
#pragma once

#include <string>

#include "sendguard/common/http_client.h"

namespace sendguard::incident {

struct MilterLink {
  std::string url;    // "" = no milter: the pages that need it say so
  std::string token;  // sent as "Authorization: Bearer TOKEN"

  bool enabled() const { return !url.empty(); }
  // METHOD url+path_and_query with the token (and a JSON content type when there is a body).
  common::HttpCallResult Call(const std::string& method, const std::string& path_and_query, const std::string& body = "",
                              long timeout_ms = 10000) const;
};

}  // namespace sendguard::incident
