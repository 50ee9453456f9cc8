// SPDX-License-Identifier: Apache-2.0
// The IG pages that show a report or a file rather than a case (see report_pages.h).
#include "report_pages.h"

#include "html_page.h"
#include "ig_frame.h"
#include "outputs_pages.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {

using common::HttpRequest;
using common::HttpResponse;
using nlohmann::json;

HttpResponse CommitteeReportPage(const WebSession& s, const PageApi& api, const HttpRequest& req) {
  const std::string from = req.Query("from").empty() ? "2026-01-01" : req.Query("from");
  const std::string to = req.Query("to").empty() ? "2027-01-01" : req.Query("to");
  const std::string q = "from=" + from + "&to=" + to;
  std::string html = Nav(s) + "<h1>Committee report</h1>\n<form method=\"get\" action=\"/reports\" class=\"filters\">"
                     "<label>From <input type=\"date\" name=\"from\" value=\"" + HtmlEscape(from) + "\"></label> "
                     "<label>To (not included) <input type=\"date\" name=\"to\" value=\"" + HtmlEscape(to) + "\"></label> "
                     "<button type=\"submit\" class=\"secondary\">Show</button></form>\n"
                     "<p><a id=\"download-csv\" href=\"/reports/download?" + HtmlEscape(q) + "&amp;format=csv\">Download CSV</a> "
                     "<a id=\"download-html\" href=\"/reports/download?" + HtmlEscape(q) + "&amp;format=html\">Download HTML</a></p>\n";
  HttpResponse report = api("GET", "/api/reports/committee", {{"from", from}, {"to", to}, {"format", "html"}}, "");
  if (report.status != 200) return HtmlPage(report.status, "Committee report", html + Flash(report.body));
  // The report is a whole document: its body goes inside this page.
  std::string body = report.body;
  const size_t b = body.find("<body");
  const size_t e = body.rfind("</body>");
  if (b != std::string::npos && e != std::string::npos) body = body.substr(body.find('>', b) + 1, e - body.find('>', b) - 1);
  return HtmlPage(200, "Committee report", html + "<section id=\"report\">" + body + "</section>");
}

// The milter's live state, from its Prometheus text: counters only, never content.
HttpResponse MailFilterPage(const WebSession& s, const MilterLink& milter) {
  std::string html = Nav(s) + "<h1>Mail filter</h1>\n";
  if (!milter.enabled()) return HtmlPage(200, "Mail filter", html + "<p>No mail filter is configured (milter_url).</p>");
  common::HttpCallResult r = milter.Call("GET", "/metrics", "", 5000);
  if (r.status != 200) {
    return HtmlPage(200, "Mail filter", html + Flash("The mail filter did not answer at " + milter.url + " (" +
                                                     (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error) + ")."));
  }
  std::string version, generation, loaded, rows;
  for (auto line_view : common::Split(r.body, '\n')) {
    const std::string line(line_view);
    if (line.empty() || line[0] == '#' || line.find("_bucket{") != std::string::npos) continue;
    if (line.rfind("sendguard_rules_info{", 0) == 0) {
      auto field = [&](const std::string& key) {
        const size_t at = line.find(key + "=\"");
        return at == std::string::npos ? std::string() : line.substr(at + key.size() + 2, line.find('"', at + key.size() + 2) - at - key.size() - 2);
      };
      version = field("version");
      generation = field("generation");
      continue;
    }
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    if (line.rfind("sendguard_rules_loaded_timestamp_seconds", 0) == 0) {
      loaded = common::FormatTime(static_cast<std::time_t>(std::atoll(line.c_str() + space + 1)), "%Y-%m-%d %H:%M:%S UTC");
      continue;
    }
    rows += "<tr><td><code>" + HtmlEscape(line.substr(0, space)) + "</code></td><td>" + HtmlEscape(line.substr(space + 1)) + "</td></tr>";
  }
  html += "<p>Rule set <strong id=\"rules-version\">" + HtmlEscape(version) + "</strong> (generation " + HtmlEscape(generation) +
          "), loaded <strong id=\"rules-loaded\">" + HtmlEscape(loaded) + "</strong>.</p>\n"
          "<table id=\"counters\"><tr><th>Counter</th><th>Value</th></tr>" + rows + "</table>\n";
  return HtmlPage(200, "Mail filter", html);
}

// The ICO report as a file (or JSON), as the API gives it.
HttpResponse IcoReportFile(const PageApi& api, const std::string& id, const HttpRequest& req) {
  HttpResponse out = api("GET", "/api/incidents/" + id + "/ico-report",
                            {{"format", req.Query("format")}, {"layout", req.Query("layout")}}, "");
  AddSecurityHeaders(out);
  return out;
}

HttpResponse SubjectAccessPage(const WebSession& s, const PageApi& api, const std::vector<std::pair<std::string, std::string>>& form, bool posted) {
  if (!Assesses(s)) return HtmlPage(403, "Refused", Nav(s) + Flash("the subject access search is the IG team's and the DPO's"));
  if (!posted) return HtmlPage(200, "Subject access search", Nav(s) + RenderSubjectAccess(nullptr, "", s.csrf));
  HttpResponse out = api("POST", "/api/subject-access", {}, json{{"address", common::FormValue(form, "address")}}.dump());
  const json answer = json::parse(out.body, nullptr, false);
  if (out.status != 200 || answer.is_discarded()) {
    HttpResponse page = HtmlPage(out.status == 200 ? 500 : out.status, "Subject access search",
                                 Nav(s) + RenderSubjectAccess(nullptr, Reasons(answer.is_discarded() ? json::object() : answer), s.csrf));
    return page;
  }
  return HtmlPage(200, "Subject access search", Nav(s) + RenderSubjectAccess(answer, "", s.csrf));
}

HttpResponse CommitteeReportDownload(const PageApi& api, const HttpRequest& req) {
  const bool html = req.Query("format") == "html";
  HttpResponse out = api("GET", "/api/reports/committee",
                            {{"from", req.Query("from")}, {"to", req.Query("to")}, {"format", html ? "html" : "csv"}}, "");
  if (html) out.headers.emplace_back("Content-Disposition", "attachment; filename=\"committee-report.html\"");
  AddSecurityHeaders(out);
  return out;
}

}  // namespace sendguard::incident
