// SPDX-License-Identifier: Apache-2.0
// What every IG page shares: the redirect after a change, what a role may do in the pages, the
// navigation bar, the refusal line, a duration and the API's reasons in words.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "accounts.h"
#include "sendguard/common/http_server.h"

namespace sendguard::incident {

common::HttpResponse Redirect(const std::string& to);
// What each role may do in the pages (the API decides; the pages offer only what it allows).
bool Assesses(const WebSession& s);
bool ReadsOnly(const WebSession& s);
std::string Nav(const WebSession& s);
std::string Flash(const std::string& error);
std::string Minutes(int64_t m);
// The reasons the API gave, as one sentence.
std::string Reasons(const nlohmann::json& body);

}  // namespace sendguard::incident
