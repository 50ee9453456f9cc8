// SPDX-License-Identifier: Apache-2.0
// The IG team's pages once the session is known (see ig_pages.h): the dashboard, the case page
// and its actions, reports, subject access and the admin page. Signing in is ig_sign_in.cc.
#include "ig_pages.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "breach_form.h"
#include "ig_frame.h"
#include "report_pages.h"
#include "casework_blocks.h"
#include "outputs_pages.h"
#include "html_page.h"
#include "incident_words.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using common::HttpRequest;
using common::HttpResponse;
using nlohmann::json;

class Page {
 public:
  Page(const IgPages& p, const WebSession& s) : p_(p), s_(s) {}

  // One request to the API's handler as this user (query parameters as a map).
  HttpResponse ApiRaw(const std::string& method, const std::string& path, std::map<std::string, std::string> query,
                      const std::string& body) const {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    r.body = body;
    return HandleApi(*p_.service, *p_.auth, SessionCaller(s_), r);
  }

  // One API call as this user, its answer as JSON ("PATH?QUERY").
  std::pair<long, json> Api(const std::string& method, const std::string& path, const json& body = nullptr) const {
    const size_t q = path.find('?');
    std::map<std::string, std::string> query;
    if (q != std::string::npos) {
      for (const auto& [k, v] : common::ParseForm(path.substr(q + 1))) query[k] = v;
    }
    HttpResponse out = ApiRaw(method, path.substr(0, q), std::move(query), body.is_null() ? "" : body.dump());
    json parsed = json::parse(out.body, nullptr, false);
    return {out.status, parsed.is_discarded() ? json{{"raw", out.body}} : parsed};
  }

  // A link to an incident from its list entry: its number once logged, else the id's start.
  static std::string IncidentLink(const json& summary) {
    const std::string id = summary.value("incident_id", "");
    const std::string number = summary.value("incident_number", "");
    return "<a href=\"/incidents/" + HtmlEscape(id) + "\">" + HtmlEscape(number.empty() ? id.substr(0, 8) : number) + "</a>";
  }

  HttpResponse Dashboard(const HttpRequest& req) const {
    std::string query = "/api/incidents?sort=deadline";
    for (const char* f : {"status", "kind", "service_area"}) {
      if (!req.Query(f).empty()) query += std::string("&") + f + "=" + common::PercentEncode(req.Query(f));
    }
    auto [status, body] = Api("GET", query);
    if (status != 200) return HtmlPage(status, "Incidents", Nav(s_) + Flash(Reasons(body)));
    std::map<std::string, int> counts;
    std::string rows, overdue;
    for (const auto& i : body.value("incidents", json::array())) {
      ++counts[i.value("status", "")];
      const json d = i.value("deadline", json::object());
      const std::string state = d.value("state", "");
      const std::string cls = state == "OVERDUE" || state == "MISSED" ? "overdue" : state == "DUE_SOON" ? "due-soon" : "";
      std::string left = "-";
      if (!d.empty()) {
        left = d.value("clock", "") + " " +
               (state == "OVERDUE" ? "overdue by " + Minutes(d.value("minutes_overdue", int64_t{0}))
                                   : state == "MET" ? "met" : Minutes(d.value("minutes_remaining", int64_t{0})) + " left");
      }
      rows += "<tr class=\"" + cls + "\"><td>" + IncidentLink(i) + "</td><td>" + HtmlEscape(TitleInWords(i)) + "</td><td>" + HtmlEscape(Readable(i.value("kind", ""))) +
              "</td><td>" + HtmlEscape(Readable(i.value("status", ""))) + "</td><td>" + HtmlEscape(left) + "</td></tr>";
      if (i.value("overdue_actions", 0) > 0) {
        overdue += "<li>" + IncidentLink(i) + " " + HtmlEscape(TitleInWords(i)) + ": " + std::to_string(i.value("overdue_actions", 0)) +
                   " overdue of " + std::to_string(i.value("open_actions", 0)) + " open</li>";
      }
    }
    std::string html = Nav(s_) + "<h1>" + (s_.role == "investigating_officer" ? "My cases" : "Incidents") + "</h1>\n<p class=\"counts\">";
    for (const auto& [st, n] : counts) html += "<span>" + HtmlEscape(Readable(st)) + ": <strong>" + std::to_string(n) + "</strong></span> ";
    html += "</p>\n<form method=\"get\" action=\"/\" class=\"filters\"><label>Status <select name=\"status\"><option value=\"\">any</option>";
    for (const std::string_view name : EnumNames<IncidentStatus>::kNames) {
      const std::string st(name);
      html += std::string("<option") + (req.Query("status") == st ? " selected" : "") + ">" + HtmlEscape(st) + "</option>";
    }
    html += "</select></label> <label>Kind <select name=\"kind\"><option value=\"\">any</option>";
    for (const std::string_view name : EnumNames<IncidentKind>::kNames) {
      const std::string k(name);
      html += std::string("<option") + (req.Query("kind") == k ? " selected" : "") + ">" + HtmlEscape(k) + "</option>";
    }
    html += "</select></label> <button type=\"submit\" class=\"secondary\">Filter</button></form>\n"
            "<table class=\"queue\" id=\"queue\"><thead><tr><th>Incident</th><th>Title</th><th>Kind</th><th>Status</th>"
            "<th>Deadline</th></tr></thead><tbody>" + rows + "</tbody></table>\n";
    if (!overdue.empty()) html += "<h2>Overdue actions</h2><ul id=\"overdue-actions\">" + overdue + "</ul>\n";
    return HtmlPage(200, "Incidents", html);
  }

  // `typed`: a refused section's values, shown as typed so nothing has to be typed again.
  HttpResponse Incident(const std::string& id, const std::string& error, const json& typed = json::object(),
                        const std::string& notice = "") const {
    auto [status, body] = Api("GET", "/api/incidents/" + id);
    if (status != 200) return HtmlPage(status, "Incident", Nav(s_) + Flash(Reasons(body)));
    for (const auto& [field, value] : typed.items()) {
      if (value.is_null()) body["incident"].erase(field);
      else body["incident"][field] = value;
    }
    const json& in = body["incident"];
    const json& d = body["derived"];
    const json nhs = d.value("nhs_result", json::object());
    std::string html = Nav(s_) + Flash(error) + (notice.empty() ? "" : "<p class=\"done\" role=\"status\" id=\"notice\">" + notice + "</p>\n");
    if (in.value("source", "") == "MAIL_FILTER") {
      const auto [headline, sentence] = MailStory(in);
      html += "<h1>" + HtmlEscape(headline) + "</h1>\n<p id=\"story\">" + HtmlEscape(sentence) + "</p>\n";
    } else {
      html += "<h1>" + HtmlEscape(in.value("title", "Incident")) + "</h1>\n";
    }
    // The enum names stay in data-value (for scripts and tests); people read the words.
    html += "<p>Kind <strong id=\"kind\" data-value=\"" + HtmlEscape(in.value("kind", "")) + "\">" +
            HtmlEscape(Readable(in.value("kind", ""))) + "</strong>, status <strong id=\"status\" data-value=\"" +
            HtmlEscape(in.value("status", "")) + "\">" + HtmlEscape(Readable(in.value("status", ""))) + "</strong>, " +
            HtmlEscape(SourceWords(in.value("source", ""))) + "</p>\n";
    // The case at a glance: its number, the deadline that matters now, and the advice.
    html += "<p id=\"at-a-glance\">Incident number <strong id=\"incident-number\">" +
            HtmlEscape(in.value("incident_number", "not given yet")) + "</strong>. <span id=\"deadline\">" +
            HtmlEscape(Deadline(d.value("clocks", json::object()))) + "</span>";
    if (d.contains("headline_recommendation") && d["headline_recommendation"].is_string()) {
      html += " Recommendation: <strong id=\"headline\">" + HtmlEscape(Readable(d["headline_recommendation"].get<std::string>())) +
              "</strong>" + (d.value("methods_disagree", false) ? " (the NHS grid and ENISA disagree: the DPO decides)" : "") + ".";
    }
    html += "</p>\n" + ClockList(d.value("clocks", json::object()));
    // Other incidents about the same email (a quarantine and its release, a warning and a
    // self-report): triage them together; one may be closed as a duplicate of another.
    const json related = body.value("related", json::array());
    if (!related.empty()) {
      html += "<h2>The same email</h2><ul id=\"related\">";
      for (const auto& r : related) {
        html += "<li>" + IncidentLink(r) + " " + HtmlEscape(TitleInWords(r)) + " (" + HtmlEscape(common::AsciiLower(Readable(r.value("kind", "")))) +
                ", " + HtmlEscape(common::AsciiLower(Readable(r.value("status", "")))) + ")</li>";
      }
      html += "</ul>\n";
    }
    html += MailFilterSawHtml(in);
    const std::string base = "/incidents/" + id;
    const std::string status_now = in.value("status", "");
    // A closed case is read-only until the DPO reopens it: no form but the status change.
    const bool closed = status_now == "CLOSED";
    const bool assesses = Assesses(s_) && !closed, dpo = s_.role == "dpo" && !closed;
    const bool officer = s_.role == "investigating_officer";
    if (closed) {
      html += "<p class=\"muted\" id=\"closed\">This case is closed and cannot be changed. The DPO can reopen it (status "
              "Under investigation, with a reason).</p>\n";
    }
    // The breach form is the investigating officer's until the case is ASSESSED (§1.11).
    const bool form_editable = assesses || (officer && (status_now == "DRAFT" || status_now == "UNDER_INVESTIGATION"));
    html += RenderOfficerLink(in, base, s_.csrf, assesses);
    // The NHS 5x5 grid: each cell a button (the investigating officer may propose a cell).
    const int l = in.value("nhs_likelihood", 0), im = in.value("nhs_impact", 0);
    html += "<h2>NHS 5x5 assessment</h2>\n<p id=\"nhs-result\">";
    if (nhs.is_object() && nhs.contains("score") && !nhs["score"].is_null()) {
      html += "Score <strong id=\"nhs-score\">" + nhs["score"].dump() + "</strong>, " + HtmlEscape(Readable(nhs.value("region", ""))) +
              ", <strong id=\"reportable\">" + (nhs.value("ico_reportable", false) ? "reportable to the ICO" : "not reportable") +
              "</strong>";
    } else {
      html += "Not assessed yet.";
    }
    html += "</p>\n";
    if (assesses || (officer && form_editable)) {
      html += "<form method=\"post\" action=\"" + HtmlEscape(base) + "/grid\" id=\"grid-form\">" + HiddenInput("csrf", s_.csrf) +
              "<label for=\"nhs_rationale\">Rationale (required)</label><textarea id=\"nhs_rationale\" name=\"nhs_rationale\">" +
              HtmlEscape(in.value("nhs_rationale", "")) + "</textarea>\n<table class=\"grid\"><caption>Likelihood (rows) by impact "
              "(columns): choose a cell</caption><tr><th></th>";
      for (int c = 1; c <= 5; ++c) html += "<th>Impact " + std::to_string(c) + "</th>";
      html += "</tr>";
      for (int r = 5; r >= 1; --r) {
        html += "<tr><th>Likelihood " + std::to_string(r) + "</th>";
        for (int c = 1; c <= 5; ++c) {
          const int score = r * c;
          const std::string band = score >= 15 ? "red" : score >= 8 ? "amber" : score >= 4 ? "yellow" : "green";
          html += "<td><button type=\"submit\" name=\"cell\" value=\"" + std::to_string(r) + "," + std::to_string(c) +
                  "\" class=\"cell " + band + (r == l && c == im ? " chosen" : "") + "\" id=\"cell-" + std::to_string(r) +
                  "-" + std::to_string(c) + "\" aria-label=\"likelihood " + std::to_string(r) + ", impact " +
                  std::to_string(c) + "\">" + std::to_string(score) + "</button></td>";
        }
        html += "</tr>";
      }
      html += "</table></form>\n";
    }
    if (assesses) html += RenderEnisaCalculator(in, d, base + "/enisa", s_.csrf);
    const json suggestions = Suggested(body);
    // The breach form, a section at a time (each saved on its own; a refusal names the field).
    html += "<h2>Breach form</h2>\n<div id=\"breach-form\">";
    for (const auto& section : BreachFormSections()) {
      const bool office = section.id == "office" || section.id == "ig";
      html += RenderFormSection(section, in, base + "/section/" + std::string(section.id), s_.csrf,
                                office ? assesses : form_editable, suggestions);
    }
    html += "</div>\n<h2>Casework</h2>\n<div id=\"casework\">";
    for (const auto& section : CaseworkSections()) {
      html += RenderFormSection(section, in, base + "/section/" + std::string(section.id), s_.csrf,
                                section.id == "individuals" ? dpo : assesses, suggestions);
    }
    html += "</div>\n";
    // Recall assist, for an email to the wrong recipient.
    const json types = in.value("s4_types", json::array());
    if (in.value("source", "") == "MAIL_FILTER" || std::find(types.begin(), types.end(), "INCORRECT_RECIPIENT") != types.end()) {
      auto [rs, request] = Api("GET", "/api/incidents/" + id + "/deletion-request");
      html += RenderRecall(request, rs == 200 ? "" : Reasons(request), base, s_.csrf, assesses);
    }
    // A quarantined message: its review, and the IG team's decision on it.
    const std::string message_hash = in.value("mf_message_id_hash", "");
    if (in.value("mf_action", "") == "BLOCKED" && message_hash.size() == 64 && p_.auth->desk.enabled()) {
      common::HttpCallResult q = p_.auth->desk.Call("GET", "/quarantine?message_hash=" + message_hash, "", 5000);
      const json review = json::parse(q.body, nullptr, false);
      if (q.status != 404) {
        html += RenderQuarantine(review, q.status == 200 && review.is_object() ? "" : "The mail filter did not answer (" +
                                                                                    (q.error.empty() ? "HTTP " + std::to_string(q.status) : q.error) + ").",
                                 base, s_.csrf, assesses);
      }
    }
    html += RenderIcoSubmissions(in, base, s_.csrf, assesses);
    if (!officer) {
      html += RenderSendingOut(body, p_.auth->organisation, base, s_.csrf, Assesses(s_), closed,
                               p_.service->config().dspt_participant || !p_.auth->organisation.ods_code.empty());
    }
    html += RenderActionPlan(in, base, s_.csrf, assesses, FormatDate(LondonDate(NowUtc())));
    // Status and the ICO decision.
    if (Assesses(s_)) {
      html += "<h2>Status</h2><form method=\"post\" action=\"" + HtmlEscape(base) + "/transition\" id=\"transition-form\">" +
              HiddenInput("csrf", s_.csrf) + "<label>Move to <select name=\"to\" id=\"to\">";
      for (const char* st : {"UNDER_INVESTIGATION", "ASSESSED", "REPORTED_TO_ICO", "NOT_REPORTABLE", "CLOSED"}) {
        html += std::string("<option value=\"") + st + "\">" + HtmlEscape(Readable(st)) + "</option>";
      }
      html += "</select></label><label>Reason <input name=\"reason\" id=\"reason\"></label><button type=\"submit\" class=\"secondary\" "
              "id=\"move\">Change status</button></form>\n";
    }
    html += "<h2>ICO decision (the DPO)</h2><p id=\"ico-decision\">" +
            (in.contains("dpo_ico_decision") ? HtmlEscape(Readable(in.value("dpo_ico_decision", ""))) + ": " +
                                                   HtmlEscape(in.value("dpo_ico_rationale", ""))
                                             : std::string("Not decided.")) + "</p>";
    if (dpo) {
      html += "<form method=\"post\" action=\"" + HtmlEscape(base) + "/ico-decision\" id=\"ico-form\">" + HiddenInput("csrf", s_.csrf) +
              "<label><input type=\"radio\" name=\"decision\" value=\"REPORT\" required> Report to the ICO</label>"
              "<label><input type=\"radio\" name=\"decision\" value=\"DO_NOT_REPORT\"> Do not report</label>"
              "<label for=\"rationale\">Rationale</label><textarea id=\"rationale\" name=\"rationale\" required></textarea>"
              "<button type=\"submit\" class=\"primary\" id=\"decide\">Record the decision</button></form>\n";
    } else {
      html += "<p class=\"muted\" id=\"ico-decision-who\">Only the DPO records this decision.</p>\n";
    }
    if (!ReadsOnly(s_) && !closed) html += RenderNoteForm(base, s_.csrf);
    html += "<h2>Audit trail</h2><table class=\"audit\" id=\"audit\"><tr><th>When</th><th>Who</th><th>What</th><th>Old</th>"
            "<th>New</th><th>Reason</th></tr>";
    auto text = [](const json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump(); };
    // A value that is a whole document (the incident as filed) or a list: a line per field,
    // folded, so the trail reads as a table and not as a wall of JSON.
    auto cell = [&](const json& v) {
      if (!v.is_object() && !v.is_array()) return HtmlEscape(text(v));
      std::string lines;
      for (const auto& [key, value] : v.items()) lines += HtmlEscape(key) + ": " + HtmlEscape(text(value)) + "<br>";
      return "<details><summary>" + std::to_string(v.size()) + (v.is_object() ? " fields" : " items") + "</summary>" + lines +
             "</details>";
    };
    for (const auto& a : body.value("audit", json::array())) {
      const json by = a.value("by", json::object());
      html += "<tr><td>" + HtmlEscape(text(a.value("at", json()))) + "</td><td>" + HtmlEscape(by.value("name", "")) + " (" +
              HtmlEscape(by.value("role", "")) + ")</td><td>" + HtmlEscape(text(a.value("what", json()))) + "</td><td>" +
              cell(a.value("old", json())) + "</td><td>" + cell(a.value("new", json())) + "</td><td>" +
              HtmlEscape(text(a.value("reason", json()))) + "</td></tr>";
    }
    html += "</table>\n";
    return HtmlPage(error.empty() ? 200 : 422, in.value("title", "Incident"), html);
  }

  HttpResponse Act(const std::string& id, const std::string& action, const std::vector<std::pair<std::string, std::string>>& form) const {
    std::pair<long, json> r;
    if (action == "grid") {
      const std::string cell = common::FormValue(form, "cell");
      if (cell.size() != 3 || cell[1] != ',') return Incident(id, "choose a cell of the grid");
      r = Api("PATCH", "/api/incidents/" + id,
              {{"set", {{"nhs_likelihood", cell[0] - '0'}, {"nhs_impact", cell[2] - '0'},
                        {"nhs_rationale", common::FormValue(form, "nhs_rationale")}}}});
    } else if (action == "transition") {
      json body = {{"to", common::FormValue(form, "to")}};
      if (!common::FormValue(form, "reason").empty()) body["reason"] = common::FormValue(form, "reason");
      r = Api("POST", "/api/incidents/" + id + "/transition", body);
      if (r.first < 200 || r.first >= 300) {
        std::string words;
        for (const auto& e : r.second.value("errors", json::array())) {
          words += (words.empty() ? "" : "; ") + FieldsInWords(e.value("reason", std::string()));
        }
        HttpResponse page = Incident(id, "To move to " + common::AsciiLower(Readable(common::FormValue(form, "to"))) + ": " + words);
        page.status = static_cast<int>(r.first);
        return page;
      }
    } else if (action == "ico-decision") {
      r = Api("PATCH", "/api/incidents/" + id,
              {{"set", {{"dpo_ico_decision", common::FormValue(form, "decision")},
                        {"dpo_ico_rationale", common::FormValue(form, "rationale")}}}});
    } else if (action == "enisa") {
      r = Api("PATCH", "/api/incidents/" + id, {{"set", EnisaPatch(form)}});
    } else if (const FormSection* section = action.rfind("section/", 0) == 0 ? FindFormSection(action.substr(8)) : nullptr) {
      json patch = {{"set", SectionPatch(*section, form)}};
      if (!common::FormValue(form, "reason").empty()) patch["reason"] = common::FormValue(form, "reason");
      r = Api("PATCH", "/api/incidents/" + id, patch);
      if (r.first < 200 || r.first >= 300) {
        HttpResponse page = Incident(id, Reasons(r.second), patch["set"]);
        page.status = static_cast<int>(r.first);
        return page;
      }
      // A new investigating officer is sent their link at once.
      if (section->id == "officer" && patch["set"].value("investigating_officer", json()).is_object()) return OfficerLink(id);
    } else if (action == "accept") {
      r = AcceptSuggestion(id, common::FormValue(form, "accept"));
      // Accepting the directory's investigating officer sends them their link, as saving does.
      if (r.first == 200 && common::FormValue(form, "accept").rfind("investigating_officer", 0) == 0) return OfficerLink(id);
    } else if (action == "officer-link") {
      return OfficerLink(id);
    } else if (action == "note") {
      r = Api("POST", "/api/incidents/" + id + "/notes", {{"text", common::FormValue(form, "text")}});
    } else if (action == "deletion-confirmed") {
      r = Api("POST", "/api/incidents/" + id + "/deletion-confirmed", {{"confirmation", common::FormValue(form, "confirmation")}});
    } else if (action == "quarantine") {
      return DecideQuarantine(id, form);
    } else if (action == "letter-draft") {
      auto [cs, current] = Api("GET", "/api/incidents/" + id);
      if (cs != 200) return Incident(id, Reasons(current));
      std::string error;
      const json draft = PostedLetterDraft(current["incident"], form, &error);
      if (!error.empty()) return Incident(id, error);
      r = Api("PATCH", "/api/incidents/" + id,
              {{"set", {{"letter_draft", draft}}}, {"reason", "letter words saved"}, {"version", current["version"]}});
      if (r.first >= 200 && r.first < 300) return Redirect("/incidents/" + id + "#letters");
    } else if (action == "letter") {
      // A preview or a produced letter is the file itself; an emailed one returns to the case.
      HttpResponse out = ApiRaw("POST", "/api/incidents/" + id + "/letter", {}, PostedLetterRequest(form).dump());
      if (out.status == 200 && out.content_type.rfind("application/json", 0) != 0) {
        AddSecurityHeaders(out);
        return out;
      }
      if (out.status == 200) return Redirect("/incidents/" + id + "#letters-sent");
      const json refusal = json::parse(out.body, nullptr, false);
      HttpResponse page = Incident(id, Reasons(refusal.is_discarded() ? json::object() : refusal));
      page.status = out.status;
      return page;
    } else if (action == "deletion-send") {
      return SendDeletionRequest(id, common::FormValue(form, "to"), common::FormValue(form, "language"));
    } else if (action == "ico-submission" || action.rfind("action-", 0) == 0) {
      auto [cs, current] = Api("GET", "/api/incidents/" + id);
      if (cs != 200) return Incident(id, Reasons(current));
      std::string error;
      const json& doc = current["incident"];
      const bool plan = action != "ico-submission";
      if (plan && action != "action-add" && action != "action-done" && action != "action-waive") {
        return HtmlPage(404, "Not found", Nav(s_) + Flash("no such action"));
      }
      json value = plan ? ChangedActionPlan(doc.value("action_plan", json::array()), action, form, NowUtc(), &error)
                        : AddedIcoSubmission(doc.value("ico_submissions", json::array()), form, &error);
      if (!error.empty()) return Incident(id, error);
      r = Api("PATCH", "/api/incidents/" + id,
              {{"set", {{plan ? "action_plan" : "ico_submissions", value}}},
               {"reason", plan ? "action plan: " + action.substr(7) : "ICO submission recorded"},
               {"version", current["version"]}});
    } else {
      return HtmlPage(404, "Not found", Nav(s_) + Flash("no such action"));
    }
    if (r.first >= 200 && r.first < 300) return Redirect("/incidents/" + id);
    HttpResponse page = Incident(id, Reasons(r.second));
    page.status = static_cast<int>(r.first);
    return page;
  }

  // Pre-fills for an incident (the API's answer): the scan's suggestions, section 2 from the
  // sender, and from the staff directory the person's name, directorate and service, their line
  // manager (section 3), who is the usual investigating officer.
  json Suggested(const json& shown) const {
    const json& in = shown["incident"];
    json suggestions = shown["derived"].value("suggestions", json::object());
    if (!suggestions.is_object()) suggestions = json::object();
    std::string person = in.value("s2_email", "");
    if (in.contains("mf_sender") && in["mf_sender"].is_string()) {
      suggestions["s2_email"] = in["mf_sender"];
      if (person.empty()) person = in["mf_sender"].get<std::string>();
    }
    if (p_.directory && !person.empty()) {
      if (auto e = p_.directory->Find(person)) {
        const std::pair<const char*, const std::string*> kFrom[] = {
            {"s2_name", &e->name}, {"s2_directorate", &e->directorate}, {"s2_service_area", &e->service_area},
            {"s3_line_manager_name", &e->line_manager_name}, {"s3_line_manager_email", &e->line_manager_email},
            {"investigating_officer.name", &e->line_manager_name}, {"investigating_officer.id", &e->line_manager_email}};
        for (const auto& [field, value] : kFrom) {
          if (!value->empty()) suggestions[field] = *value;
        }
      }
    }
    return suggestions;
  }

  // Saves one suggestion as the field's value (the investigating officer as a whole).
  std::pair<long, json> AcceptSuggestion(const std::string& id, const std::string& field_in) const {
    auto [status, shown] = Api("GET", "/api/incidents/" + id);
    if (status != 200) return {status, shown};
    const json suggestions = Suggested(shown);
    const std::string field = field_in.substr(0, field_in.find('.'));
    json set;
    if (field == "investigating_officer" && suggestions.contains("investigating_officer.id")) {
      set = {{field, {{"id", suggestions["investigating_officer.id"]},
                      {"name", suggestions.value("investigating_officer.name", json(""))}}}};
    } else if (!field.empty() && field == field_in && suggestions.contains(field) && !suggestions[field].is_null()) {
      set = {{field, suggestions[field]}};
    } else {
      return {400, json{{"errors", {{{"field", field_in}, {"reason", "there is no suggestion for this field"}}}}}};
    }
    if (field == "s7_individuals_affected") set["s7_individuals_is_estimate"] = true;
    return Api("PATCH", "/api/incidents/" + id, {{"set", set}, {"reason", "suggestion accepted"}});
  }

  // A new link for the case's investigating officer, sent to their mailbox only (the link signs
  // in as them: nobody else may see it), which ends any earlier link to the case.
  HttpResponse OfficerLink(const std::string& id) const {
    if (!Assesses(s_)) return Incident(id, "only the IG team sends an investigating officer their link");
    auto [status, shown] = Api("GET", "/api/incidents/" + id);
    if (status != 200) return Incident(id, Reasons(shown));
    const json officer = shown["incident"].value("investigating_officer", json::object());
    const std::string email = common::AsciiLower(officer.is_object() ? officer.value("id", "") : "");
    if (!LooksLikeOneAddress(email)) {
      return Incident(id, "the investigating officer's email address is needed (they sign in with it): give it under "
                          "Investigating officer");
    }
    if (!p_.email || p_.email->smtp_url.empty()) {
      return Incident(id, "the link was not sent: the core has no email (notifications.email in core.yaml); ask the gateway "
                          "admin to configure it");
    }
    std::string token;
    if (Status st = p_.accounts->AddOfficerLink(email, id, std::time(nullptr), &token); !st.ok()) {
      return Incident(id, "the link could not be made: " + st.message());
    }
    const std::string number = shown["incident"].value("incident_number", id.substr(0, 8));
    const Status st = SendPlainEmail(
        *p_.email, email, "A data breach case for you to investigate (" + number + ")",
        "You have been named the investigating officer for data breach case " + number +
            ". Please complete the breach form within 24 hours of the breach being found.\n\nOpen the case here (this link is "
            "for you alone and works for a week, until a newer one is sent):\n" + p_.pages_url + "/officer/" + token +
            "\n\nInformation Governance",
        NowUtc());
    if (!st.ok()) return Incident(id, "the link could not be sent: " + st.message());
    Api("POST", "/api/incidents/" + id + "/notes", {{"text", "Link to the case sent to the investigating officer."}});
    return Incident(id, "", json::object(), "A link to the case was sent to " + HtmlEscape(email) + ".");
  }

  // The IG team's decision on a quarantined message, recorded by the gateway's sendguard-desk (which its
  // `sendguard quarantine apply` carries out as root) and in the case file.
  HttpResponse DecideQuarantine(const std::string& id, const std::vector<std::pair<std::string, std::string>>& form) const {
    const std::string decision = common::FormValue(form, "decision"), reason = common::FormValue(form, "reason");
    if (!Assesses(s_)) return Incident(id, "only the IG team and the DPO decide on a quarantined message");
    auto [status, shown] = Api("GET", "/api/incidents/" + id);
    if (status != 200) return Incident(id, Reasons(shown));
    if (shown["incident"].value("mf_action", "") != "BLOCKED" || shown["incident"].value("status", "") == "CLOSED") {
      return Incident(id, "a quarantined message is decided on its open near miss");
    }
    const std::string record = common::FormValue(form, "record_id");
    if (record.empty() || record.size() > 18 || record.find_first_not_of("0123456789") != std::string::npos) {
      return Incident(id, "choose the quarantined message");
    }
    const json body = {{"message_hash", shown["incident"].value("mf_message_id_hash", "")}, {"record_id", std::stoll(record)},
                       {"decision", decision}, {"by", s_.user}, {"reason", reason}};
    common::HttpCallResult r = p_.auth->desk.Call("POST", "/quarantine/decision", body.dump(), 5000);
    const json answer = json::parse(r.body, nullptr, false);
    if (r.status != 200) {
      return Incident(id, "the decision was not recorded: " +
                              (answer.is_object() ? answer.value("error", std::string("the mail filter refused it"))
                                                  : (r.error.empty() ? "HTTP " + std::to_string(r.status) : r.error)));
    }
    Api("POST", "/api/incidents/" + id + "/notes",
        {{"text", "Quarantined message: " + Readable(decision) + " decided. " + common::MaskedNote(reason, 500)}});
    return Incident(id, "", json::object(),
                    decision == "release" ? "Release recorded: the gateway delivers the message within a minute and files the release."
                                          : "Deletion recorded: the gateway deletes the message within a minute.");
  }

  // Recall assist: the API's deletion request, sent to the address typed (kept nowhere; the
  // case file records the domain it went to).
  HttpResponse SendDeletionRequest(const std::string& id, const std::string& to, const std::string& language) const {
    if (!Assesses(s_)) return Incident(id, "only the IG team and the DPO send the deletion request");
    auto [status, request] = Api("GET", "/api/incidents/" + id + "/deletion-request" +
                                            (language.empty() ? std::string() : "?language=" + common::PercentEncode(language)));
    if (status != 200) return Incident(id, Reasons(request));
    if (!p_.email || p_.email->smtp_url.empty()) {
      return Incident(id, "the request could not be sent: no email is configured for the core (notifications.email); copy it "
                          "into an email instead");
    }
    const Status st = SendPlainEmail(*p_.email, to, request.value("subject", ""), request.value("body", ""), NowUtc());
    if (!st.ok()) return Incident(id, "the request could not be sent: " + st.message());
    const std::string domain = to.substr(to.rfind('@') + 1);  // SendPlainEmail took it as one address
    Api("POST", "/api/incidents/" + id + "/notes", {{"text", "Deletion request sent to the wrong recipient at " + domain + "."}});
    return Incident(id, "", json::object(), "The deletion request was sent to the recipient at " + HtmlEscape(domain) + ".");
  }

  // The IG team files an incident that did not come through email (a letter, a phone call,
  // access to the case system, a lost device, a cyber attack). The API decides who may.
  HttpResponse NewIncident(const std::vector<std::pair<std::string, std::string>>& form, bool posted) const {
    json typed = json::object();
    std::string error;
    if (posted) {
      typed = SectionPatch(NewIncidentFields(), form);
      json filed = json::object();
      for (const auto& [field, value] : typed.items()) {
        if (!value.is_null()) filed[field] = value;
      }
      if (!filed.contains("title")) {
        error = "title: a short title is needed";
      } else {
        auto [status, body] = Api("POST", "/api/incidents", filed);
        if (status == 201) return Redirect("/incidents/" + body["incident"].value("incident_id", ""));
        error = Reasons(body);
      }
    }
    HttpResponse page = HtmlPage(error.empty() ? 200 : 422, "New incident",
                                 Nav(s_) + Flash(error) + "<h1>A new incident</h1>\n<p>For a breach or near miss that did not "
                                 "come through the mail filter: a letter or a call, access to a case system, a lost "
                                 "device, a cyber attack. The rest of the breach form is on the incident's page.</p>\n" +
                                 RenderNewIncidentForm(typed, s_.csrf));
    return page;
  }

  PageApi AsApi() const {
    return [this](const std::string& method, const std::string& path, std::map<std::string, std::string> query,
                  const std::string& body) { return ApiRaw(method, path, std::move(query), body); };
  }

 private:
  const IgPages& p_;
  const WebSession& s_;
};

}  // namespace

HttpResponse IgPages::Serve(const HttpRequest& req, const std::vector<std::pair<std::string, std::string>>& form,
                            const std::optional<WebSession>& session, const std::string& token) const {
  if (!session) {
    if (req.method == "GET") return Redirect("/login");
    return HtmlPage(401, "Not logged in", "<h1>Not logged in</h1><p class=\"refused\">Please <a href=\"/login\">log in</a>.</p>");
  }
  if (req.method == "POST" && !common::SecureEquals(common::FormValue(form, "csrf"), session->csrf)) {
    return HtmlPage(403, "Refused", "<h1>Refused</h1><p class=\"refused\">The form had expired or did not come from this "
                                    "site. Go back, reload the page and try again.</p>");
  }
  Page page(*this, *session);
  if (req.path == "/logout") {
    if (req.method != "POST") return Redirect("/");
    accounts->Logout(token);
    // Under single sign-on the proxy would sign them straight back in: its sign-out, or say so.
    HttpResponse r = !UsesSingleSignOn() ? Redirect("/login")
                     : sso->logout_url.empty()
                         ? HtmlPage(200, "Logged out", "<h1>Logged out of sendguard</h1><p>To sign out of the council's single "
                                                       "sign-on as well, close the browser.</p>")
                         : Redirect(sso->logout_url);
    r.headers.emplace_back("Set-Cookie", SessionCookie("", 0, secure_cookies));
    return r;
  }
  if (req.path == "/") return page.Dashboard(req);
  if (req.path == "/reports") return CommitteeReportPage(*session, page.AsApi(), req);
  if (req.path == "/reports/download") return CommitteeReportDownload(page.AsApi(), req);
  if (req.path == "/subject-access") return SubjectAccessPage(*session, page.AsApi(), form, req.method == "POST");
  if (req.path == "/admin") {
    // The gateway's counters: for the admin, the IG team and the auditor, not for every role.
    if (!Assesses(*session) && !ReadsOnly(*session)) {
      return HtmlPage(403, "Refused", Nav(*session) + Flash("the Mail filter page is for the gateway admin and the IG team"));
    }
    return MailFilterPage(*session, auth->milter);
  }
  std::string rest = req.path.substr(std::string("/incidents/").size());
  if (rest == "new") return page.NewIncident(form, req.method == "POST");
  const size_t slash = rest.find('/');
  const std::string id = rest.substr(0, slash);
  if (slash == std::string::npos) return page.Incident(id, "");
  if (req.method == "GET" && rest.substr(slash + 1) == "ico-report") return IcoReportFile(page.AsApi(), id, req);
  if (req.method != "POST") return Redirect("/incidents/" + id);
  return page.Act(id, rest.substr(slash + 1), form);
}

}  // namespace sendguard::incident
