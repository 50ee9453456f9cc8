// SPDX-License-Identifier: Apache-2.0
// The "Sending out" blocks and the subject access page (see outputs_pages.h).
#include "outputs_pages.h"

#include "html_page.h"
#include "incident_words.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"
#include "sendguard/incident/enums.h"
#include "sendguard/incident/letters.h"
#include "sendguard/incident/london_time.h"

namespace sendguard::incident {
namespace {

using common::HtmlEscape;
using nlohmann::json;

// An enum name as words in a sentence, the DPO and the ICO kept in capitals.
std::string Sentence(const std::string& name) {
  std::string words = common::AsciiLower(Readable(name));
  for (const char* acronym : {"dpo", "ico"}) {
    for (size_t at = words.find(acronym); at != std::string::npos; at = words.find(acronym, at + 3)) {
      const bool whole = (at == 0 || words[at - 1] == ' ') && (at + 3 == words.size() || words[at + 3] == ' ');
      if (whole) words.replace(at, 3, common::AsciiUpper(acronym));
    }
  }
  return words;
}

const char* PartLabel(const std::string& part) {
  if (part == "nature") return "What happened (the nature of the breach)";
  if (part == "data") return "What information was involved";
  if (part == "consequences") return "What this could mean (the likely consequences)";
  if (part == "measures") return "What we have done (the measures taken or proposed)";
  return "What they can do (optional advice)";
}

std::string EscalationsSection(const json& shown) {
  const json e = shown.value("derived", json::object()).value("escalation_suggestions", json::object());
  static const std::pair<const char*, const char*> kFlags[] = {
      {"siro_flag", "the SIRO"}, {"caldicott_flag", "the Caldicott Guardian"}, {"comms_flag", "Communications"},
      {"ict_flag", "ICT"}, {"dhsc_flag", "the DHSC (through the DSPT)"}};
  std::string raised;
  for (const auto& [flag, who] : kFlags) {
    if (e.value(flag, json()).is_boolean() && e[flag].get<bool>()) raised += std::string(raised.empty() ? "" : ", ") + who;
  }
  std::string html = "<h3>Escalations</h3><p id=\"escalations\">" +
                     (raised.empty() ? std::string("The scoring raises no escalation.") : "The scoring says to tell " + HtmlEscape(raised) + ".") +
                     "</p>";
  std::string sent;
  for (const auto& n : shown.value("notices", json::array())) {
    const std::string event = n.value("event", "");
    if (event.rfind("escalation:", 0) != 0) continue;
    auto at = ParseInstant(n.value("at", ""));
    sent += "<li>" + HtmlEscape(Readable(event.substr(11))) + ": sent " + HtmlEscape(at.ok() ? FormatLondon(*at) : n.value("at", "")) + "</li>";
  }
  html += sent.empty() ? "<p class=\"muted\" id=\"escalations-sent\">No escalation notice has been sent (core.yaml escalations says "
                         "where each goes).</p>"
                       : "<ul id=\"escalations-sent\">" + sent + "</ul>";
  return html;
}

std::string LettersSent(const json& incident) {
  std::string rows;
  for (const auto& l : incident.value("letters_sent", json::array())) {
    auto at = ParseInstant(l.value("sent_at", ""));
    const std::string channel = l.value("channel", "");
    const std::string role = l.value("representative_role", "");
    rows += "<tr><td>" + HtmlEscape(l.value("ref", "")) + "</td><td>" + HtmlEscape(at.ok() ? FormatLondon(*at) : "") + "</td><td>" +
            (channel == "EMAIL" ? "Emailed" : channel == "POST" ? "Posted" : "Handed over") + "</td><td>" +
            (l.value("language", "") == "cy" ? "Welsh" : "English") + "</td><td>" +
            (role.empty() ? std::string("The person") : "Their " + HtmlEscape(common::AsciiLower(Readable(role)))) + "</td><td>" +
            HtmlEscape(l.value("by", json::object()).value("name", "")) + "</td></tr>";
  }
  if (rows.empty()) return "<p class=\"muted\" id=\"letters-sent\">No letter has been sent yet.</p>";
  return "<table id=\"letters-sent\"><tr><th>Letter</th><th>When</th><th>How</th><th>Language</th><th>To</th><th>By</th></tr>" + rows +
         "</table><p class=\"muted\">Whom each went to is kept only as a keyed hash (for a subject access search), not the "
         "name or address.</p>";
}

std::string DraftForm(const json& incident, const Organisation& org, const std::string& language, const std::string& base,
                      const std::string& csrf, bool editable) {
  const json draft = LetterDraft(incident, org, language);
  const bool final = draft.value("final", false);
  const std::string name = language == "cy" ? "Welsh (Cymraeg)" : "English";
  std::string html = "<details id=\"letter-" + language + "\"" + (language == "en" ? " open" : "") + "><summary>The letter in " + name +
                     (final ? " – final" : " – draft") + "</summary>";
  std::string gaps;
  for (const auto& g : draft.value("gaps", json::array())) gaps += "<li>" + HtmlEscape(g.get<std::string>()) + "</li>";
  if (!gaps.empty()) html += "<ul class=\"refused\" id=\"letter-gaps-" + language + "\">" + gaps + "</ul>";
  html += "<form method=\"post\" action=\"" + HtmlEscape(base) + "/letter-draft\">" + HiddenInput("csrf", csrf) +
          HiddenInput("language", language);
  for (const char* part : kLetterParts) {
    const std::string id = "letter-" + language + "-" + part;
    html += "<label for=\"" + id + "\">" + HtmlEscape(PartLabel(part)) + "</label><textarea id=\"" + id + "\" name=\"" + part + "\"" +
            (editable && !final ? "" : " readonly") + ">" + HtmlEscape(draft.value(part, "")) + "</textarea>";
  }
  if (editable) {
    html += "<label><input type=\"checkbox\" name=\"final\" value=\"1\" id=\"letter-" + language + "-final\"" + (final ? " checked" : "") +
            "> Final: these are the words to send (untick to reopen)</label><button type=\"submit\" class=\"secondary\" id=\"letter-" +
            language + "-save\">Save the " + HtmlEscape(language == "cy" ? "Welsh" : "English") + " letter</button>";
  }
  return html + "</form></details>";
}

std::string ProduceForm(const std::string& base, const std::string& csrf, const std::string& default_language) {
  std::string html = "<h3>Produce a letter</h3><form method=\"post\" action=\"" + HtmlEscape(base) + "/letter\" id=\"letter-form\">" +
                     HiddenInput("csrf", csrf) +
                     "<label for=\"letter-name\">Name</label><input id=\"letter-name\" name=\"name\" autocomplete=\"off\">"
                     "<label for=\"letter-address\">Postal address</label><textarea id=\"letter-address\" name=\"address\"></textarea>"
                     "<label for=\"letter-email\">Email address (for the email version)</label><input id=\"letter-email\" name=\"email\" "
                     "type=\"email\" autocomplete=\"off\">"
                     "<label for=\"letter-role\">To</label><select id=\"letter-role\" name=\"representative_role\">"
                     "<option value=\"\">The person affected</option><option value=\"PARENT\">Their parent</option>"
                     "<option value=\"GUARDIAN\">Their guardian</option><option value=\"ATTORNEY\">Their attorney</option>"
                     "<option value=\"DEPUTY\">Their deputy (Court of Protection)</option></select>"
                     "<label for=\"letter-person\">The person they represent (for a representative)</label>"
                     "<input id=\"letter-person\" name=\"person_name\" autocomplete=\"off\">"
                     "<label for=\"letter-language\">Language</label><select id=\"letter-language\" name=\"language\">";
  for (const char* l : {"en", "cy"}) {
    html += std::string("<option value=\"") + l + "\"" + (default_language == l ? " selected" : "") + ">" +
            (std::string(l) == "cy" ? "Welsh (Cymraeg)" : "English") + "</option>";
  }
  html += "</select><label for=\"letter-format\">As</label><select id=\"letter-format\" name=\"format\"><option value=\"pdf\">PDF</option>"
          "<option value=\"html\">HTML</option></select>"
          "<p class=\"muted\">The name and address go into the letter and are not kept.</p><p>"
          "<button type=\"submit\" name=\"record\" value=\"\" class=\"secondary\" id=\"letter-preview\">Preview</button> "
          "<button type=\"submit\" name=\"record\" value=\"POST\" class=\"primary\" id=\"letter-post\">Produce and record as posted</button> "
          "<button type=\"submit\" name=\"record\" value=\"BY_HAND\" class=\"secondary\" id=\"letter-hand\">Produce and record as handed over</button> "
          "<button type=\"submit\" name=\"record\" value=\"EMAIL\" class=\"secondary\" id=\"letter-email-send\">Send the email version</button>"
          "</p></form>";
  return html;
}

// The mail filter's records that name the address: scan records (metadata) and recipient history.
std::string MailFilterRecords(const json& answer) {
  if (answer.contains("mail_filter_error")) {
    return "<p class=\"refused\" id=\"sar-mail-filter\">" + HtmlEscape(answer.value("mail_filter_error", "")) + "</p>";
  }
  if (!answer.contains("mail_filter")) return "";
  const json mail = answer["mail_filter"];
  const json history = mail.value("recipient_history", json::object());
  std::string html = "<h2>The mail filter's records</h2><p id=\"sar-mail-filter\">Recipient history: " +
                     std::string(history.value("known_sender", false) ? "a known sender" : "not a known sender") + ", sent to " +
                     std::to_string(history.value("sent_to", 0)) + " correspondents, sent to by " +
                     std::to_string(history.value("sent_to_by", 0)) + ". Scan records (kept " +
                     "scan_record_days): " + std::to_string(mail.value("scan_records", json::array()).size()) + ".</p>";
  std::string rows;
  for (const auto& r : mail.value("scan_records", json::array())) {
    std::string domains;
    for (const auto& d : r.value("recipient_domains", json::array())) domains += (domains.empty() ? "" : ", ") + (d.is_string() ? d.get<std::string>() : "");
    rows += "<tr><td>" + HtmlEscape(common::FormatTime(r.value("at", int64_t{0}), "%Y-%m-%d %H:%M UTC")) + "</td><td>" +
            HtmlEscape(r.value("as", "")) + "</td><td>" + HtmlEscape(r.value("queue_id", "")) + "</td><td>" + HtmlEscape(domains) +
            "</td><td>" + HtmlEscape(r.value("outcome", "")) + "</td></tr>";
  }
  if (!rows.empty()) {
    html += "<table id=\"sar-scan-records\"><tr><th>When</th><th>As</th><th>Queue id</th><th>Recipient domains</th><th>Outcome</th></tr>" +
            rows + "</table>";
  }
  return html;
}

}  // namespace

std::string RenderSendingOut(const json& shown, const Organisation& org, const std::string& base, const std::string& csrf,
                             bool letters, bool closed, bool dspt) {
  const json& in = shown["incident"];
  std::string html = "<h2 id=\"sending-out\">Sending out</h2>\n<h3>The ICO report</h3><p id=\"ico-report-links\">"
                     "<a id=\"ico-report-pdf\" href=\"" + HtmlEscape(base) + "/ico-report?format=pdf\">ICO report (PDF)</a> · "
                     "<a id=\"ico-report-html\" href=\"" + HtmlEscape(base) + "/ico-report?format=html\">HTML</a> · "
                     "<a href=\"" + HtmlEscape(base) + "/ico-report?format=json\">JSON</a>" +
                     (dspt ? " · <a id=\"dspt-report-pdf\" href=\"" + HtmlEscape(base) + "/ico-report?format=pdf&amp;layout=dspt\">DSPT layout (PDF)</a>"
                           : std::string()) +
                     "</p><p class=\"muted\">Filled from this case for the DPO to check and copy into the ICO's form (or the "
                     "DSPT); what the case does not hold yet says \"Not yet known\".</p>\n";
  html += EscalationsSection(shown);
  if (!letters) return html;
  const std::string recommendation = shown.value("derived", json::object()).value("individuals_recommendation", json()).is_string()
                                         ? shown["derived"]["individuals_recommendation"].get<std::string>()
                                         : "";
  html += "<h3 id=\"letters\">Letters to the people affected</h3><p>" +
          (recommendation.empty() ? std::string("No recommendation on telling people yet.")
                                  : "The recommendation: " + HtmlEscape(Sentence(recommendation)) + ".") +
          (in.value("dpo_individuals_decision", json()).is_string()
               ? " The DPO's decision: " + HtmlEscape(Sentence(in["dpo_individuals_decision"].get<std::string>())) + "."
               : std::string(" The DPO has not decided yet.")) +
          (in.contains("individuals_communicated_at") ? " They were told " + HtmlEscape(FormatLondon(*ParseInstant(in.value("individuals_communicated_at", "")))) + "."
                                                      : std::string()) +
          "</p>";
  html += DraftForm(in, org, "en", base, csrf, !closed) + DraftForm(in, org, "cy", base, csrf, !closed);
  if (!closed) html += ProduceForm(base, csrf, "en");
  return html + LettersSent(in);
}

json PostedLetterDraft(const json& incident, const PostedForm& form, std::string* error) {
  const std::string language = common::FormValue(form, "language");
  if (!IsLetterLanguage(language)) {
    *error = "choose English or Welsh";
    return nullptr;
  }
  json all = incident.value("letter_draft", json::object());
  json draft = json::object();
  for (const char* part : kLetterParts) draft[part] = common::FormValue(form, part);
  draft["final"] = common::FormValue(form, "final") == "1";
  // Reopening keeps the words as they were: the text areas of a final letter are read-only.
  const json before = all.value(language, json());
  if (before.is_object() && before.value("final", false) && !draft["final"].get<bool>()) {
    for (const char* part : kLetterParts) draft[part] = before.value(part, "");
  }
  all[language] = draft;
  return all;
}

json PostedLetterRequest(const PostedForm& form) {
  return {{"language", common::FormValue(form, "language")},
          {"format", common::FormValue(form, "format")},
          {"record", common::FormValue(form, "record")},
          {"representative_role", common::FormValue(form, "representative_role")},
          {"person_name", common::FormValue(form, "person_name")},
          {"addressee", {{"name", common::FormValue(form, "name")}, {"address", common::FormValue(form, "address")},
                         {"email", common::FormValue(form, "email")}}}};
}

std::string RenderSubjectAccess(const json& answer, const std::string& refusal, const std::string& csrf) {
  std::string html = "<h1>Subject access search</h1>\n<p>Every case that names an email address (in the form, the casework, "
                     "the notes or the audit trail) or sent a letter to it. For a request under Article 15; the address is "
                     "not logged.</p>\n<form method=\"post\" action=\"/subject-access\" id=\"sar-form\">" + HiddenInput("csrf", csrf) +
                     "<label for=\"sar-address\">Email or postal address</label><input id=\"sar-address\" name=\"address\" "
                     "autocomplete=\"off\" required><button type=\"submit\" class=\"primary\" id=\"sar-search\">Search</button></form>\n";
  if (!refusal.empty()) return html + "<p class=\"refused\" role=\"alert\" id=\"error\">" + HtmlEscape(refusal) + "</p>";
  if (answer.is_null()) return html;
  const json found = answer.value("incidents", json::array());
  html += "<p id=\"sar-count\">" + std::to_string(found.size()) + (found.size() == 1 ? " case" : " cases") + " found.</p>";
  html += MailFilterRecords(answer);
  if (found.empty()) return html;
  html += "<table id=\"sar-results\"><tr><th>Case</th><th>Kind</th><th>Status</th><th>Where</th></tr>";
  for (const auto& i : found) {
    const std::string id = i.value("incident_id", ""), number = i.value("incident_number", "");
    std::string where;
    for (const auto& w : i.value("found_in", json::array())) where += (where.empty() ? "" : "; ") + w.get<std::string>();
    html += "<tr><td><a href=\"/incidents/" + HtmlEscape(id) + "\">" + HtmlEscape(number.empty() ? id.substr(0, 8) : number) +
            "</a></td><td>" + HtmlEscape(Readable(i.value("kind", ""))) + "</td><td>" + HtmlEscape(Readable(i.value("status", ""))) +
            "</td><td>" + HtmlEscape(where) + "</td></tr>";
  }
  return html + "</table>";
}

}  // namespace sendguard::incident
