// SPDX-License-Identifier: Apache-2.0
// An incident in words for the pages (see incident_words.h).
#include "incident_words.h"

#include <map>
#include <utility>
#include <vector>

#include "breach_form.h"
#include "html_page.h"
#include "sendguard/common/text.h"
#include "sendguard/incident/london_time.h"

namespace sendguard::incident {

using nlohmann::json;

// A string member of a JSON object, "" when absent or not a string (stored shapes vary).
std::string JsonText(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// Where an incident came from, in words.
std::string SourceWords(const std::string& source) {
  static const std::map<std::string, std::string> kWords = {
      {"HUMAN_REPORT", "reported by a person"}, {"MAIL_FILTER", "filed by the mail filter"},
      {"PROCESSOR_NOTIFICATION", "notified by a processor"}, {"MEMBER_OF_PUBLIC", "reported by a member of the public"},
      {"OTHER", "from another source"}};
  auto it = kWords.find(source);
  return it == kWords.end() ? source : it->second;
}

// A role as the procedure names it.
std::string RoleWords(const std::string& role) {
  static const std::map<std::string, std::string> kWords = {
      {"ig_officer", "IG officer"}, {"dpo", "DPO"}, {"investigating_officer", "investigating officer"}, {"siro", "SIRO"},
      {"caldicott_guardian", "Caldicott Guardian"}, {"auditor", "auditor"}, {"admin", "gateway admin"}};
  auto it = kWords.find(role);
  return it == kWords.end() ? role : it->second;
}

// The clock that matters now, in words: the ICO's 72 hours, else the breach form's 24, else
// triage's, with its due time in London.
std::string Deadline(const json& clocks) {
  static const std::vector<std::pair<const char*, const char*>> kClocks = {
      {"ICO_72H", "The 72 hours to tell the ICO"}, {"FORM_24H", "The breach form's 24 hours"}, {"TRIAGE", "Triage"}};
  for (const auto& [name, words] : kClocks) {
    const json c = clocks.value(name, json::object());
    const std::string state = c.value("state", "");
    if (state == "RUNNING" || state == "DUE_SOON" || state == "OVERDUE") {
      return std::string(words) + ": due " + c.value("due_local", "") + " (" + Readable(state) + ").";
    }
  }
  return "No clock is running.";
}

// An IdentifierType (spec §1.7) in words, singular or plural.
std::string IdentifierWords(const std::string& type, long long n) {
  static const std::map<std::string, const char*> kWords = {
      {"PERSON_NAME", "name"}, {"EMAIL_ADDRESS", "email address"}, {"POSTAL_ADDRESS", "postal address"},
      {"UK_POSTCODE", "postcode"}, {"PHONE_NUMBER", "phone number"}, {"DATE_OF_BIRTH", "date of birth"},
      {"NHS_NUMBER", "NHS number"}, {"NI_NUMBER", "National Insurance number"}, {"UNIQUE_PUPIL_NUMBER", "Unique Pupil Number"},
      {"CASE_REFERENCE", "case reference"}, {"BANK_ACCOUNT", "bank account"}, {"PAYMENT_CARD_NUMBER", "payment card number"},
      {"PASSPORT_NUMBER", "passport number"}, {"DRIVING_LICENCE_NUMBER", "driving licence number"},
      {"CREDENTIAL", "password or secret key"}, {"HEALTH_TERM", "health term"}, {"SPECIAL_CATEGORY_TERM", "special category term"},
      {"CRIMINAL_OFFENCE_TERM", "criminal offence term"}, {"OTHER", "other identifier"}};
  auto it = kWords.find(type);
  std::string w = it == kWords.end() ? common::AsciiLower(Readable(type)) : it->second;
  if (n == 1) return "1 " + w;
  if (w == "date of birth") return std::to_string(n) + " dates of birth";
  if (w.back() == 's') return std::to_string(n) + " " + w + "es";
  return std::to_string(n) + " " + w + "s";
}

namespace {

const std::map<std::string, std::pair<const char*, const char*>>& MailActions() {
  static const std::map<std::string, std::pair<const char*, const char*>> kActions = {
      {"BLOCKED", {"Stopped by sendguard", "sendguard stopped it before it left"}},
      {"WARNED_USER_CANCELLED", {"Warned and cancelled", "sendguard warned the sender, who cancelled it"}},
      {"WARNED_USER_OVERRODE", {"Warned, then sent anyway", "sendguard warned the sender, who confirmed and sent it"}},
      {"AUDIT_ONLY", {"Sent and recorded", "sendguard let it go and recorded it (monitoring only)"}}};
  return kActions;
}

}  // namespace

// A list entry's title: the mail filter's drafts say what happened in words, not its code.
std::string TitleInWords(const json& summary) {
  const std::string title = summary.value("title", "");
  auto it = MailActions().find(summary.value("mf_action", ""));
  if (it == MailActions().end() || title.rfind("Mail filter: ", 0) != 0) return title;
  return std::string("Email: ") + it->second.first;
}

// A mail-filter incident's story in words: a headline, and who sent what to whom, when, what
// sendguard found (counts only) and what it and the sender did.
std::pair<std::string, std::string> MailStory(const json& in) {
  const auto& kActions = MailActions();
  const std::string action = in.value("mf_action", "");
  auto it = kActions.find(action);
  std::string found;
  const json counts = in.value("mf_identifier_counts", json::object());  // items() must not outlive it
  for (const auto& [type, c] : counts.items()) {
    found += (found.empty() ? "" : ", ") + IdentifierWords(type, c.value("distinct", 0LL));
  }
  std::string to;
  for (const auto& r : in.value("mf_recipients", json::array())) {
    if (!r.is_object()) continue;
    to += (to.empty() ? "" : ", ") + (JsonText(r, "domain").empty() ? std::string("?") : JsonText(r, "domain")) + " (" +
          common::AsciiLower(Readable(JsonText(r, "classification"))) + ")";
  }
  std::string when = JsonText(in, "mf_event_at");
  if (auto t = ParseInstant(when); t.ok()) when = FormatLondon(*t);
  const std::string headline = std::string(it == kActions.end() ? "Mail filter" : it->second.first) +
                               (found.empty() ? "" : ": " + found) + (to.empty() ? "" : " to " + to.substr(0, to.find(" (")));
  std::string sentence = (when.empty() ? std::string("An email") : "At " + when + ", an email") + " from " +
                         in.value("mf_sender", std::string("a council mailbox")) + (to.empty() ? "" : " to " + to) +
                         (found.empty() ? "" : " held " + found) + ". " +
                         (it == kActions.end() ? std::string("") : std::string(it->second.second) + ".");
  const json warning = in.value("mf_warning", json::object());
  if (warning.is_object() && warning.contains("justification_reason") && warning["justification_reason"].is_string()) {
    sentence += " Their reason: " + common::AsciiLower(Readable(warning["justification_reason"].get<std::string>())) +
                (JsonText(warning, "justification_text").empty() ? "" : " (\"" + JsonText(warning, "justification_text") + "\")") +
                ".";
  }
  return {headline, sentence};
}

// Every clock that has started, with its due time in London and its state: the investigating
// officer's 24 hours for the form beside the ICO's 72.
std::string ClockList(const json& clocks) {
  static const std::vector<std::pair<const char*, const char*>> kClocks = {
      {"TRIAGE", "Triage"}, {"FORM_24H", "The breach form (24 hours)"}, {"ICO_72H", "Telling the ICO (72 hours)"}};
  std::string items;
  for (const auto& [name, words] : kClocks) {
    const json c = clocks.value(name, json::object());
    const std::string state = c.value("state", "NOT_STARTED");
    if (state == "NOT_STARTED" || !c.contains("due_local")) continue;
    items += std::string("<li id=\"clock-") + name + "\">" + words + ": due " + HtmlEscape(c.value("due_local", "")) + " (" +
             HtmlEscape(common::AsciiLower(Readable(state))) + ")</li>";
  }
  return items.empty() ? "" : "<ul class=\"clocks\" id=\"clocks\">" + items + "</ul>\n";
}

std::string MailFilterSawHtml(const nlohmann::json& in) {
  if (!in.contains("mf_action")) return "";
  std::string html;
  html += "<h2>What the mail filter saw</h2><ul id=\"evidence\"><li>What happened: " +
          HtmlEscape(Readable(in.value("mf_action", ""))) + "</li>";
  const json counts = in.value("mf_identifier_counts", json::object());
  for (const auto& [type, c] : counts.items()) {
    const json times = c.value("occurrences", json());
    html += "<li>" + HtmlEscape(IdentifierWords(type, c.value("distinct", 0LL))) + " (" + HtmlEscape(type) + ")" +
            (times.is_number_integer() ? ", " + std::to_string(times.get<long long>()) + " times in all" : std::string()) + "</li>";
  }
  // Shapes the filer is trusted for but checked here anyway: a stray item is skipped.
  for (const auto& sig : in.value("mf_signals", json::array())) {
    if (!sig.is_object()) continue;
    html += "<li>Signal: " + HtmlEscape(Readable(JsonText(sig, "type"))) + " (" + HtmlEscape(JsonText(sig, "domain")) + ")</li>";
  }
  for (const auto& r : in.value("mf_recipients", json::array())) {
    if (!r.is_object()) continue;
    html += "<li>Recipient domain " + HtmlEscape(JsonText(r, "domain")) + " (" + HtmlEscape(Readable(JsonText(r, "classification"))) + ")</li>";
  }
  for (const auto& e : in.value("mf_redacted_evidence", json::array())) {
    if (!e.is_object()) continue;
    std::string where;
    if (JsonText(e, "source") == "OCR") {
      where = e.contains("page") && e["page"].is_number_integer()
                  ? " (read from a picture: page " + std::to_string(e["page"].get<int64_t>()) + ")"
                  : " (read from a picture)";
    }
    html += "<li class=\"muted\">" + HtmlEscape(JsonText(e, "snippet") + where) + "</li>";
  }
  if (in.contains("mf_warning") && in["mf_warning"].is_object()) {
    html += "<li>The warning:";
    for (const auto& [key, value] : in["mf_warning"].items()) {
      const std::string v = value.is_string() ? value.get<std::string>() : value.dump();
      html += " " + HtmlEscape(common::AsciiLower(Readable(key))) + ": " +
              HtmlEscape(key == "justification_text" ? v : common::AsciiLower(Readable(v))) + ";";
    }
    html += "</li>";
  }
  html += "</ul>\n";
  return html;
}

}  // namespace sendguard::incident
