// SPDX-License-Identifier: Apache-2.0
// What every IG page shares (see ig_frame.h).
#include "ig_frame.h"

#include "breach_form.h"
#include "html_page.h"
#include "incident_words.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {

using common::HttpResponse;
using nlohmann::json;

HttpResponse Redirect(const std::string& to) {
  HttpResponse r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", to);
  AddSecurityHeaders(r);
  return r;
}

// What each role may do in the pages (the API decides; the pages offer only what it allows).
bool Assesses(const WebSession& s) { return s.role == "ig_officer" || s.role == "dpo"; }
bool ReadsOnly(const WebSession& s) { return s.role == "admin" || s.role == "auditor"; }

std::string Nav(const WebSession& s) {
  const bool officer = s.role == "investigating_officer";
  std::string links = std::string("<a href=\"/\">") + (officer ? "My cases" : "Incidents") + "</a> ";
  if (Assesses(s)) links += "<a href=\"/incidents/new\" id=\"new-incident\">New incident</a> ";
  if (!officer) links += "<a href=\"/reports\">Reports</a> ";
  if (Assesses(s)) links += "<a href=\"/subject-access\" id=\"subject-access\">Subject access</a> ";
  if (Assesses(s) || s.role == "admin") links += "<a href=\"/admin\">Mail filter</a> ";
  std::string scope;
  for (const auto& d : s.directorates) scope += (scope.empty() ? ", " : "; ") + d;
  return "<nav class=\"top\">" + links + "<span class=\"muted\" id=\"who\">" + HtmlEscape(s.user) + " (" +
         HtmlEscape(RoleWords(s.role)) + HtmlEscape(scope) + ")</span> <form method=\"post\" action=\"/logout\" "
         "class=\"inline\">" + HiddenInput("csrf", s.csrf) + "<button type=\"submit\" class=\"secondary\" id=\"logout\">Log out</button></form></nav>\n";
}

std::string Flash(const std::string& error) {
  return error.empty() ? "" : "<p class=\"refused\" role=\"alert\" id=\"error\">" + HtmlEscape(error) + "</p>\n";
}

std::string Minutes(int64_t m) {
  if (m >= 24 * 60) return std::to_string(m / (24 * 60)) + " d " + std::to_string(m % (24 * 60) / 60) + " h";
  return std::to_string(m / 60) + " h " + std::to_string(m % 60) + " min";
}

// The reasons the API gave, as one sentence.
std::string Reasons(const json& body) {
  std::string out;
  for (const auto& e : body.value("errors", json::array())) {
    out += (out.empty() ? "" : "; ") + e.value("field", std::string()) + (e.value("field", std::string()).empty() ? "" : ": ") +
           e.value("reason", std::string());
  }
  return out.empty() ? "the change was refused" : FieldsInWords(out);
}

}  // namespace sendguard::incident
