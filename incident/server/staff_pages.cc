// SPDX-License-Identifier: Apache-2.0
// Hold-and-confirm pages for the member of staff who sent the message (see staff_pages.h).
#include "staff_pages.h"

#include <nlohmann/json.hpp>

#include "html_page.h"
#include "staff_words.h"
#include "sendguard/common/http_client.h"
#include "sendguard/common/postgres.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using nlohmann::json;

std::string CsrfToken(const common::KeyedHasher& key, const std::string& id, const std::string& t) {
  return key.Hex("sendguard staff csrf|" + id + "|" + t).substr(0, 32);
}

std::string StateSentence(const std::string& lang, const std::string& state) {
  for (const char* known : {"released", "partially_released", "cancelled", "expired", "releasing"}) {
    if (state == known) return Say(lang, "state." + state);
  }
  // Answered on a core of several gateways: being carried out by a release worker.
  if (state == "release_requested") return Say(lang, "state.releasing");
  if (state == "cancel_requested") return Say(lang, "state.cancelled");
  return Say(lang, "state.other");
}

// Where hold `id` is answered: the shared store (a connection to it in *db), the desk (the
// store is not configured, or has no such hold, as for a gateway that does not sync), or
// neither for now (the store is configured but cannot be reached: answering through a desk
// then could release what the store has already been told, so the page asks to try again).
// kBadLink: a link that is not the hold's, with no desk to ask (refused before the store is
// asked anything).
enum class HoldSource { kStore, kDesk, kUnavailable, kBadLink };
HoldSource SourceOf(const StaffPages& pages, const std::string& id, const std::string& token,
                    std::unique_ptr<common::SqlDb>* db) {
  if (!pages.shared) return HoldSource::kDesk;
  if (!pages.shared->LinkValid(id, token)) return pages.desk.enabled() ? HoldSource::kDesk : HoldSource::kBadLink;
  auto opened = common::PostgresDb::Open(pages.shared_store, {std::chrono::seconds(3), std::chrono::milliseconds(10000)});
  if (!opened.ok()) return HoldSource::kUnavailable;
  auto table = (*opened)->Prepare("SELECT CASE WHEN to_regclass('holds') IS NULL THEN 0 ELSE 1 END");
  if (!table.ok() || !(*table)->Step()) return HoldSource::kUnavailable;
  const bool has_table = (*table)->Int(0) == 1;
  (*table)->Reset();
  if (!has_table) return HoldSource::kDesk;  // no gateway syncs yet
  auto q = (*opened)->Prepare("SELECT 1 FROM holds WHERE id = ?");
  if (!q.ok()) return HoldSource::kUnavailable;
  const bool found = (*q)->Bind(1, id).Step();
  if (!(*q)->status().ok()) return HoldSource::kUnavailable;
  (*q)->Reset();
  if (!found) return HoldSource::kDesk;
  *db = std::move(opened).value();
  return HoldSource::kStore;
}

common::HttpCallResult Unavailable() {
  common::HttpCallResult r;
  r.status = 503;
  r.body = json{{"error", "the shared store cannot be reached just now"}}.dump();
  return r;
}

// The shared store's answer as the desk gives it: the view, or the state and why.
common::HttpCallResult AsDeskAnswer(const holds::HoldAnswer& a) {
  common::HttpCallResult r;
  r.status = a.http_status;
  r.body = !a.view_json.empty() ? a.view_json : json{{"state", a.state}, {"error", a.error}}.dump();
  return r;
}

// The desk's answer as a page, when it is not the hold itself.
common::HttpResponse StaffAnswer(const std::string& lang, long status, const json& body) {
  const std::string state = body.value("state", "");
  if (status == 403 || status == 404) {
    return StaffRefusal(status == 403 ? 403 : 404, Say(lang, "link_invalid"), Say(lang, "link_invalid.hold"), lang);
  }
  if (status == 409 || status == 410) return StaffRefusal(static_cast<int>(status), Say(lang, "nothing_to_do"), StateSentence(lang, state), lang);
  if (status == 422) return StaffRefusal(422, Say(lang, "check_form"), body.value("error", Say(lang, "check_form.missing")), lang);
  return StaffRefusal(502, Say(lang, "wrong"),
                      Fill(Say(lang, "wrong.hold"), {{"why", body.value("error", Say(lang, "wrong.milter"))}}), lang);
}

std::string HoldForm(const std::string& lang, const json& view, const std::string& id, const std::string& t, const std::string& csrf,
                     bool cancel_first) {
  std::string html;
  html += LanguageSwitch(lang, "/staff/hold/" + id + "?t=" + t + (cancel_first ? "&action=cancel" : ""));
  html += "<h1>" + HtmlEscape(Say(lang, "hold.title")) + "</h1>\n";
  const std::string subject = view.value("subject", "");
  if (!subject.empty()) html += "<p>" + HtmlEscape(Say(lang, "hold.subject")) + ": <strong>" + HtmlEscape(subject) + "</strong></p>\n";
  html += "<p class=\"explanation\">" + HtmlEscape(view.value("explanation", "")) + "</p>\n";
  html += "<h2>" + HtmlEscape(Say(lang, "hold.recipients")) + "</h2>\n<ul class=\"recipients\">";
  for (const auto& r : view.value("recipients", json::array())) {
    html += "<li>" + HtmlEscape(r.value("address", ""));
    if (r.value("flagged", false)) html += "<span class=\"flag\">" + HtmlEscape(Say(lang, "hold.flagged")) + "</span>";
    html += "</li>";
  }
  html += "</ul>\n";
  const std::string base = "/staff/hold/" + HtmlEscape(id);
  const std::string cancel =
      "<form method=\"post\" action=\"" + base + "/cancel\" class=\"inline\" id=\"cancel-form\">" + HiddenInput("t", t) +
      HiddenInput("csrf", csrf) + HiddenInput("lang", lang) +
      "<button type=\"submit\" class=\"" + std::string(cancel_first ? "primary" : "secondary") +
      "\" id=\"cancel\">" + HtmlEscape(Say(lang, "hold.cancel_button")) + "</button></form>\n";
  if (cancel_first) {
    html += "<h2>" + HtmlEscape(Say(lang, "hold.cancel")) + "</h2>\n<p>" + HtmlEscape(Say(lang, "hold.nothing_sent")) + "</p>\n" + cancel;
  }
  html += "<h2>" + HtmlEscape(Say(lang, "hold.send_anyway")) + "</h2>\n<form method=\"post\" action=\"" + base +
          "/confirm\" id=\"confirm-form\">" + HiddenInput("t", t) + HiddenInput("csrf", csrf) + HiddenInput("lang", lang);
  html += "<fieldset><legend>" + HtmlEscape(Say(lang, "hold.why")) + "</legend>";
  for (const std::string& r : holds::JustificationReasons()) {
    html += "<label><input type=\"radio\" name=\"reason\" value=\"" + r + "\" required> " +
            HtmlEscape(Say(lang, "reason." + r)) + "</label>";
  }
  html += "</fieldset>\n<label for=\"text\">" + HtmlEscape(Say(lang, "hold.text")) +
          "</label><textarea id=\"text\" name=\"text\" maxlength=\"500\"></textarea>\n";
  if (view.value("partial_possible", false)) {
    html += "<fieldset><legend>" + HtmlEscape(Say(lang, "hold.send_to")) + "</legend>"
            "<label><input type=\"radio\" name=\"scope\" value=\"all\" checked> " + HtmlEscape(Say(lang, "hold.everyone")) + "</label>"
            "<label><input type=\"radio\" name=\"scope\" value=\"except_flagged\"> " + HtmlEscape(Say(lang, "hold.except")) +
            "</label></fieldset>\n";
  }
  html += "<button type=\"submit\" class=\"primary\" id=\"confirm\">" + HtmlEscape(Say(lang, "hold.send")) + "</button></form>\n";
  if (!cancel_first) html += "<h2>" + HtmlEscape(Say(lang, "hold.or_cancel")) + "</h2>\n" + cancel;
  // The desk words the time in the sender's language; the page's own language may differ.
  std::string when = view.value("expires_local", std::string());
  if (view.contains("expires") && view["expires"].is_number_integer()) {
    when = common::LocalTimeWords(static_cast<std::time_t>(view["expires"].get<int64_t>()), lang);
  }
  html += "<p class=\"muted\">" +
          HtmlEscape(Fill(Say(lang, "hold.expires"), {{"when", when.empty() ? Say(lang, "hold.expires_default") : when}})) + "</p>\n";
  return html;
}

}  // namespace

common::HttpResponse StaffPages::Handle(const common::HttpRequest& req) const {
  const std::string prefix = "/staff/hold/";
  const auto form = req.method == "POST" ? common::ParseForm(req.body) : std::vector<std::pair<std::string, std::string>>{};
  std::string lang = StaffLanguage(req, form);
  if ((!desk.enabled() && !shared) || !csrf) return StaffRefusal(404, Say(lang, "not_available"), Say(lang, "hold.off"), lang);
  if (req.path.rfind(prefix, 0) != 0) return StaffRefusal(404, Say(lang, "not_found"), Say(lang, "not_found.text"), lang);
  std::string id = req.path.substr(prefix.size()), action;
  if (const size_t slash = id.find('/'); slash != std::string::npos) {
    action = id.substr(slash + 1);
    id.resize(slash);
  }
  if (id.size() != 32 || !common::HexDecode(id)) return StaffAnswer(lang, 404, json::object());
  const std::string path = "/holds/" + id;
  if (action.empty()) {
    if (req.method != "GET") return StaffRefusal(405, Say(lang, "not_allowed"), Say(lang, "use_buttons"), lang);
    const std::string t = req.Query("t");
    if (!common::HexDecode(t)) return StaffAnswer(lang, 403, json::object());
    std::unique_ptr<common::SqlDb> store;
    const HoldSource source = SourceOf(*this, id, t, &store);
    if (source == HoldSource::kBadLink) return StaffAnswer(lang, 403, json::object());
    common::HttpCallResult r = source == HoldSource::kStore         ? AsDeskAnswer(shared->Show(*store, id, t, std::time(nullptr)))
                               : source == HoldSource::kUnavailable ? Unavailable()
                                                                    : desk.Call("GET", path + "?t=" + t);
    const json body = json::parse(r.body, nullptr, false);
    if (r.status != 200 || !body.is_object()) return StaffAnswer(lang, r.status, body.is_object() ? body : json::object());
    // Unless the link or the switch says otherwise, the page is in the language the sender reads.
    lang = StaffLanguage(req, form, body.value("language", "en"));
    return HtmlPage(200, Say(lang, "hold.title"), HoldForm(lang, body, id, t, CsrfToken(*csrf, id, t), req.Query("action") == "cancel"),
                    lang);
  }
  if (req.method != "POST") return StaffRefusal(405, Say(lang, "not_allowed"), Say(lang, "use_buttons"), lang);
  if (action != "confirm" && action != "cancel") return StaffRefusal(404, Say(lang, "not_found"), Say(lang, "not_found.text"), lang);
  if (auto refused = RefuseNonUtf8Form(form)) return *refused;
  const std::string t = common::FormValue(form, "t");
  if (!common::HexDecode(t)) return StaffAnswer(lang, 403, json::object());
  if (!csrf->Verifies("sendguard staff csrf|" + id + "|" + t, common::FormValue(form, "csrf"), 32)) {  // any key of the ring
    return StaffRefusal(403, Say(lang, "form_expired"), Say(lang, "form_expired.text"), lang);
  }
  holds::ConfirmRequest asked;
  if (action == "confirm") {
    asked = {common::FormValue(form, "reason"), common::FormValue(form, "text"), common::FormValue(form, "scope") == "except_flagged"};
  }
  std::unique_ptr<common::SqlDb> store;
  const HoldSource source = SourceOf(*this, id, t, &store);
  if (source == HoldSource::kBadLink) return StaffAnswer(lang, 403, json::object());
  common::HttpCallResult r;
  if (source == HoldSource::kStore) {
    r = AsDeskAnswer(shared->Request(*store, id, t, action == "confirm", asked, std::time(nullptr)));
  } else if (source == HoldSource::kUnavailable) {
    r = Unavailable();
  } else {
    const json request = action == "confirm" ? json{{"reason", asked.reason}, {"text", asked.text}, {"except_flagged", asked.except_flagged}}
                                             : json::object();
    r = desk.Call("POST", path + "/" + action + "?t=" + t, request.dump(), 150000);
  }
  const json body = json::parse(r.body, nullptr, false);
  if (r.status != 200 || !body.is_object()) return StaffAnswer(lang, r.status, body.is_object() ? body : json::object());
  if (action == "cancel") {
    return HtmlPage(200, Say(lang, "cancelled"), "<h1>" + HtmlEscape(Say(lang, "cancelled")) + "</h1><p class=\"done\">" +
                                                  HtmlEscape(Say(lang, "cancelled.text")) + "</p>", lang);
  }
  const std::string state = body.value("state", "");
  // A release worker carries out an answer recorded in the shared store within seconds.
  const std::string text = state == "release_requested" ? Say(lang, "state.releasing")
                                                        : Say(lang, state == "partially_released" ? "sent.partial" : "sent.all");
  return HtmlPage(200, Say(lang, "sent"), "<h1>" + HtmlEscape(Say(lang, "sent")) + "</h1><p class=\"done\">" + HtmlEscape(text) +
                                              "</p><p class=\"muted\">" + HtmlEscape(Say(lang, "sent.recorded")) + "</p>", lang);
}

}  // namespace sendguard::incident
