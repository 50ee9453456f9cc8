// SPDX-License-Identifier: Apache-2.0
// The core's HTML pages share one frame: escaping, the page shell (no inline script or
// style: one stylesheet from /static), and the security headers every page carries
// (CSP without inline script, frame denial, no referrer: staff links carry their token).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sendguard/common/http_server.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {

using common::HtmlEscape;

// <input type="hidden"> with an escaped value (form tokens).
std::string HiddenInput(const std::string& name, const std::string& value);

// A cookie's value from the request ("" when absent).
std::string CookieValue(const common::HttpRequest& request, const std::string& name);

// Whether the request came straight from one of `trusted_proxies`.
bool FromTrustedProxy(const common::HttpRequest& request, const std::vector<std::string>& trusted_proxies);
// The client's address: the last X-Forwarded-For entry when a trusted proxy sent the request
// (the address the proxy saw), else the connection's.
std::string ClientAddress(const common::HttpRequest& request, const std::vector<std::string>& trusted_proxies);

// A page for a member of staff that says why nothing was done, and whom to ask.
// In English or Welsh ("cy").
common::HttpResponse StaffRefusal(int status, const std::string& title, const std::string& text, const std::string& language = "en");

// The 400 page for a posted form whose text is not valid UTF-8 (a browser sends these UTF-8
// pages' forms in UTF-8; anything else is refused, never stored), or nothing when it is.
std::optional<common::HttpResponse> RefuseNonUtf8Form(const std::vector<std::pair<std::string, std::string>>& form);

// A whole page: <title>, the header bar, `body_html` in <main>.
// `language` sets the page's lang (en or cy).
common::HttpResponse HtmlPage(int status, const std::string& title, const std::string& body_html, const std::string& language = "en");

// Adds the security headers to any response the core gives.
void AddSecurityHeaders(common::HttpResponse& response);

// /static/sendguard.css (and nothing else under /static).
common::HttpResponse StaticAsset(const std::string& path);

}  // namespace sendguard::incident
