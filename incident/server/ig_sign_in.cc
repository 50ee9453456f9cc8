// SPDX-License-Identifier: Apache-2.0
// Signing in to the IG team's pages (see ig_pages.h): the password login with its
// double-submit form token, single sign-on through the trusted proxy's header, an
// investigating officer's emailed link, and the session cookie; then IgPages::Serve.
#include <ctime>

#include "html_page.h"
#include "ig_frame.h"
#include "ig_pages.h"
#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

using common::HttpRequest;
using common::HttpResponse;

HttpResponse LoginPage(int status, const std::string& error, bool secure) {
  const std::string token = common::RandomHex(16);
  HttpResponse r = HtmlPage(status, "Log in",
                            "<h1>Log in</h1>\n" + Flash(error) + "<form method=\"post\" action=\"/login\" id=\"login-form\">" +
                                HiddenInput("csrf", token) +
                                "<label for=\"name\">Name</label><input id=\"name\" name=\"name\" autocomplete=\"username\" required>"
                                "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" "
                                "autocomplete=\"current-password\" required><p><button type=\"submit\" class=\"primary\" "
                                "id=\"login\">Log in</button></p></form>\n");
  // Double-submit: the form's token must match this cookie (a cross-site form cannot read it).
  r.headers.emplace_back("Set-Cookie", "sg_login=" + token + "; Path=/login; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
  return r;
}

}  // namespace

std::string IgPages::SessionCookie(const std::string& token, int seconds, bool secure) {
  return "sg_session=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(seconds) + (secure ? "; Secure" : "");
}

bool IgPages::Owns(const std::string& path) {
  return path == "/" || path == "/login" || path == "/logout" || path.rfind("/incidents/", 0) == 0 || path.rfind("/officer/", 0) == 0 ||
         path == "/reports" || path == "/reports/download" || path == "/admin" || path == "/subject-access";
}

HttpResponse IgPages::Handle(const HttpRequest& req) const {
  const std::time_t now = std::time(nullptr);
  const auto form = req.method == "POST" ? common::ParseForm(req.body) : std::vector<std::pair<std::string, std::string>>{};
  if (auto refused = RefuseNonUtf8Form(form)) return *refused;
  // The proxy's user header is believed only when the request proves it came through the proxy
  // (the shared secret the proxy adds); whoever reaches the core another way gets the password
  // login if it is kept (break-glass), else a refusal. The address proves nothing: any local
  // process can connect from loopback.
  const bool via_proxy = UsesSingleSignOn() && !sso->proxy_secret.empty() &&
                         common::SecureEquals(req.Header(common::AsciiLower(sso->proxy_secret_header)), sso->proxy_secret);
  if (UsesSingleSignOn() && !via_proxy && !sso->password_login) {
    return HtmlPage(403, "Refused", "<h1>Refused</h1><p class=\"refused\">These pages are reached through the council's "
                                    "single sign-on.</p>");
  }
  const bool single_sign_on = via_proxy;
  if (req.path.rfind("/officer/", 0) == 0) return OfficerLinkLogin(req);
  if (req.path == "/login" && single_sign_on && !sso->password_login) return Redirect("/");
  if (req.path == "/login") {
    if (req.method == "GET") return LoginPage(200, "", secure_cookies);
    if (req.method != "POST") return LoginPage(405, "Use the form.", secure_cookies);
    const std::string csrf = common::FormValue(form, "csrf");
    if (csrf.empty() || !common::SecureEquals(csrf, CookieValue(req, "sg_login"))) {
      return LoginPage(403, "The form had expired: please try again.", secure_cookies);
    }
    std::string token;
    auto session = accounts->Login(common::FormValue(form, "name"), common::FormValue(form, "password"), now, &token, ClientAddress(req, trusted_proxies));
    if (!session.ok()) {
      return LoginPage(session.status().code() == StatusCode::kPermissionDenied ? 401 : 500, session.status().message(),
                       secure_cookies);
    }
    HttpResponse r = Redirect("/");
    r.headers.emplace_back("Set-Cookie", SessionCookie(token, Accounts::kSessionSeconds, secure_cookies));
    return r;
  }
  std::string token = CookieValue(req, "sg_session");
  auto looked = accounts->Session(token, now);
  if (!looked.ok()) {
    return HtmlPage(503, "Try again", "<h1>Try again shortly</h1><p class=\"refused\">The accounts store cannot be reached.</p>");
  }
  std::optional<WebSession> session = *looked;
  std::string started;  // a session begun here from the proxy's header: its cookie goes with the answer
  if (single_sign_on) {
    const std::string user(common::Trim(req.Header(common::AsciiLower(sso->user_header))));
    if (user.empty() && !(sso->password_login && session)) {
      return HtmlPage(401, "Not signed in", "<h1>Not signed in</h1><p class=\"refused\">The single sign-on did not say who you "
                                            "are. Sign in again.</p>");
    }
    if (!user.empty() && (!session || session->user != user)) {
      if (session) accounts->Logout(token);
      auto begun = accounts->SsoLogin(user, now, &token);
      if (!begun.ok()) {
        return HtmlPage(begun.status().code() == StatusCode::kNotFound ? 403 : 500, "No access",
                        "<h1>No access</h1><p class=\"refused\">" + HtmlEscape(user) +
                            " has no role in sendguard. The gateway admin gives one with <code>sendguard-core user add NAME "
                            "--role ig_officer --sso</code>.</p>");
      }
      session = *begun;
      started = token;
    }
  }
  HttpResponse out = Serve(req, form, session, token);
  if (!started.empty()) {
    out.headers.emplace_back("Set-Cookie", SessionCookie(started, Accounts::kSessionSeconds, secure_cookies));
  }
  return out;
}

// An investigating officer's link: a session for them, then their case. The link stops working
// for a case once someone else is its investigating officer.
HttpResponse IgPages::OfficerLinkLogin(const HttpRequest& req) const {
  const std::string link = req.path.substr(std::string("/officer/").size());
  // Opening the link shows a button; only pressing it (a form from this page, with the cookie it
  // set) signs in, so another site cannot sign a browser in to a link's session.
  if (req.method == "GET") {
    const std::string csrf = common::RandomHex(16);
    HttpResponse page = HtmlPage(200, "Your case", "<h1>A data breach case for you to investigate</h1><p>You have been named "
                                 "the investigating officer. The breach form is to be completed within 24 hours of the breach "
                                 "being found.</p><form method=\"post\" action=\"/officer/" + HtmlEscape(link) + "\" id=\"officer-form\">" +
                                 HiddenInput("csrf", csrf) + "<button type=\"submit\" class=\"primary\" id=\"open-case\">Open the "
                                 "case</button></form>");
    page.headers.emplace_back("Set-Cookie", "sg_officer=" + csrf + "; Path=/officer/; HttpOnly; SameSite=Strict" +
                                                (secure_cookies ? "; Secure" : ""));
    return page;
  }
  if (req.method != "POST") return HtmlPage(405, "Use the link", "<h1>Use the link</h1>");
  const std::string csrf = common::FormValue(common::ParseForm(req.body), "csrf");
  if (csrf.empty() || !common::SecureEquals(csrf, CookieValue(req, "sg_officer"))) {
    return StaffRefusal(403, "This form has expired", "Please open the link in the email again.");
  }
  std::string token, incident_id;
  auto session = accounts->OfficerLinkLogin(link, std::time(nullptr), &token, &incident_id);
  if (!session.ok()) {
    return StaffRefusal(session.status().code() == StatusCode::kPermissionDenied ? 403 : 500, "This link cannot be used",
                        session.status().message());
  }
  // Whose case it is now: a reassigned case is not the old officer's.
  HttpRequest show;
  show.method = "GET";
  show.path = "/api/incidents/" + incident_id;
  const HttpResponse answer = HandleApi(*service, *auth, SessionCaller(*session), show);
  if (answer.status != 200) {
    accounts->Logout(token);
    return StaffRefusal(403, "This link cannot be used", "You are no longer the investigating officer for this case. Ask the IG "
                                                         "team if that is wrong.");
  }
  HttpResponse r = Redirect("/incidents/" + incident_id);
  r.headers.emplace_back("Set-Cookie", SessionCookie(token, Accounts::kSessionSeconds, secure_cookies));
  return r;
}

}  // namespace sendguard::incident
