// SPDX-License-Identifier: Apache-2.0
// Self-report pages for staff (see self_report_pages.h).
#include "self_report_pages.h"

#include <nlohmann/json.hpp>

#include "api.h"
#include "breach_form.h"
#include "html_page.h"
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

HttpResponse RequestForm(int status, const std::string& error, bool secure) {
  const std::string token = common::RandomHex(16);
  std::string html =
      "<h1>Report an email sent to the wrong person</h1>\n"
      "<p>Sent an email to the wrong person, or with the wrong attachment? Telling us at once is the right thing to "
      "do: the information governance team has 72 hours to decide whether to report it to the ICO, and can often ask "
      "the recipient to delete it.</p>\n";
  if (!error.empty()) html += "<p class=\"refused\" id=\"error\">" + HtmlEscape(error) + "</p>\n";
  html += "<form method=\"post\" action=\"" + kPrefix + "\" id=\"request-form\">" + HiddenInput("csrf", token) +
          "<label for=\"email\">Your work email address</label><input id=\"email\" name=\"email\" type=\"email\" "
          "autocomplete=\"email\" required>"
          "<p><button type=\"submit\" class=\"primary\" id=\"request\">Email me a link</button></p></form>\n"
          "<p class=\"muted\">We email you a link that lists what you sent in the last week. Only your own work "
          "address can receive it.</p>\n";
  HttpResponse r = HtmlPage(status, "Report an email sent to the wrong person", html);
  // Double-submit: the form's token must match this cookie (a cross-site form cannot read it).
  r.headers.emplace_back("Set-Cookie", "sg_report=" + token + "; Path=" + kPrefix + "; HttpOnly; SameSite=Strict" +
                                           (secure ? "; Secure" : ""));
  return r;
}

// The milter's refusal as a page.
HttpResponse FromMilter(long status, const json& body) {
  const std::string why = body.is_object() ? body.value("error", "") : "";
  if (status == 403 || status == 404) {
    return StaffRefusal(static_cast<int>(status), "This link is not valid", "The link may have been copied incompletely.");
  }
  if (status == 410) return StaffRefusal(410, "This link cannot be used again", why);
  if (status == 422) return StaffRefusal(422, "Please check the form", why);
  return StaffRefusal(502, "Something went wrong",
                      "The report could not be handled just now. Please try again in a few minutes, or tell your "
                      "information governance team directly.");
}

std::string SendLabel(const json& send) {
  std::string domains;
  for (const auto& d : send.value("recipient_domains", json::array())) domains += (domains.empty() ? "" : ", ") + d.get<std::string>();
  const std::string findings = send.value("findings", "");
  return common::FormatTime(send.value("at", int64_t{0}), "%H:%M on %a %e %b", true) + " to " +
         (domains.empty() ? "(no recipients)" : domains) +
         (findings.empty() || findings == "none" ? "; nothing sensitive found" : "; sendguard found " + findings);
}

// The general breach report: anything that is not one of the sends listed (a letter or a
// parcel, a conversation, a lost laptop or papers, a look at a record without a need, a cyber
// attack). Posts `general=1` with the same link and CSRF token.
std::string GeneralReportForm(const std::string& id, const std::string& t, const std::string& csrf, bool open) {
  static const std::vector<std::pair<const char*, const char*>> kKinds = {
      {"INCORRECT_RECIPIENT", "Information given to the wrong person (a letter, a call, a handover)"},
      {"LOST_INFORMATION", "Papers, a laptop, a phone or a memory stick lost or stolen"},
      {"INSECURE_LOCATION", "Papers or records left somewhere anyone could see them"},
      {"UNAUTHORISED_ACCESS", "Someone looked at records without a need to"},
      {"DISCLOSED_ONLINE", "Personal information published online by mistake"},
      {"CYBER_INCIDENT", "A cyber attack, phishing or a virus"},
      {"OTHER", "Something else"}};
  std::string html = std::string("<details class=\"section\" id=\"general-report\"") + (open ? " open" : "") +
                     "><summary>Something else happened (not one of these emails)</summary><form method=\"post\" action=\"" + kPrefix +
                     "/" + HtmlEscape(id) + "\" id=\"general-form\">" + HiddenInput("t", t) + HiddenInput("csrf", csrf) +
                     HiddenInput("general", "1") + "<fieldset><legend>What happened?</legend>";
  for (const auto& [value, words] : kKinds) {
    html += std::string("<label><input type=\"radio\" name=\"type\" value=\"") + value + "\" required> " + HtmlEscape(words) + "</label>";
  }
  html += "</fieldset><label for=\"general-aware\">When did you find out?</label><input id=\"general-aware\" name=\"aware\" "
          "type=\"datetime-local\" required><label for=\"general-name\">Your name</label><input id=\"general-name\" name=\"name\" "
          "autocomplete=\"name\"><label for=\"general-what\">What happened? (no personal details, please; up to 1,000 "
          "characters)</label><textarea id=\"general-what\" name=\"note\" maxlength=\"1000\" required></textarea>"
          "<p><button type=\"submit\" class=\"primary\" id=\"general-report-send\">Report it</button></p></form></details>\n";
  return html;
}

HttpResponse ListPage(const json& body, const std::string& id, const std::string& t, const std::string& csrf) {
  const json sends = body.value("sends", json::array());
  std::string html = "<h1>Which email went to the wrong person?</h1>\n";
  if (sends.empty()) {
    html += "<p id=\"no-sends\">sendguard has no record of emails from you in the last week. If something else happened, "
            "tell us here.</p>\n" + GeneralReportForm(id, t, csrf, true);
    return HtmlPage(200, "Report a breach", html);
  }
  html += "<form method=\"post\" action=\"" + kPrefix + "/" + HtmlEscape(id) + "\" id=\"report-form\">" + HiddenInput("t", t) +
          HiddenInput("csrf", csrf) + "<fieldset><legend>Your emails (newest first; the time is the gateway's)</legend>";
  for (const auto& s : sends) {
    const std::string rid = std::to_string(s.value("record_id", int64_t{0}));
    html += "<label><input type=\"radio\" name=\"record_id\" value=\"" + rid + "\" id=\"send-" + rid + "\" required> " +
            HtmlEscape(SendLabel(s)) + "</label>";
  }
  html += "</fieldset>\n<label for=\"name\">Your name</label><input id=\"name\" name=\"name\" autocomplete=\"name\">"
          "<label for=\"note\">What went wrong? (no personal details, please; up to 1,000 characters)</label>"
          "<textarea id=\"note\" name=\"note\" maxlength=\"1000\"></textarea>"
          "<p><button type=\"submit\" class=\"primary\" id=\"report\">Report it</button></p></form>\n"
          "<p class=\"muted\">This link works once.</p>\n" + GeneralReportForm(id, t, csrf, false);
  return HtmlPage(200, "Report an email", html);
}

}  // namespace

// A member of staff's report of something other than an email: the link proves their address
// (and is used up); the draft is theirs, with section 1 and what they said (digits masked).
HttpResponse SelfReportPages::FileGeneralReport(const std::string& path, const std::string& t,
                                                const std::vector<std::pair<std::string, std::string>>& form) const {
  const std::string type = common::FormValue(form, "type");
  auto aware = ParseLocalDateTime(common::FormValue(form, "aware"));
  const std::string what(common::Trim(common::FormValue(form, "note")));
  if (!Parse<IncidentType>(type) || !aware.ok() || what.empty()) {
    return StaffRefusal(422, "Please check the form", "Say what happened, when you found out, and in a few words how.");
  }
  common::HttpCallResult r = milter.Call("POST", path + "/use?t=" + t, json{{"record_id", 0}}.dump());
  const json used = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !used.is_object()) return FromMilter(r.status, used);
  const std::string email = used.value("reporter_email", "");
  const std::string name(common::Trim(common::FormValue(form, "name")));
  json draft = {{"title", "Reported by a member of staff: " + Readable(type)},
                {"source", "HUMAN_REPORT"},
                {"s1_email", email},
                {"s1_aware_local", FormatLocalDateTime(ToInstant(*aware))},
                {"s1_how_found_out", "Reported by a member of staff on the sendguard breach report page"},
                {"s4_types", {type}},
                {"s5_what_happened", common::MaskedNote(what, 1000)}};
  if (!name.empty()) draft["s1_name"] = name.substr(0, 200);
  const Actor reporter{email, email, Role::kReporter};
  auto created = service->Create(draft, reporter);
  if (!created.ok()) {
    std::string why;
    if (created.refusal) {
      for (const auto& e : created.refusal->errors) why += (why.empty() ? "" : "; ") + e.field + ": " + e.reason;
    }
    return StaffRefusal(created.refusal ? 422 : 502, "The report could not be filed",
                        (why.empty() ? std::string("Please tell your information governance team directly.") : why) +
                            " The link has been used: ask for a new one, or tell the information governance team directly.");
  }
  return HtmlPage(200, "Reported",
                  "<h1>Thank you: it has been reported</h1><p class=\"done\" id=\"reported\">The information governance "
                  "team has been told (reference " + HtmlEscape(created.value->substr(0, 8)) + ") and will be in touch.</p>");
}

bool SelfReportPages::Owns(const std::string& path) { return path == kPrefix || path.rfind(kPrefix + "/", 0) == 0; }

HttpResponse SelfReportPages::Handle(const common::HttpRequest& req) const {
  if (!milter.enabled() || !csrf || !service) {
    return StaffRefusal(404, "Not available", "Self-reporting through this site is not enabled: tell your information "
                                              "governance team directly.");
  }
  const auto form = req.method == "POST" ? common::ParseForm(req.body) : std::vector<std::pair<std::string, std::string>>{};
  if (auto refused = RefuseNonUtf8Form(form)) return *refused;
  if (req.path == kPrefix) {
    if (req.method == "GET") return RequestForm(200, "", secure_cookies);
    if (req.method != "POST") return RequestForm(405, "Use the form.", secure_cookies);
    const std::string token = common::FormValue(form, "csrf");
    if (token.empty() || !common::SecureEquals(token, CookieValue(req, "sg_report"))) {
      return RequestForm(403, "The form had expired: please try again.", secure_cookies);
    }
    const std::string email(common::Trim(common::FormValue(form, "email")));
    common::HttpCallResult r = milter.Call("POST", "/self-reports", json{{"email", email}}.dump());
    if (r.status == 422) return RequestForm(422, "Please give your work email address.", secure_cookies);
    if (r.status != 202) return FromMilter(r.status, json::parse(r.body, nullptr, false));
    return HtmlPage(200, "Check your email",
                    "<h1>Check your email</h1><p class=\"done\" id=\"requested\">If " + HtmlEscape(email) +
                        " is a work address here, a link is on its way to it. It works once, for a day.</p>");
  }
  const std::string id = req.path.substr(kPrefix.size() + 1);
  if (id.size() != 32 || !common::HexDecode(id)) return FromMilter(404, json::object());
  const std::string path = "/self-reports/" + id;
  if (req.method == "GET") {
    const std::string t = req.Query("t");
    if (!common::HexDecode(t)) return FromMilter(403, json::object());
    common::HttpCallResult r = milter.Call("GET", path + "?t=" + t);
    const json body = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.is_object()) return FromMilter(r.status, body);
    return ListPage(body, id, t, ListCsrf(*csrf, id, t));
  }
  if (req.method != "POST") return StaffRefusal(405, "Not allowed", "Use the button on the page.");
  const std::string t = common::FormValue(form, "t");
  if (!common::HexDecode(t)) return FromMilter(403, json::object());
  if (!common::SecureEquals(common::FormValue(form, "csrf"), ListCsrf(*csrf, id, t))) {
    return StaffRefusal(403, "This form has expired", "Please open the link in the email again.");
  }
  if (common::FormValue(form, "general") == "1") return FileGeneralReport(path, t, form);
  const std::string record = common::FormValue(form, "record_id");
  if (record.empty() || record.size() > 18 || record.find_first_not_of("0123456789") != std::string::npos) {
    return StaffRefusal(422, "Please check the form", "Choose the email that went to the wrong person.");
  }
  common::HttpCallResult r = milter.Call("POST", path + "/use?t=" + t, json{{"record_id", std::stoll(record)}}.dump());
  const json used = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !used.is_object() || !used.contains("send")) return FromMilter(r.status, used);
  const std::string email = used.value("reporter_email", "");
  const std::string name(common::Trim(common::FormValue(form, "name")));
  // The audit trail names the address the link proved, not the name typed on the form (that goes
  // into the report as the reporter's name, as any form field would).
  const Actor reporter{email, email, Role::kReporter};
  HttpResponse filed = FileSelfReport(*service, reporter, used["send"], name.substr(0, 200), email,
                                      "Reported by the sender on the sendguard self-report page", common::FormValue(form, "note"));
  if (filed.status != 201) {
    return StaffRefusal(502, "Something went wrong", "The report could not be filed. Please tell your information "
                                                     "governance team directly.");
  }
  const json shown = json::parse(filed.body, nullptr, false);
  const std::string ref = shown.is_object() ? shown["incident"].value("incident_id", "").substr(0, 8) : "";
  return HtmlPage(200, "Reported",
                  "<h1>Thank you: it has been reported</h1><p class=\"done\" id=\"reported\">The information governance "
                  "team has been told (reference " + HtmlEscape(ref) + ") and will be in touch. They may ask the recipient "
                  "to delete the email; please do not contact the recipient about it yourself unless they ask you to.</p>");
}

}  // namespace sendguard::incident
