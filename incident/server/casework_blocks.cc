// SPDX-License-Identifier: Apache-2.0
// The incident page's casework blocks (see casework_blocks.h).
#include "casework_blocks.h"

#include "sendguard/incident/ico_report.h"

#include "breach_form.h"
#include "html_page.h"
#include "incident_words.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;


std::string London(const std::string& instant) {
  auto t = ParseInstant(instant);
  return t.ok() ? FormatLondon(*t) : instant;
}

std::string PostForm(const std::string& id, const std::string& action, const std::string& csrf, const std::string& inner,
                     const std::string& button, const char* cls = "secondary") {
  return "<form method=\"post\" action=\"" + HtmlEscape(action) + "\" id=\"" + id + "\" class=\"inline-form\">" +
         HiddenInput("csrf", csrf) + inner + "<button type=\"submit\" class=\"" + cls + "\" id=\"" + id + "-save\">" +
         HtmlEscape(button) + "</button></form>";
}

}  // namespace

std::string RenderActionPlan(const json& incident, const std::string& base, const std::string& csrf, bool editable,
                             const std::string& today) {
  const json plan = incident.value("action_plan", json::array());
  std::string html = "<h2>Action plan</h2>\n";
  if (plan.empty()) html += "<p id=\"action-plan-empty\">No actions yet.</p>";
  else {
    html += "<table id=\"action-plan\"><tr><th>Action</th><th>Owner</th><th>Due</th><th>State</th><th></th></tr>";
    for (size_t i = 0; i < plan.size(); ++i) {
      const json& a = plan[i];
      const std::string due = JsonText(a, "due"), done = JsonText(a, "completed_at"), waived = JsonText(a, "waived_reason");
      const bool open = done.empty() && waived.empty();
      const bool overdue = open && !due.empty() && due < today;
      std::string state = !done.empty() ? "done " + London(done) : !waived.empty() ? "waived: " + waived : overdue ? "overdue" : "open";
      html += std::string("<tr class=\"") + (overdue ? "overdue" : "") + "\" id=\"action-" + std::to_string(i) + "\"><td>" +
              HtmlEscape(JsonText(a, "description")) + "</td><td>" + HtmlEscape(JsonText(a.value("owner", json::object()), "name")) +
              "</td><td>" + HtmlEscape(due) + "</td><td>" + HtmlEscape(state) + "</td><td>";
      if (editable && open) {
        const std::string n = std::to_string(i);
        html += PostForm("action-done-" + n, base + "/action-done", csrf, HiddenInput("item", n), "Done") +
                PostForm("action-waive-" + n, base + "/action-waive", csrf,
                         HiddenInput("item", n) + "<input name=\"waived_reason\" placeholder=\"why it is not needed\" aria-label=\"why "
                         "it is not needed\" required>", "Waive");
      }
      html += "</td></tr>";
    }
    html += "</table>";
  }
  if (editable) {
    html += "<details class=\"section\"><summary>Add an action</summary><form method=\"post\" action=\"" + HtmlEscape(base) +
            "/action-add\" id=\"form-action-add\" class=\"form-section\">" + HiddenInput("csrf", csrf) +
            "<div class=\"field\"><label for=\"action-description\">What will be done</label><input id=\"action-description\" "
            "name=\"description\" maxlength=\"500\" required></div>"
            "<div class=\"field\"><label for=\"action-owner-name\">Owner's name</label><input id=\"action-owner-name\" "
            "name=\"owner_name\" required></div>"
            "<div class=\"field\"><label for=\"action-owner-id\">Owner's email address</label><input id=\"action-owner-id\" "
            "name=\"owner_id\" type=\"email\" required></div>"
            "<div class=\"field\"><label for=\"action-due\">Due</label><input id=\"action-due\" name=\"due\" type=\"date\" "
            "required></div><button type=\"submit\" class=\"secondary\" id=\"form-action-add-save\">Add the action</button>"
            "</form></details>\n";
  }
  return html;
}

json ChangedActionPlan(const json& plan_in, const std::string& action, const PostedForm& form, Instant now, std::string* error) {
  json plan = plan_in.is_array() ? plan_in : json::array();
  if (action == "action-add") {
    json item = {{"description", common::FormValue(form, "description")},
                 {"owner", {{"id", common::FormValue(form, "owner_id")}, {"name", common::FormValue(form, "owner_name")}}},
                 {"due", common::FormValue(form, "due")}};
    if (item["description"].get<std::string>().empty()) *error = "action_plan: say what will be done";
    else if (common::FormValue(form, "owner_id").empty()) *error = "action_plan: an action needs an owner";
    plan.push_back(item);
    return plan;
  }
  const std::string n = common::FormValue(form, "item");
  size_t i = plan.size();
  if (!n.empty() && n.size() < 6 && n.find_first_not_of("0123456789") == std::string::npos) i = std::stoul(n);
  if (i >= plan.size()) {
    *error = "action_plan: no such action";
    return plan;
  }
  if (action == "action-done") {
    plan[i]["completed_at"] = FormatInstant(now);
  } else {
    const std::string why = common::FormValue(form, "waived_reason");
    if (why.empty()) *error = "action_plan: say why the action is not needed";
    plan[i]["waived_reason"] = why;
  }
  return plan;
}

namespace {

// A tick box for each Art 33(3) item, to say it follows later.
std::string FollowChoices() {
  std::string html;
  for (const auto& item : IcoPackageItems()) {
    html += "<label><input type=\"checkbox\" name=\"to_follow\" value=\"" + item + "\" id=\"sub-follow-" + item + "\"> " +
            HtmlEscape(IcoPackageItemWords(item)) + "</label>";
  }
  return html;
}

}  // namespace

std::string RenderIcoSubmissions(const json& incident, const std::string& base, const std::string& csrf, bool editable) {
  std::string html = "<h2>Reports to the ICO</h2>\n<ul id=\"ico-submissions\">";
  const json subs = incident.value("ico_submissions", json::array());
  for (const auto& s : subs) {
    html += "<li>" + HtmlEscape(Readable(JsonText(s, "type"))) + " report sent " + HtmlEscape(London(JsonText(s, "submitted_at"))) +
            (JsonText(s, "ico_reference").empty() ? "" : ", ICO reference " + HtmlEscape(JsonText(s, "ico_reference"))) +
            (JsonText(s, "delay_reasons").empty() ? "" : "; late because: " + HtmlEscape(JsonText(s, "delay_reasons"))) + "</li>";
  }
  if (subs.empty()) html += "<li>None recorded.</li>";
  html += "</ul>\n";
  if (!editable) return html;
  return html + "<details class=\"section\"><summary>Record a report sent to the ICO</summary><form method=\"post\" action=\"" +
         HtmlEscape(base) + "/ico-submission\" id=\"form-ico-submission\" class=\"form-section\">" + HiddenInput("csrf", csrf) +
         "<div class=\"field\"><label for=\"sub-type\">Which report</label><select id=\"sub-type\" name=\"type\"><option "
         "value=\"INITIAL\">Initial</option><option value=\"FOLLOW_UP\">Follow up</option></select></div>"
         "<div class=\"field\"><label for=\"sub-at\">Sent at (London time)</label><input id=\"sub-at\" name=\"submitted_at\" "
         "type=\"datetime-local\" required></div>"
         "<div class=\"field\"><label for=\"sub-ref\">The ICO's reference</label><input id=\"sub-ref\" name=\"ico_reference\" "
         "maxlength=\"64\"></div>"
         "<div class=\"field\"><label for=\"sub-delay\">If later than 72 hours, why</label><textarea id=\"sub-delay\" "
         "name=\"delay_reasons\"></textarea></div>"
         "<fieldset class=\"field\" id=\"sub-follow\"><legend>What will follow later (phased reporting: the Art 33(3) items "
         "still missing)</legend>" + FollowChoices() + "</fieldset>"
         "<button type=\"submit\" class=\"secondary\" id=\"form-ico-submission-save\">Record it</button></form></details>\n";
}

json AddedIcoSubmission(const json& submissions, const PostedForm& form, std::string* error) {
  json subs = submissions.is_array() ? submissions : json::array();
  auto local = ParseLocalDateTime(common::FormValue(form, "submitted_at"));
  if (!local.ok()) {
    *error = "submitted_at: when the report was sent is needed";
    return subs;
  }
  json s = {{"type", common::FormValue(form, "type")}, {"submitted_at", FormatInstant(ToInstant(*local))}};
  for (const char* key : {"ico_reference", "delay_reasons"}) {
    if (!common::FormValue(form, key).empty()) s[key] = common::FormValue(form, key);
  }
  // The Art 33(3) items ticked as following later (every to_follow the form posted).
  json follow = json::array();
  for (const auto& [key, value] : form) {
    if (key != "to_follow") continue;
    const auto& items = IcoPackageItems();
    if (std::find(items.begin(), items.end(), value) == items.end()) {
      *error = "to_follow: not one of the ICO package's items";
      return subs;
    }
    follow.push_back(value);
  }
  if (!follow.empty()) s["to_follow"] = follow;
  subs.push_back(s);
  return subs;
}

namespace {

// The deletion request's languages, `chosen` selected.
std::string LanguageOptions(const std::string& chosen) {
  std::string out;
  for (const auto& [value, words] : {std::pair{"en", "English"}, std::pair{"cy", "Welsh (Cymraeg)"}, std::pair{"both", "Welsh and English"}}) {
    out += std::string("<option value=\"") + value + "\"" + (chosen == value ? " selected" : "") + ">" + words + "</option>";
  }
  return out;
}

}  // namespace

std::string RenderRecall(const json& request, const std::string& refusal, const std::string& base, const std::string& csrf,
                         bool editable) {
  std::string html = "<h2>Recall: asking the wrong recipient to delete it</h2>\n";
  if (!refusal.empty()) return html + "<p class=\"muted\" id=\"recall-unavailable\">" + HtmlEscape(refusal) + "</p>\n";
  html += "<details class=\"section\" id=\"recall\"><summary>The deletion request</summary><p><strong>" +
          HtmlEscape(JsonText(request, "subject")) + "</strong></p><pre id=\"deletion-request\">" + HtmlEscape(JsonText(request, "body")) +
          "</pre>";
  if (editable) {
    html += "<form method=\"post\" action=\"" + HtmlEscape(base) + "/deletion-send\" id=\"form-deletion-send\" class=\"form-section\">" +
            HiddenInput("csrf", csrf) + "<div class=\"field\"><label for=\"recall-to\">The wrong recipient's address (not kept: "
            "the case file records its domain)</label><input id=\"recall-to\" name=\"to\" type=\"email\" required></div>"
            "<div class=\"field\"><label for=\"recall-language\">In</label><select id=\"recall-language\" name=\"language\">" +
            LanguageOptions(JsonText(request, "language")) + "</select></div>"
            "<button type=\"submit\" class=\"secondary\" id=\"form-deletion-send-save\">Send the request</button></form>"
            "<form method=\"post\" action=\"" + HtmlEscape(base) + "/deletion-confirmed\" id=\"form-deletion-confirmed\" "
            "class=\"form-section\">" + HiddenInput("csrf", csrf) + "<div class=\"field\"><label for=\"recall-confirmation\">"
            "Their confirmation that it is deleted (paste their reply)</label><textarea id=\"recall-confirmation\" "
            "name=\"confirmation\" required></textarea></div><button type=\"submit\" class=\"secondary\" "
            "id=\"form-deletion-confirmed-save\">Record the confirmation</button></form>";
  }
  return html + "</details>\n";
}

std::string RenderQuarantine(const json& review, const std::string& refusal, const std::string& base, const std::string& csrf,
                             bool editable) {
  std::string html = "<h2>The quarantined message</h2>\n";
  if (!refusal.empty()) return html + "<p class=\"muted\" id=\"quarantine-unavailable\">" + HtmlEscape(refusal) + "</p>\n";
  const json messages = review.value("messages", json::array());
  // Usually one; the Message-ID is the sender's to choose, so more than one message may carry
  // it: each is shown with its own time, queue id and decision.
  if (messages.size() > 1) {
    html += "<p class=\"refused\">" + std::to_string(messages.size()) + " quarantined messages carry this email's Message-ID: "
            "check the time and the recipients before deciding.</p>\n";
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const json& m = messages[i];
    if (!m.is_object()) continue;
    const json send = m.value("send", json::object());
    std::string domains;
    for (const auto& d : send.value("recipient_domains", json::array())) {
      if (d.is_string()) domains += (domains.empty() ? "" : ", ") + d.get<std::string>();
    }
    const json at = send.value("at", json());
    const std::string n = std::to_string(i);
    html += "<ul class=\"quarantine\" id=\"quarantine-" + n + "\"><li>Held in the mail gateway's hold queue since " +
            HtmlEscape(at.is_number_integer() ? common::FormatTime(at.get<int64_t>(), "%H:%M on %a %e %b %Y", true) : "?") +
            " (queue id " + HtmlEscape(JsonText(m, "queue_id")) + ")</li><li>To: " + HtmlEscape(domains.empty() ? "-" : domains) +
            "</li><li>What sendguard found: " + HtmlEscape(JsonText(send, "findings")) + "</li>";
    const json d = m.value("decision", json());
    if (d.is_object()) {
      const bool applied = d.contains("applied_at") && !d["applied_at"].is_null();
      html += "<li id=\"quarantine-decision-" + n + "\">" + HtmlEscape(Readable(JsonText(d, "decision"))) + " decided by " +
              HtmlEscape(JsonText(d, "decided_by")) + ": " + HtmlEscape(JsonText(d, "reason")) + ". " +
              (applied ? "Done: " + HtmlEscape(JsonText(d, "result")) + "."
                       : std::string("Waiting for the gateway to carry it out (within a minute).")) + "</li></ul>\n";
      continue;
    }
    html += "<li id=\"quarantine-decision-" + n + "\">Not decided: the message waits.</li></ul>\n";
    const json record = m.value("record_id", json());
    if (!editable || !record.is_number_integer()) continue;
    html += "<form method=\"post\" action=\"" + HtmlEscape(base) + "/quarantine\" id=\"form-quarantine-" + n +
            "\" class=\"form-section\">" + HiddenInput("csrf", csrf) + HiddenInput("record_id", std::to_string(record.get<int64_t>())) +
            "<div class=\"field\"><label for=\"quarantine-reason-" + n + "\">Why (kept in the case file; no personal "
            "details)</label><textarea id=\"quarantine-reason-" + n + "\" name=\"reason\" required></textarea></div>"
            "<button type=\"submit\" class=\"secondary\" name=\"decision\" value=\"release\" id=\"quarantine-release-" + n +
            "\">Release it (it is delivered)</button> <button type=\"submit\" class=\"secondary\" name=\"decision\" "
            "value=\"delete\" id=\"quarantine-delete-" + n + "\">Delete it</button></form>\n";
  }
  return html;
}

std::string RenderOfficerLink(const json& incident, const std::string& base, const std::string& csrf, bool editable) {
  const json officer = incident.value("investigating_officer", json::object());
  std::string html = "<p id=\"officer\">Investigating officer: <strong>";
  if (!officer.is_object() || JsonText(officer, "id").empty()) return html + "not assigned yet</strong>.</p>\n";
  html += HtmlEscape(JsonText(officer, "name").empty() ? JsonText(officer, "id") : JsonText(officer, "name")) + "</strong> (" +
          HtmlEscape(JsonText(officer, "id")) + ").";
  if (editable) {
    html += " " + PostForm("form-officer-link", base + "/officer-link", csrf, "", "Send them a link to this case");
  }
  return html + "</p>\n";
}

std::string RenderNoteForm(const std::string& base, const std::string& csrf) {
  return "<details class=\"section\"><summary>Add a note to the case file</summary><form method=\"post\" action=\"" +
         HtmlEscape(base) + "/note\" id=\"form-note\" class=\"form-section\">" + HiddenInput("csrf", csrf) +
         "<div class=\"field\"><label for=\"note-text\">Note (no names or identifiers)</label><textarea id=\"note-text\" "
         "name=\"text\" required></textarea></div><button type=\"submit\" class=\"secondary\" id=\"form-note-save\">Add the "
         "note</button></form></details>\n";
}

}  // namespace sendguard::incident
