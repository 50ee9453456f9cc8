// SPDX-License-Identifier: Apache-2.0
// Reads core.yaml with the same file:line diagnostics as every sendguard YAML file.
#include "core_config.h"

#include "sendguard/common/sql.h"
#include "sendguard/common/ip_address.h"
#include "sendguard/common/text.h"

#include <cstdio>
#include "sendguard/rules/yaml_reader.h"

namespace sendguard::incident {

namespace {

Webhook ReadWebhook(const YAML::Node& h, rules::Diagnostics& d) {
  rules::CheckKeys(h, {"url", "format"}, d);
  Webhook w;
  rules::ReadString(h, "url", &w.url, d);
  rules::ReadString(h, "format", &w.format, d);
  if (w.url.rfind("http://", 0) != 0 && w.url.rfind("https://", 0) != 0) d.Add(h, "a webhook url starts with http:// or https://");
  if (!rules::IsOneOf(w.format, {"generic", "teams", "slack"})) d.Add(h, "format must be generic, teams or slack");
  return w;
}

std::vector<Webhook> ReadWebhooks(const YAML::Node& hooks, rules::Diagnostics& d) {
  std::vector<Webhook> out;
  if (!hooks) return out;
  if (!hooks.IsSequence()) {
    d.Add(hooks, "webhooks must be a list of {url, format}");
    return out;
  }
  for (const auto& h : hooks) out.push_back(ReadWebhook(h, d));
  return out;
}

// {email: [addresses], webhooks: [{url, format}]} plus the keys in `more`.
Recipients ReadRecipients(const YAML::Node& n, std::vector<std::string> more, rules::Diagnostics& d) {
  Recipients r;
  more.insert(more.end(), {"email", "webhooks"});
  rules::CheckKeys(n, more, d);
  r.emails = rules::ReadStringList(n, "email", d);
  for (const auto& e : r.emails) {
    if (e.find('@') == std::string::npos || e.find_first_of(" <>,;\r\n") != std::string::npos) d.Add(n["email"], "'" + e + "' is not one email address");
  }
  r.webhooks = ReadWebhooks(n["webhooks"], d);
  return r;
}

// time: "HH:MM" (London).
void ReadTime(const YAML::Node& n, DigestSchedule* s, rules::Diagnostics& d) {
  std::string text = "08:00";
  rules::ReadString(n, "time", &text, d);
  if (text.size() != 5 || text[2] != ':' || !std::isdigit(static_cast<unsigned char>(text[0])) ||
      !std::isdigit(static_cast<unsigned char>(text[1])) || !std::isdigit(static_cast<unsigned char>(text[3])) ||
      !std::isdigit(static_cast<unsigned char>(text[4])) || std::stoi(text.substr(0, 2)) > 23 || std::stoi(text.substr(3)) > 59) {
    d.Add(n["time"] ? n["time"] : n, "time is HH:MM in London time, e.g. \"08:00\"");
    return;
  }
  s->hour = std::stoi(text.substr(0, 2));
  s->minute = std::stoi(text.substr(3));
}

Result<CoreSettings> ReadCoreConfig(const std::string& text, const std::string& name) {
  CoreSettings s;
  rules::Diagnostics d(name);
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (doc.IsNull()) return s;
  if (!doc.IsMap()) return InvalidArgument(name + ":1: the core config must be a mapping");
  if (YAML::Node old = doc["api_token_file"]) {
    d.Add(old, "api_token_file is gone: callers present their own tokens (sendguard-core token add NAME --role ROLE); "
               "see docs/SECURITY.md");
  }
  rules::CheckKeys(doc, {"listen", "db", "api_token_file", "milter_token_file", "service_user", "max_body_bytes", "dpo_contact",
                         "assessment", "notifications", "milter_url", "desk_url", "secret_file", "accounts_db", "secure_cookies", "pages_url", "directory_file",
                         "trusted_proxies", "single_sign_on", "organisation", "letter_language", "escalations", "digests",
                         "retention"},
                   d);
  if (YAML::Node n = doc["notifications"]) {
    rules::CheckKeys(n, {"webhooks", "poll_seconds", "email"}, d);
    if (YAML::Node e = n["email"]) {
      rules::CheckKeys(e, {"smtp_url", "from", "to"}, d);
      rules::ReadString(e, "smtp_url", &s.email.smtp_url, d);
      rules::ReadString(e, "from", &s.email.from, d);
      rules::ReadString(e, "to", &s.email.to, d);
      // An empty smtp_url leaves email off.
      if (!s.email.smtp_url.empty() && s.email.smtp_url.rfind("smtp://", 0) != 0 &&
          s.email.smtp_url.rfind("smtps://", 0) != 0) {
        d.Add(e, "smtp_url starts with smtp:// or smtps://");
      }
      if (!s.email.smtp_url.empty() &&
          (s.email.from.find('@') == std::string::npos || s.email.to.find('@') == std::string::npos)) {
        d.Add(e, "email needs from and to addresses");
      }
    }
    rules::ReadInt(n, "poll_seconds", 5, 3600, &s.notify_poll_seconds, d);
    s.webhooks = ReadWebhooks(n["webhooks"], d);
  }
  rules::ReadString(doc, "listen", &s.listen, d);
  rules::ReadString(doc, "db", &s.db, d);
  rules::ReadString(doc, "milter_token_file", &s.milter_token_file, d);
  rules::ReadString(doc, "service_user", &s.service_user, d);
  rules::ReadString(doc, "milter_url", &s.milter_url, d);
  rules::ReadString(doc, "desk_url", &s.desk_url, d);
  rules::ReadString(doc, "secret_file", &s.secret_file, d);
  rules::ReadString(doc, "accounts_db", &s.accounts_db, d);
  rules::ReadBool(doc, "secure_cookies", &s.secure_cookies, d);
  rules::ReadString(doc, "pages_url", &s.pages_url, d);
  rules::ReadString(doc, "directory_file", &s.directory_file, d);
  if (!s.pages_url.empty() && s.pages_url.rfind("http://", 0) != 0 && s.pages_url.rfind("https://", 0) != 0) {
    d.Add(doc["pages_url"], "pages_url is the pages' address as people open it: http://... or https://...");
  }
  while (!s.pages_url.empty() && s.pages_url.back() == '/') s.pages_url.pop_back();
  if (YAML::Node p = doc["trusted_proxies"]) {
    if (!p.IsSequence()) {
      d.Add(p, "trusted_proxies is a list of the proxies' IP addresses");
    } else {
      s.trusted_proxies.clear();
      for (const auto& ip : p) {
        const std::string address = ip.IsScalar() ? ip.as<std::string>() : "";
        if (!common::IsIpAddress(address)) {
          d.Add(ip, "'" + address + "' is not an IP address (trusted_proxies lists addresses, not names or ranges)");
        }
        s.trusted_proxies.push_back(address);
      }
    }
  }
  if (YAML::Node n = doc["single_sign_on"]) {
    rules::CheckKeys(n, {"user_header", "logout_url", "password_login", "proxy_secret_file", "proxy_secret_header"}, d);
    rules::ReadString(n, "user_header", &s.sso.user_header, d);
    rules::ReadString(n, "proxy_secret_file", &s.sso.proxy_secret_file, d);
    rules::ReadString(n, "proxy_secret_header", &s.sso.proxy_secret_header, d);
    for (const char* key : {"user_header", "proxy_secret_header"}) {
      const std::string& value = std::string(key) == "user_header" ? s.sso.user_header : s.sso.proxy_secret_header;
      if (!value.empty() && value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
        d.Add(n[key], std::string(key) + " is a header name (letters, digits and '-')");
      }
    }
    if (!s.sso.user_header.empty() && s.sso.proxy_secret_file.empty()) {
      d.Add(n, "single sign-on needs proxy_secret_file: the secret the proxy adds to every request, so that no other "
               "local process can name a user");
    }
    if (!s.sso.user_header.empty() && s.sso.proxy_secret_header.empty()) d.Add(n, "proxy_secret_header must not be empty");
    rules::ReadString(n, "logout_url", &s.sso.logout_url, d);
    if (!s.sso.logout_url.empty() && s.sso.logout_url.rfind("https://", 0) != 0 && s.sso.logout_url.rfind("http://", 0) != 0 &&
        s.sso.logout_url.rfind("/", 0) != 0) {
      d.Add(n["logout_url"], "logout_url is an http(s) URL or a path");
    }
    rules::ReadBool(n, "password_login", &s.sso.password_login, d);
  }
  int bytes = static_cast<int>(s.max_body_bytes);
  rules::ReadInt(doc, "max_body_bytes", 1024, 64 << 20, &bytes, d);
  s.max_body_bytes = static_cast<size_t>(bytes);
  if (YAML::Node dpo = doc["dpo_contact"]) {
    rules::CheckKeys(dpo, {"name", "email", "phone"}, d);
    rules::ReadString(dpo, "name", &s.dpo_name, d);
    rules::ReadString(dpo, "email", &s.dpo_email, d);
    rules::ReadString(dpo, "phone", &s.dpo_phone, d);
  }
  if (YAML::Node o = doc["organisation"]) {
    rules::CheckKeys(o, {"name", "name_cy", "address", "ico_registration", "ods_code", "sector"}, d);
    rules::ReadString(o, "name", &s.organisation.name, d);
    rules::ReadString(o, "name_cy", &s.organisation.name_cy, d);
    rules::ReadString(o, "address", &s.organisation.address, d);
    rules::ReadString(o, "ico_registration", &s.organisation.ico_registration, d);
    rules::ReadString(o, "ods_code", &s.organisation.ods_code, d);
    rules::ReadString(o, "sector", &s.organisation.sector, d);
  }
  s.organisation.dpo_name = s.dpo_name;
  s.organisation.dpo_email = s.dpo_email;
  s.organisation.dpo_phone = s.dpo_phone;
  rules::ReadString(doc, "letter_language", &s.letter_language, d);
  if (s.letter_language != "en" && s.letter_language != "cy") d.Add(doc["letter_language"], "letter_language is en or cy");
  if (YAML::Node e = doc["escalations"]) {
    rules::CheckKeys(e, {"siro", "caldicott", "communications", "ict"}, d);
    if (e["siro"]) s.escalations.siro = ReadRecipients(e["siro"], {}, d);
    if (e["caldicott"]) s.escalations.caldicott = ReadRecipients(e["caldicott"], {}, d);
    if (e["communications"]) s.escalations.comms = ReadRecipients(e["communications"], {}, d);
    if (e["ict"]) s.escalations.ict = ReadRecipients(e["ict"], {}, d);
  }
  if (YAML::Node g = doc["digests"]) {
    rules::CheckKeys(g, {"siro_weekly", "committee_monthly"}, d);
    if (YAML::Node w = g["siro_weekly"]) {
      s.siro_weekly.to = ReadRecipients(w, {"day", "time"}, d);
      std::string day = "monday";
      rules::ReadString(w, "day", &day, d);
      static const char* kDays[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
      s.siro_weekly.weekday = -1;
      for (int i = 0; i < 7; ++i) {
        if (common::AsciiLower(day) == kDays[i]) s.siro_weekly.weekday = i;
      }
      if (s.siro_weekly.weekday < 0) d.Add(w["day"], "day is a day of the week, e.g. monday");
      ReadTime(w, &s.siro_weekly, d);
    }
    if (YAML::Node m = g["committee_monthly"]) {
      s.committee_monthly.to = ReadRecipients(m, {"day_of_month", "time"}, d);
      rules::ReadInt(m, "day_of_month", 1, 28, &s.committee_monthly.day_of_month, d);
      ReadTime(m, &s.committee_monthly, d);
    }
  }
  if (YAML::Node r = doc["retention"]) {
    rules::CheckKeys(r, {"years_after_closure", "near_miss_years_after_closure", "action"}, d);
    rules::ReadInt(r, "years_after_closure", 1, 100, &s.retention.years_after_closure, d);
    s.retention.near_miss_years_after_closure = s.retention.years_after_closure;
    rules::ReadInt(r, "near_miss_years_after_closure", 1, 100, &s.retention.near_miss_years_after_closure, d);
    rules::ReadString(r, "action", &s.retention.action, d);
    if (s.retention.action != "anonymise" && s.retention.action != "delete") d.Add(r["action"], "action is anonymise or delete");
  }
  CoreConfig& a = s.assessment;
  if (YAML::Node n = doc["assessment"]) {
    rules::CheckKeys(n, {"primary_method", "volume_additions_enabled", "dspt_participant", "autofile_near_miss_on_block",
                         "triage_window_hours", "ico_due_soon_hours", "form_due_soon_hours", "report_percent_decimals"}, d);
    std::string method = std::string(Name(a.primary_method));
    rules::ReadString(n, "primary_method", &method, d);
    if (auto m = Parse<PrimaryMethod>(method)) a.primary_method = *m;
    else d.Add(n["primary_method"], "primary_method must be NHS_GRID or ENISA_STROUD");
    rules::ReadBool(n, "volume_additions_enabled", &a.volume_additions_enabled, d);
    rules::ReadBool(n, "dspt_participant", &a.dspt_participant, d);
    rules::ReadBool(n, "autofile_near_miss_on_block", &a.autofile_near_miss_on_block, d);
    rules::ReadInt(n, "triage_window_hours", 1, 720, &a.triage_window_hours, d);
    rules::ReadInt(n, "ico_due_soon_hours", 1, 72, &a.ico_due_soon_hours, d);
    rules::ReadInt(n, "form_due_soon_hours", 1, 24, &a.form_due_soon_hours, d);
    rules::ReadInt(n, "report_percent_decimals", 0, 2, &a.report_percent_decimals, d);
  }
  a.dpo_contact_set = !s.dpo_name.empty() && (!s.dpo_email.empty() || !s.dpo_phone.empty());
  if (Status st = d.ToStatus(); !st.ok()) return st;
  return s;
}

}  // namespace

// yaml-cpp throws where a lookup meets a node of another shape (a key under a scalar) that a
// check above missed: that is a refusal naming the line, never an escape.
Result<CoreSettings> ParseCoreConfig(const std::string& text, const std::string& name) {
  try {
    return ReadCoreConfig(text, name);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(name + ":" + std::to_string(e.mark.is_null() ? 0 : e.mark.line + 1) + ": " + e.msg);
  }
}

std::string DescribeCoreConfig(const CoreSettings& s) {
  const CoreConfig& a = s.assessment;
  auto b = [](bool v) { return v ? "true" : "false"; };
  std::string out;
  out += "listen: " + s.listen + "\n";
  out += "db: " + common::RedactedSetting(s.db) + "\n";
  out += "milter_token_file: \"" + s.milter_token_file + "\"\n";
  out += "service_user: \"" + s.service_user + "\"\n";
  out += "max_body_bytes: " + std::to_string(s.max_body_bytes) + "\n";
  out += "desk_url: \"" + s.desk_url + "\"\n";
  out += "milter_url: \"" + s.milter_url + "\"\n";
  out += "secret_file: " + s.secret_file + "\n";
  out += "accounts_db: \"" + common::RedactedSetting(s.accounts_db) + "\"\n";
  out += std::string("secure_cookies: ") + (s.secure_cookies ? "true" : "false") + "\n";
  out += "pages_url: \"" + s.pages_url + "\"\n";
  out += "directory_file: \"" + s.directory_file + "\"\n";
  out += "trusted_proxies: [";
  for (size_t i = 0; i < s.trusted_proxies.size(); ++i) out += (i ? ", \"" : "\"") + s.trusted_proxies[i] + "\"";
  out += "]\nsingle_sign_on:\n  user_header: \"" + s.sso.user_header + "\"\n  logout_url: \"" + s.sso.logout_url + "\"\n  password_login: " + b(s.sso.password_login) +
         "\n  proxy_secret_file: \"" + s.sso.proxy_secret_file + "\"\n  proxy_secret_header: \"" + s.sso.proxy_secret_header + "\"\n";
  out += "dpo_contact: {name: \"" + s.dpo_name + "\", email: \"" + s.dpo_email + "\", phone: \"" + s.dpo_phone + "\"}\n";
  out += "notifications:\n  poll_seconds: " + std::to_string(s.notify_poll_seconds) + "\n  webhooks:";
  if (s.webhooks.empty()) out += " []";
  out += "\n";
  for (const auto& w : s.webhooks) out += "    - {url: " + w.url + ", format: " + w.format + "}\n";
  out += "  email: {smtp_url: \"" + s.email.smtp_url + "\", from: \"" + s.email.from + "\", to: \"" + s.email.to + "\"}\n";
  const Organisation& o = s.organisation;
  std::string address;
  for (char c : o.address) address += c == '\n' ? std::string("\\n") : std::string(1, c);
  out += "organisation: {name: \"" + o.name + "\", name_cy: \"" + o.name_cy + "\", address: \"" + address + "\", ico_registration: \"" + o.ico_registration +
         "\", ods_code: \"" + o.ods_code + "\", sector: \"" + o.sector + "\"}\n";
  out += "letter_language: " + s.letter_language + "\n";
  auto recipients = [](const Recipients& r) {
    std::string t = "{email: [";
    for (size_t i = 0; i < r.emails.size(); ++i) t += (i ? ", " : "") + r.emails[i];
    t += "], webhooks: [";
    for (size_t i = 0; i < r.webhooks.size(); ++i) t += (i ? ", " : "") + r.webhooks[i].url;
    return t + "]}";
  };
  out += "escalations:\n  siro: " + recipients(s.escalations.siro) + "\n  caldicott: " + recipients(s.escalations.caldicott) +
         "\n  communications: " + recipients(s.escalations.comms) + "\n  ict: " + recipients(s.escalations.ict) + "\n";
  auto hhmm = [](const DigestSchedule& g) {
    char t[8];
    std::snprintf(t, sizeof t, "%02d:%02d", g.hour, g.minute);
    return std::string(t);
  };
  out += "digests:\n  siro_weekly: " + recipients(s.siro_weekly.to) + " weekday " + std::to_string(s.siro_weekly.weekday) + " at " +
         hhmm(s.siro_weekly) + "\n  committee_monthly: " + recipients(s.committee_monthly.to) + " day " +
         std::to_string(s.committee_monthly.day_of_month) + " at " + hhmm(s.committee_monthly) + "\n";
  out += "retention: {years_after_closure: " + std::to_string(s.retention.years_after_closure) +
         ", near_miss_years_after_closure: " + std::to_string(s.retention.near_miss_years_after_closure) + ", action: " +
         s.retention.action + "}\n";
  out += "assessment:\n";
  out += "  primary_method: " + std::string(Name(a.primary_method)) + "\n";
  out += std::string("  volume_additions_enabled: ") + b(a.volume_additions_enabled) + "\n";
  out += std::string("  dspt_participant: ") + b(a.dspt_participant) + "\n";
  out += std::string("  autofile_near_miss_on_block: ") + b(a.autofile_near_miss_on_block) + "\n";
  out += "  triage_window_hours: " + std::to_string(a.triage_window_hours) + "\n";
  out += "  ico_due_soon_hours: " + std::to_string(a.ico_due_soon_hours) + "\n";
  out += "  form_due_soon_hours: " + std::to_string(a.form_due_soon_hours) + "\n";
  out += "  report_percent_decimals: " + std::to_string(a.report_percent_decimals) + "\n";
  return out;
}

}  // namespace sendguard::incident
