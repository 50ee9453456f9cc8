// SPDX-License-Identifier: Apache-2.0
// Hold-and-confirm pages for the member of staff who sent the message (see staff_pages.h).
#include "staff_pages.h"

#include <nlohmann/json.hpp>

#include "html_page.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

struct Reason {
  const char* id;
  const char* label;
};
constexpr Reason kReasons[] = {
    {"RECIPIENTS_CHECKED", "I have checked the recipients: they are the right people"},
    {"SHARING_AGREEMENT", "The recipient is entitled to this information (for example under a data-sharing agreement)"},
    {"DATA_SUBJECT_REQUEST", "The person the information is about asked me to send it"},
    {"OTHER", "Something else (please say below)"},
};

std::string CsrfToken(const common::KeyedHasher& key, const std::string& id, const std::string& t) {
  return key.Hex("sendguard staff csrf|" + id + "|" + t).substr(0, 32);
}

std::string StateSentence(const std::string& state) {
  if (state == "released") return "This email has already been sent.";
  if (state == "partially_released") return "This email has already been sent to the recipients that were not flagged.";
  if (state == "cancelled") return "This email was cancelled and deleted. It was not sent.";
  if (state == "expired") return "The time to confirm has passed. The email was deleted and not sent.";
  if (state == "releasing") return "This email is being sent now.";
  return "This email is no longer waiting for you.";
}

// The milter's answer as a page, when it is not the hold itself.
common::HttpResponse FromOutcome(long status, const json& body) {
  const std::string state = body.value("state", "");
  if (status == 403 || status == 404) {
    return StaffRefusal(status == 403 ? 403 : 404, "This link is not valid",
                   "The link may have been copied incompletely, or it belongs to another message.");
  }
  if (status == 409 || status == 410) return StaffRefusal(static_cast<int>(status), "Nothing to do", StateSentence(state));
  if (status == 422) return StaffRefusal(422, "Please check the form", body.value("error", "Something in the form is missing."));
  return StaffRefusal(502, "Something went wrong",
                 "The message could not be handled just now (" + body.value("error", std::string("the mail filter did not answer")) +
                     "). Nothing has been sent. Please try the link again in a few minutes.");
}

std::string HoldForm(const json& view, const std::string& id, const std::string& t, const std::string& csrf,
                     bool cancel_first) {
  std::string html;
  html += "<h1>Your email has not been sent yet</h1>\n";
  const std::string subject = view.value("subject", "");
  if (!subject.empty()) html += "<p>Subject: <strong>" + HtmlEscape(subject) + "</strong></p>\n";
  html += "<p class=\"explanation\">" + HtmlEscape(view.value("explanation", "")) + "</p>\n";
  html += "<h2>Recipients</h2>\n<ul class=\"recipients\">";
  for (const auto& r : view.value("recipients", json::array())) {
    html += "<li>" + HtmlEscape(r.value("address", ""));
    if (r.value("flagged", false)) html += "<span class=\"flag\">flagged</span>";
    html += "</li>";
  }
  html += "</ul>\n";
  const std::string base = "/staff/hold/" + HtmlEscape(id);
  const std::string cancel =
      "<form method=\"post\" action=\"" + base + "/cancel\" class=\"inline\" id=\"cancel-form\">" + HiddenInput("t", t) +
      HiddenInput("csrf", csrf) +
      "<button type=\"submit\" class=\"" + std::string(cancel_first ? "primary" : "secondary") +
      "\" id=\"cancel\">Do not send it (delete it)</button></form>\n";
  if (cancel_first) html += "<h2>Cancel</h2>\n<p>Nothing will be sent.</p>\n" + cancel;
  html += "<h2>Send it anyway</h2>\n<form method=\"post\" action=\"" + base + "/confirm\" id=\"confirm-form\">" +
          HiddenInput("t", t) + HiddenInput("csrf", csrf);
  html += "<fieldset><legend>Why should it be sent?</legend>";
  for (const auto& r : kReasons) {
    html += "<label><input type=\"radio\" name=\"reason\" value=\"" + std::string(r.id) + "\" required> " +
            HtmlEscape(r.label) + "</label>";
  }
  html += "</fieldset>\n<label for=\"text\">Anything the information governance team should know "
          "(no personal details, please; up to 500 characters)</label>"
          "<textarea id=\"text\" name=\"text\" maxlength=\"500\"></textarea>\n";
  if (view.value("partial_possible", false)) {
    html += "<fieldset><legend>Send to</legend>"
            "<label><input type=\"radio\" name=\"scope\" value=\"all\" checked> Everyone</label>"
            "<label><input type=\"radio\" name=\"scope\" value=\"except_flagged\"> Everyone except the flagged "
            "recipients</label></fieldset>\n";
  }
  html += "<button type=\"submit\" class=\"primary\" id=\"confirm\">Send it</button></form>\n";
  if (!cancel_first) html += "<h2>Or cancel</h2>\n" + cancel;
  html += "<p class=\"muted\">If you do nothing, the email is deleted at " +
          HtmlEscape(view.value("expires_local", std::string("the end of the waiting time"))) +
          ". This page works once.</p>\n";
  return html;
}

}  // namespace

common::HttpResponse StaffPages::Handle(const common::HttpRequest& req) const {
  const std::string prefix = "/staff/hold/";
  if (!milter.enabled() || !csrf) return StaffRefusal(404, "Not available", "Held messages are not enabled here.");
  if (req.path.rfind(prefix, 0) != 0) return StaffRefusal(404, "Page not found", "There is no page at this address.");
  std::string id = req.path.substr(prefix.size()), action;
  if (const size_t slash = id.find('/'); slash != std::string::npos) {
    action = id.substr(slash + 1);
    id.resize(slash);
  }
  if (id.size() != 32 || !common::HexDecode(id)) return FromOutcome(404, json::object());
  const std::string path = "/holds/" + id;
  if (action.empty()) {
    if (req.method != "GET") return StaffRefusal(405, "Not allowed", "Use the buttons on the page.");
    const std::string t = req.Query("t");
    if (!common::HexDecode(t)) return FromOutcome(403, json::object());
    common::HttpCallResult r = milter.Call("GET", path + "?t=" + t);
    const json body = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.is_object()) return FromOutcome(r.status, body.is_object() ? body : json::object());
    return HtmlPage(200, "Your email has not been sent yet",
                    HoldForm(body, id, t, CsrfToken(*csrf, id, t), req.Query("action") == "cancel"));
  }
  if (req.method != "POST") return StaffRefusal(405, "Not allowed", "Use the buttons on the page.");
  if (action != "confirm" && action != "cancel") return StaffRefusal(404, "Page not found", "There is no page at this address.");
  const auto form = common::ParseForm(req.body);
  if (auto refused = RefuseNonUtf8Form(form)) return *refused;
  const std::string t = common::FormValue(form, "t");
  if (!common::HexDecode(t)) return FromOutcome(403, json::object());
  if (!common::SecureEquals(common::FormValue(form, "csrf"), CsrfToken(*csrf, id, t))) {
    return StaffRefusal(403, "This form has expired", "Please open the link in the email again.");
  }
  json request = json::object();
  if (action == "confirm") {
    request = {{"reason", common::FormValue(form, "reason")},
               {"text", common::FormValue(form, "text")},
               {"except_flagged", common::FormValue(form, "scope") == "except_flagged"}};
  }
  common::HttpCallResult r = milter.Call("POST", path + "/" + action + "?t=" + t, request.dump(), 150000);
  const json body = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !body.is_object()) return FromOutcome(r.status, body.is_object() ? body : json::object());
  if (action == "cancel") {
    return HtmlPage(200, "Cancelled", "<h1>Cancelled</h1><p class=\"done\">The email was deleted. It was not sent to anyone.</p>");
  }
  const std::string state = body.value("state", "");
  const std::string text = state == "partially_released"
                               ? "Your email has been sent to the recipients that were not flagged."
                               : "Your email has been sent.";
  return HtmlPage(200, "Sent", "<h1>Sent</h1><p class=\"done\">" + HtmlEscape(text) +
                                   "</p><p class=\"muted\">Your reason has been recorded for the information "
                                   "governance team.</p>");
}

}  // namespace sendguard::incident
