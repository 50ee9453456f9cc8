// SPDX-License-Identifier: Apache-2.0
// The page frame and the stylesheet (see html_page.h).
#include "html_page.h"

#include <algorithm>

#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

// Plain, readable, high contrast; works without the stylesheet too.
constexpr std::string_view kStylesheet = R"css(
:root { --ink: #0b0c0c; --muted: #505a5f; --line: #b1b4b6; --brand: #1d4f91; --warn: #d4351c; --ok: #00703c; --bg: #f3f2f1; }
* { box-sizing: border-box; }
body { margin: 0; font: 19px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--ink); background: #fff; }
header.bar { background: var(--brand); color: #fff; padding: 10px 24px; font-weight: 700; }
header.bar a { color: #fff; }
main { max-width: 760px; margin: 24px auto; padding: 0 24px 48px; }
h1 { font-size: 32px; line-height: 1.2; margin: 8px 0 16px; }
h2 { font-size: 24px; margin: 28px 0 8px; }
.explanation { border-left: 6px solid var(--warn); background: var(--bg); padding: 12px 16px; }
.done { border-left: 6px solid var(--ok); background: var(--bg); padding: 12px 16px; }
.refused { border-left: 6px solid var(--warn); padding: 12px 16px; }
ul.recipients { padding-left: 20px; }
.flag { display: inline-block; margin-left: 8px; padding: 0 6px; background: var(--warn); color: #fff; font-size: 15px; font-weight: 700; }
fieldset { border: 0; padding: 0; margin: 16px 0; }
legend { font-weight: 700; margin-bottom: 6px; }
label { display: block; margin: 6px 0; }
textarea { width: 100%; min-height: 90px; font: inherit; padding: 6px; border: 2px solid var(--ink); }
button { font: inherit; font-weight: 700; padding: 8px 16px; border: 0; cursor: pointer; margin-right: 12px; }
button.primary { background: var(--ok); color: #fff; }
button.secondary { background: var(--bg); color: var(--ink); border: 2px solid var(--ink); }
button:focus, textarea:focus, input:focus, a:focus { outline: 3px solid #fd0; outline-offset: 0; }
.muted { color: var(--muted); font-size: 16px; }
form.inline { display: inline; }
nav.top { margin-bottom: 16px; }
nav.top a { margin-right: 16px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
tr.overdue td { background: #f6d7d2; font-weight: 700; }
tr.due-soon td { background: #fff2d3; }
.counts span { margin-right: 16px; }
.filters label { display: inline-block; margin-right: 12px; }
table.grid { width: auto; }
table.grid td { padding: 2px; border: 0; }
button.cell { width: 56px; height: 44px; margin: 0; color: var(--ink); border: 2px solid transparent; }
button.cell.green { background: #cce2d8; } button.cell.yellow { background: #fff7bf; }
button.cell.amber { background: #ffdfb0; } button.cell.red { background: #f4c3bc; }
button.cell.chosen { border-color: var(--ink); outline: 3px solid var(--brand); }
input, select { font: inherit; padding: 4px 6px; border: 2px solid var(--ink); }
.ticks label { display: flex; gap: 8px; align-items: center; font-weight: normal; }
.ticks { border: 0; padding: 0; margin: 6px 0; }
details.section { margin: 6px 0; border-left: 4px solid var(--brand); padding-left: 10px; }
details.section summary { cursor: pointer; font-weight: bold; padding: 4px 0; }
.form-section .field { margin-bottom: 8px; }
)css";

}  // namespace

std::string CookieValue(const common::HttpRequest& req, const std::string& name) {
  const std::string header = req.Header("cookie");  // Split's views point into it
  for (auto part : common::Split(header, ';')) {
    part = common::Trim(part);
    if (part.substr(0, name.size() + 1) == name + "=") return std::string(part.substr(name.size() + 1));
  }
  return "";
}

bool FromTrustedProxy(const common::HttpRequest& req, const std::vector<std::string>& trusted) {
  return std::find(trusted.begin(), trusted.end(), req.client_ip) != trusted.end();
}

std::string ClientAddress(const common::HttpRequest& req, const std::vector<std::string>& trusted) {
  const std::string forwarded = req.Header("x-forwarded-for");
  if (forwarded.empty() || !FromTrustedProxy(req, trusted)) return req.client_ip;
  const size_t comma = forwarded.rfind(',');
  return std::string(common::Trim(comma == std::string::npos ? std::string_view(forwarded) : std::string_view(forwarded).substr(comma + 1)));
}

common::HttpResponse StaffRefusal(int status, const std::string& title, const std::string& text, const std::string& language) {
  const std::string ask = language == "cy" ? "Os ydych yn meddwl bod hyn yn anghywir, cysylltwch \u00e2'ch t\u00eem llywodraethu gwybodaeth."
                                           : "If you think this is wrong, contact your information governance team.";
  return HtmlPage(status, title, "<h1>" + HtmlEscape(title) + "</h1><p class=\"refused\">" + HtmlEscape(text) +
                                     "</p><p class=\"muted\">" + ask + "</p>", language);
}

std::string HiddenInput(const std::string& name, const std::string& value) {
  return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + common::HtmlEscape(value) + "\">";
}

void AddSecurityHeaders(common::HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                         "frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-store");
}

common::HttpResponse HtmlPage(int status, const std::string& title, const std::string& body_html, const std::string& language) {
  common::HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = "<!doctype html>\n<html lang=\"" + std::string(language == "cy" ? "cy-GB" : "en-GB") + "\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
           "<title>" + common::HtmlEscape(title) + " - sendguard</title>"
           "<link rel=\"stylesheet\" href=\"/static/sendguard.css\"></head>\n<body>"
           "<header class=\"bar\">sendguard</header>\n<main>\n" + body_html + "\n</main></body></html>\n";
  AddSecurityHeaders(r);
  return r;
}

common::HttpResponse StaticAsset(const std::string& path) {
  common::HttpResponse r;
  if (path != "/static/sendguard.css") {
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "not found\n";
  } else {
    r.content_type = "text/css; charset=utf-8";
    r.body = std::string(kStylesheet);
    r.headers.emplace_back("Cache-Control", "max-age=3600");
  }
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

std::optional<common::HttpResponse> RefuseNonUtf8Form(const std::vector<std::pair<std::string, std::string>>& form) {
  for (const auto& [key, value] : form) {
    if (!common::IsValidUtf8(key) || !common::IsValidUtf8(value)) {
      return HtmlPage(400, "Refused", "<h1>Refused</h1><p class=\"refused\">The form's text is not valid UTF-8. Go back, "
                                      "retype it and try again.</p>");
    }
  }
  return std::nullopt;
}

}  // namespace sendguard::incident
