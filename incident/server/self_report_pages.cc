// SPDX-License-Identifier: Apache-2.0
// Self-report pages for staff (see self_report_pages.h).
#include "self_report_pages.h"

#include <nlohmann/json.hpp>

#include "api.h"
#include "breach_form.h"
#include "html_page.h"
#include "staff_words.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using common::HttpResponse;
using nlohmann::json;

const std::string kPrefix = "/staff/report";

std::string ListCsrf(const common::KeyedHasher& key, const std::string& id, const std::string& t) {
  return key.Hex("sendguard self-report csrf|" + id + "|" + t).substr(0, 32);
}

HttpResponse RequestForm(const std::string& lang, int status, const std::string& error, bool secure) {
  const std::string token = common::RandomHex(16);
  std::string html = LanguageSwitch(lang, kPrefix) + "<h1>" + HtmlEscape(Say(lang, "report.title")) + "</h1>\n<p>" +
                     HtmlEscape(Say(lang, "report.intro")) + "</p>\n";
  if (!error.empty()) html += "<p class=\"refused\" id=\"error\">" + HtmlEscape(error) + "</p>\n";
  html += "<form method=\"post\" action=\"" + kPrefix + "\" id=\"request-form\">" + HiddenInput("csrf", token) + HiddenInput("lang", lang) +
          "<label for=\"email\">" + HtmlEscape(Say(lang, "report.email")) + "</label><input id=\"email\" name=\"email\" type=\"email\" "
          "autocomplete=\"email\" required>"
          "<p><button type=\"submit\" class=\"primary\" id=\"request\">" + HtmlEscape(Say(lang, "report.request")) + "</button></p></form>\n"
          "<p class=\"muted\">" + HtmlEscape(Say(lang, "report.request_note")) + "</p>\n";
  HttpResponse r = HtmlPage(status, Say(lang, "report.title"), html, lang);
  // Double-submit: the form's token must match this cookie (a cross-site form cannot read it).
  r.headers.emplace_back("Set-Cookie", "sg_report=" + token + "; Path=" + kPrefix + "; HttpOnly; SameSite=Strict" +
                                           (secure ? "; Secure" : ""));
  return r;
}

// The desk's refusal as a page.
HttpResponse FromMilter(const std::string& lang, long status, const json& body) {
  const std::string why = body.is_object() ? body.value("error", "") : "";
  if (status == 403 || status == 404) {
    return StaffRefusal(static_cast<int>(status), Say(lang, "link_invalid"), Say(lang, "link_invalid.report"), lang);
  }
  if (status == 410) return StaffRefusal(410, Say(lang, "report.used"), why, lang);
  if (status == 422) return StaffRefusal(422, Say(lang, "check_form"), why, lang);
  return StaffRefusal(502, Say(lang, "wrong"), Say(lang, "report.wrong"), lang);
}

std::string SendLabel(const std::string& lang, const json& send) {
  std::string domains;
  for (const auto& d : send.value("recipient_domains", json::array())) domains += (domains.empty() ? "" : ", ") + d.get<std::string>();
  const std::string findings = send.value("findings", "");
  return common::LocalTimeWords(static_cast<std::time_t>(send.value("at", int64_t{0})), lang) + " " + Say(lang, "send.to") + " " +
         (domains.empty() ? Say(lang, "send.no_recipients") : domains) + "; " +
         (findings.empty() || findings == "none" ? Say(lang, "send.nothing_found") : Fill(Say(lang, "send.found"), {{"findings", findings}}));
}

// The general breach report: anything that is not one of the sends listed (a letter or a
// parcel, a conversation, a lost laptop or papers, a look at a record without a need, a cyber
// attack). Posts `general=1` with the same link and CSRF token.
std::string GeneralReportForm(const std::string& lang, const std::string& id, const std::string& t, const std::string& csrf, bool open) {
  static const char* kKinds[] = {"INCORRECT_RECIPIENT", "LOST_INFORMATION", "INSECURE_LOCATION", "UNAUTHORISED_ACCESS",
                                 "DISCLOSED_ONLINE",    "CYBER_INCIDENT",   "OTHER"};
  std::string html = std::string("<details class=\"section\" id=\"general-report\"") + (open ? " open" : "") + "><summary>" +
                     HtmlEscape(Say(lang, "general.summary")) + "</summary><form method=\"post\" action=\"" + kPrefix + "/" +
                     HtmlEscape(id) + "\" id=\"general-form\">" + HiddenInput("t", t) + HiddenInput("csrf", csrf) +
                     HiddenInput("lang", lang) + HiddenInput("general", "1") + "<fieldset><legend>" +
                     HtmlEscape(Say(lang, "general.what_happened")) + "</legend>";
  for (const char* value : kKinds) {
    html += std::string("<label><input type=\"radio\" name=\"type\" value=\"") + value + "\" required> " +
            HtmlEscape(Say(lang, std::string("type.") + value)) + "</label>";
  }
  html += "</fieldset><label for=\"general-aware\">" + HtmlEscape(Say(lang, "general.when")) +
          "</label><input id=\"general-aware\" name=\"aware\" type=\"datetime-local\" required><label for=\"general-name\">" +
          HtmlEscape(Say(lang, "your_name")) + "</label><input id=\"general-name\" name=\"name\" autocomplete=\"name\"><label "
          "for=\"general-what\">" + HtmlEscape(Say(lang, "general.describe")) +
          "</label><textarea id=\"general-what\" name=\"note\" maxlength=\"1000\" required></textarea>"
          "<p><button type=\"submit\" class=\"primary\" id=\"general-report-send\">" + HtmlEscape(Say(lang, "report.button")) +
          "</button></p></form></details>\n";
  return html;
}

HttpResponse ListPage(const std::string& lang, const json& body, const std::string& id, const std::string& t, const std::string& csrf) {
  const json sends = body.value("sends", json::array());
  std::string html = LanguageSwitch(lang, kPrefix + "/" + id + "?t=" + t) + "<h1>" + HtmlEscape(Say(lang, "list.title")) + "</h1>\n";
  if (sends.empty()) {
    html += "<p id=\"no-sends\">" + HtmlEscape(Say(lang, "list.none")) + "</p>\n" + GeneralReportForm(lang, id, t, csrf, true);
    return HtmlPage(200, Say(lang, "list.title_breach"), html, lang);
  }
  html += "<form method=\"post\" action=\"" + kPrefix + "/" + HtmlEscape(id) + "\" id=\"report-form\">" + HiddenInput("t", t) +
          HiddenInput("csrf", csrf) + HiddenInput("lang", lang) + "<fieldset><legend>" + HtmlEscape(Say(lang, "list.legend")) + "</legend>";
  for (const auto& s : sends) {
    const std::string rid = std::to_string(s.value("record_id", int64_t{0}));
    html += "<label><input type=\"radio\" name=\"record_id\" value=\"" + rid + "\" id=\"send-" + rid + "\" required> " +
            HtmlEscape(SendLabel(lang, s)) + "</label>";
  }
  html += "</fieldset>\n<label for=\"name\">" + HtmlEscape(Say(lang, "your_name")) +
          "</label><input id=\"name\" name=\"name\" autocomplete=\"name\"><label for=\"note\">" +
          HtmlEscape(Say(lang, "list.what_wrong")) + "</label><textarea id=\"note\" name=\"note\" maxlength=\"1000\"></textarea>"
          "<p><button type=\"submit\" class=\"primary\" id=\"report\">" + HtmlEscape(Say(lang, "report.button")) +
          "</button></p></form>\n<p class=\"muted\">" + HtmlEscape(Say(lang, "list.once")) + "</p>\n" +
          GeneralReportForm(lang, id, t, csrf, false);
  return HtmlPage(200, Say(lang, "list.title_email"), html, lang);
}

HttpResponse Reported(const std::string& lang, const std::string& ref, bool email) {
  std::string text = Fill(Say(lang, "reported.text"), {{"ref", ref}});
  if (email) text += " " + Say(lang, "reported.recipient");
  return HtmlPage(200, Say(lang, "reported"), "<h1>" + HtmlEscape(Say(lang, "reported.heading")) +
                                                  "</h1><p class=\"done\" id=\"reported\">" + HtmlEscape(text) + "</p>", lang);
}

}  // namespace

// A member of staff's report of something other than an email: the link proves their address
// (and is used up); the draft is theirs, with section 1 and what they said (digits masked).
HttpResponse SelfReportPages::FileGeneralReport(const std::string& lang, const std::string& path, const std::string& t,
                                                const std::vector<std::pair<std::string, std::string>>& form) const {
  const std::string type = common::FormValue(form, "type");
  auto aware = ParseLocalDateTime(common::FormValue(form, "aware"));
  const std::string what(common::Trim(common::FormValue(form, "note")));
  if (!Parse<IncidentType>(type) || !aware.ok() || what.empty()) {
    return StaffRefusal(422, Say(lang, "check_form"), Say(lang, "general.check"), lang);
  }
  common::HttpCallResult r = desk.Call("POST", path + "/use?t=" + t, json{{"record_id", 0}}.dump());
  const json used = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !used.is_object()) return FromMilter(lang, r.status, used);
  const std::string email = used.value("reporter_email", "");
  const std::string name(common::Trim(common::FormValue(form, "name")));
  json draft = {{"title", "Reported by a member of staff: " + Readable(type)},
                {"source", "HUMAN_REPORT"},
                {"s1_email", email},
                {"s1_aware_local", FormatLocalDateTime(ToInstant(*aware))},
                {"s1_how_found_out", "Reported by a member of staff on the sendguard breach report page"},
                {"s4_types", {type}},
                {"s5_what_happened", common::MaskedNote(what, 1000)}};
  if (!name.empty()) draft["s1_name"] = common::Utf8Prefix(name, 200);
  const Actor reporter{email, email, Role::kReporter};
  auto created = service->Create(draft, reporter);
  if (!created.ok()) {
    std::string why;
    if (created.refusal) {
      for (const auto& e : created.refusal->errors) why += (why.empty() ? "" : "; ") + e.field + ": " + e.reason;
    }
    return StaffRefusal(created.refusal ? 422 : 502, Say(lang, "filed_failed"),
                        (why.empty() ? Say(lang, "filed_failed.tell") : why) + " " + Say(lang, "filed_failed.used"), lang);
  }
  return Reported(lang, created.value->substr(0, 8), false);
}

bool SelfReportPages::Owns(const std::string& path) { return path == kPrefix || path.rfind(kPrefix + "/", 0) == 0; }

HttpResponse SelfReportPages::Handle(const common::HttpRequest& req) const {
  const auto form = req.method == "POST" ? common::ParseForm(req.body) : std::vector<std::pair<std::string, std::string>>{};
  // The link the gateway mailed carries the sender's language; the page's switch changes it.
  const std::string lang = StaffLanguage(req, form);
  if (!desk.enabled() || !csrf || !service) return StaffRefusal(404, Say(lang, "not_available"), Say(lang, "report.off"), lang);
  if (auto refused = RefuseNonUtf8Form(form)) return *refused;
  if (req.path == kPrefix) {
    if (req.method == "GET") return RequestForm(lang, 200, "", secure_cookies);
    if (req.method != "POST") return RequestForm(lang, 405, Say(lang, "use_form"), secure_cookies);
    const std::string token = common::FormValue(form, "csrf");
    if (token.empty() || !common::SecureEquals(token, CookieValue(req, "sg_report"))) {
      return RequestForm(lang, 403, Say(lang, "form_expired.retry"), secure_cookies);
    }
    const std::string email(common::Trim(common::FormValue(form, "email")));
    common::HttpCallResult r = desk.Call("POST", "/self-reports", json{{"email", email}}.dump());
    if (r.status == 422) return RequestForm(lang, 422, Say(lang, "report.give_email"), secure_cookies);
    if (r.status != 202) return FromMilter(lang, r.status, json::parse(r.body, nullptr, false));
    return HtmlPage(200, Say(lang, "check_email"),
                    "<h1>" + HtmlEscape(Say(lang, "check_email")) + "</h1><p class=\"done\" id=\"requested\">" +
                        HtmlEscape(Fill(Say(lang, "check_email.text"), {{"email", email}})) + "</p>", lang);
  }
  const std::string id = req.path.substr(kPrefix.size() + 1);
  if (id.size() != 32 || !common::HexDecode(id)) return FromMilter(lang, 404, json::object());
  const std::string path = "/self-reports/" + id;
  if (req.method == "GET") {
    const std::string t = req.Query("t");
    if (!common::HexDecode(t)) return FromMilter(lang, 403, json::object());
    common::HttpCallResult r = desk.Call("GET", path + "?t=" + t);
    const json body = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.is_object()) return FromMilter(lang, r.status, body);
    return ListPage(lang, body, id, t, ListCsrf(*csrf, id, t));
  }
  if (req.method != "POST") return StaffRefusal(405, Say(lang, "not_allowed"), Say(lang, "use_button"), lang);
  const std::string t = common::FormValue(form, "t");
  if (!common::HexDecode(t)) return FromMilter(lang, 403, json::object());
  if (!csrf->Verifies("sendguard self-report csrf|" + id + "|" + t, common::FormValue(form, "csrf"), 32)) {  // any key of the ring
    return StaffRefusal(403, Say(lang, "form_expired"), Say(lang, "form_expired.text"), lang);
  }
  if (common::FormValue(form, "general") == "1") return FileGeneralReport(lang, path, t, form);
  const std::string record = common::FormValue(form, "record_id");
  if (record.empty() || record.size() > 18 || record.find_first_not_of("0123456789") != std::string::npos) {
    return StaffRefusal(422, Say(lang, "check_form"), Say(lang, "list.choose"), lang);
  }
  common::HttpCallResult r = desk.Call("POST", path + "/use?t=" + t, json{{"record_id", std::stoll(record)}}.dump());
  const json used = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !used.is_object() || !used.contains("send")) return FromMilter(lang, r.status, used);
  const std::string email = used.value("reporter_email", "");
  const std::string name(common::Trim(common::FormValue(form, "name")));
  // The audit trail names the address the link proved, not the name typed on the form (that goes
  // into the report as the reporter's name, as any form field would).
  const Actor reporter{email, email, Role::kReporter};
  HttpResponse filed = FileSelfReport(*service, reporter, used["send"], common::Utf8Prefix(name, 200), email,
                                      "Reported by the sender on the sendguard self-report page", common::FormValue(form, "note"));
  if (filed.status != 201) return StaffRefusal(502, Say(lang, "wrong"), Say(lang, "filed_failed.email"), lang);
  const json shown = json::parse(filed.body, nullptr, false);
  const std::string ref = shown.is_object() ? shown["incident"].value("incident_id", "").substr(0, 8) : "";
  return Reported(lang, ref, true);
}

}  // namespace sendguard::incident
