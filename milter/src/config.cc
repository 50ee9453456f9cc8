// SPDX-License-Identifier: Apache-2.0
// The config file reader (see config.h).
#include "sendguard/milter/config.h"

#include <filesystem>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "config_ocr.h"
#include "config_relays.h"
#include "sendguard/rules/yaml_reader.h"

namespace sendguard::milter {

const char* WarnModeName(WarnMode m) {
  return m == WarnMode::kHoldAndConfirm ? "hold_and_confirm" : "reject_and_confirm";
}

const char* FailActionName(FailAction a) {
  switch (a) {
    case FailAction::kAccept: return "accept";
    case FailAction::kTempfail: return "tempfail";
    case FailAction::kReject: return "reject";
    case FailAction::kQuarantine: return "quarantine";
  }
  return "tempfail";
}

namespace {

void ReadFailAction(const YAML::Node& map, const char* key, FailAction* out, rules::Diagnostics& d) {
  std::string v;
  if (!rules::ReadString(map, key, &v, d)) return;
  for (FailAction a : {FailAction::kAccept, FailAction::kTempfail, FailAction::kReject, FailAction::kQuarantine}) {
    if (v == FailActionName(a)) {
      *out = a;
      return;
    }
  }
  d.Add(map[key], std::string("'") + key + "' must be accept, tempfail, reject or quarantine");
}

void ReadInt64(const YAML::Node& map, const char* key, int64_t lo, int64_t hi, int64_t* out, rules::Diagnostics& d) {
  YAML::Node n = map[key];
  if (!n) return;
  try {
    int64_t v = n.as<int64_t>();
    if (v < lo || v > hi) d.Add(n, std::string("'") + key + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    else *out = v;
  } catch (const YAML::Exception&) {
    d.Add(n, std::string("'") + key + "' must be a whole number");
  }
}

void ReadMilter(const YAML::Node& n, MilterSettings& m, rules::Diagnostics& d) {
  if (!n.IsMap()) {
    d.Add(n, "'milter' must be a map");
    return;
  }
  rules::CheckKeys(n, {"socket", "socket_mode", "user", "group", "workers", "queue_depth", "message_timeout_ms", "spool_memory_bytes",
                       "max_message_bytes", "scan", "internal_networks", "trusted_relays", "subject_tag", "subject_tag_outside",
                       "outside_headers", "audit_only_min_individuals", "ig_bcc", "fail_modes", "poison_after_crashes",
                       "scan_record_days", "recipient_history_days", "log_format", "log_file", "metrics_listen", "outbox_retry_max_seconds",
                       "smtp_url"},
                   d);
  if (rules::ReadString(n, "socket", &m.socket, d) && m.socket.rfind("inet:", 0) != 0 &&
      m.socket.rfind("inet6:", 0) != 0 && m.socket.rfind("unix:", 0) != 0 && m.socket.rfind("local:", 0) != 0) {
    d.Add(n["socket"], "socket must be inet:PORT@ADDRESS or unix:PATH");
  }
  if (rules::ReadString(n, "socket_mode", &m.socket_mode, d) &&
      (m.socket_mode.size() < 3 || m.socket_mode.size() > 4 ||
       m.socket_mode.find_first_not_of("01234567") != std::string::npos)) {
    d.Add(n["socket_mode"], "socket_mode must be octal permissions such as 0660");
  }
  rules::ReadString(n, "user", &m.user, d);
  rules::ReadString(n, "group", &m.group, d);
  rules::ReadInt(n, "workers", 0, 256, &m.workers, d);
  rules::ReadInt(n, "queue_depth", 1, 100000, &m.queue_depth, d);
  rules::ReadInt(n, "message_timeout_ms", 100, 3600000, &m.message_timeout_ms, d);
  ReadInt64(n, "spool_memory_bytes", 0, int64_t{1} << 34, &m.spool_memory_bytes, d);
  ReadInt64(n, "max_message_bytes", 1024, int64_t{1} << 36, &m.max_message_bytes, d);
  std::string scan;
  if (rules::ReadString(n, "scan", &scan, d)) {
    if (scan == "outbound") m.scan = ScanDirection::kOutbound;
    else if (scan == "all") m.scan = ScanDirection::kAll;
    else d.Add(n["scan"], "scan must be 'outbound' or 'all'");
  }
  if (n["internal_networks"]) m.internal_networks = ReadNetworks(n, "internal_networks", d);
  if (n["trusted_relays"]) ReadTrustedRelays(n["trusted_relays"], m.trusted_relays, d);
  rules::ReadString(n, "subject_tag", &m.subject_tag, d);
  rules::ReadBool(n, "subject_tag_outside", &m.subject_tag_outside, d);
  if (rules::ReadString(n, "outside_headers", &m.outside_headers, d) && m.outside_headers != "neutral" &&
      m.outside_headers != "full") {
    d.Add(n["outside_headers"], "outside_headers must be 'neutral' or 'full'");
  }
  rules::ReadInt(n, "audit_only_min_individuals", 1, 1000000, &m.audit_only_min_individuals, d);
  rules::ReadString(n, "ig_bcc", &m.ig_bcc, d);
  if (YAML::Node f = n["fail_modes"]) {
    if (!f.IsMap()) {
      d.Add(f, "'fail_modes' must be a map");
    } else {
      rules::CheckKeys(f, {"internal_error", "scan_timeout", "oversize", "rules_unavailable", "incident_unavailable",
                           "poison_message"}, d);
      ReadFailAction(f, "internal_error", &m.fail_modes.internal_error, d);
      ReadFailAction(f, "scan_timeout", &m.fail_modes.scan_timeout, d);
      ReadFailAction(f, "oversize", &m.fail_modes.oversize, d);
      ReadFailAction(f, "rules_unavailable", &m.fail_modes.rules_unavailable, d);
      ReadFailAction(f, "incident_unavailable", &m.fail_modes.incident_unavailable, d);
      ReadFailAction(f, "poison_message", &m.fail_modes.poison_message, d);
    }
  }
  rules::ReadInt(n, "poison_after_crashes", 1, 100, &m.poison_after_crashes, d);
  rules::ReadInt(n, "scan_record_days", 1, 3650, &m.scan_record_days, d);
  rules::ReadInt(n, "recipient_history_days", 30, 3650, &m.recipient_history_days, d);
  if (rules::ReadString(n, "log_format", &m.log_format, d) && m.log_format != "text" && m.log_format != "json") {
    d.Add(n["log_format"], "log_format must be 'text' or 'json'");
  }
  rules::ReadString(n, "log_file", &m.log_file, d);
  rules::ReadString(n, "metrics_listen", &m.metrics_listen, d);
  rules::ReadInt(n, "outbox_retry_max_seconds", 1, 86400, &m.outbox_retry_max_seconds, d);
  if (rules::ReadString(n, "smtp_url", &m.smtp_url, d) && m.smtp_url.rfind("smtp://", 0) != 0 &&
      m.smtp_url.rfind("smtps://", 0) != 0) {
    d.Add(n["smtp_url"], "smtp_url must be smtp://HOST:PORT or smtps://HOST:PORT");
  }
}

}  // namespace

std::string DescribeConfig(const Config& c) {
  YAML::Emitter e;
  auto list = [&](const std::vector<std::string>& v) {
    e << YAML::Flow << YAML::BeginSeq;
    for (const auto& x : v) e << x;
    e << YAML::EndSeq;
  };
  e << YAML::BeginMap;
  e << YAML::Key << "rules_dirs" << YAML::Value;
  list(c.rules_dirs);
  e << YAML::Key << "secret_file" << YAML::Value << c.secret_file;
  e << YAML::Key << "state_dir" << YAML::Value << c.state_dir;
  e << YAML::Key << "rules_cache_dir" << YAML::Value << (c.rules_cache_dir.empty() ? RulesCacheDir(c) : c.rules_cache_dir);
  e << YAML::Key << "policy_files" << YAML::Value;
  list(c.policy_files);
  e << YAML::Key << "core_url" << YAML::Value << c.core_url;
  e << YAML::Key << "core_token_file" << YAML::Value << c.core_token_file;
  e << YAML::Key << "desk_listen" << YAML::Value << c.desk_listen;
  const auto& o = c.organisation;
  e << YAML::Key << "organisation" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "name" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [lang, text] : o.name.by_language) e << YAML::Key << lang << YAML::Value << text;
  e << YAML::EndMap;
  e << YAML::Key << "internal_domains" << YAML::Value;
  list(o.directory.internal);
  e << YAML::Key << "secure_domains" << YAML::Value;
  list(o.directory.secure);
  e << YAML::Key << "partner_domains" << YAML::Value << YAML::BeginSeq;
  for (const auto& p : o.directory.partner) {
    const rules::SharingAgreement* a = o.AgreementFor(p);
    if (!a || a->domain != p) {
      e << p;
      continue;
    }
    e << YAML::Flow << YAML::BeginMap << YAML::Key << "domain" << YAML::Value << p << YAML::Key << "allowed_categories"
      << YAML::Value;
    list(a->allowed_categories);
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  e << YAML::Key << "freemail_domains" << YAML::Value;
  list(o.directory.freemail);
  e << YAML::Key << "sender_groups" << YAML::Value << YAML::BeginMap;
  for (const auto& [g, members] : o.sender_groups) {
    e << YAML::Key << g << YAML::Value;
    list(members);
  }
  e << YAML::EndMap;
  e << YAML::Key << "language" << YAML::Value << o.language;
  e << YAML::Key << "language_by_sender_domain" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [dom, lang] : o.language_by_sender_domain) e << YAML::Key << dom << YAML::Value << lang;
  e << YAML::EndMap;
  e << YAML::Key << "language_by_sender" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (const auto& [who, lang] : o.language_by_sender) e << YAML::Key << who << YAML::Value << lang;
  e << YAML::EndMap;
  e << YAML::Key << "open_cc_threshold" << YAML::Value << o.open_cc_threshold;
  e << YAML::Key << "reply_all_threshold" << YAML::Value << o.reply_all_threshold;
  e << YAML::Key << "lookalike_history_domains" << YAML::Value << o.lookalike_history_domains;
  e << YAML::EndMap;
  e << YAML::Key << "warn" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "mode" << YAML::Value << WarnModeName(c.warn_mode);
  e << YAML::Key << "confirm_ttl_minutes" << YAML::Value << c.confirm_ttl_minutes;
  e << YAML::Key << "link_base_url" << YAML::Value << c.link_base_url;
  e << YAML::Key << "notify_from" << YAML::Value << c.notify_from;
  e << YAML::EndMap;
  const auto& m = c.milter;
  e << YAML::Key << "milter" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "socket" << YAML::Value << m.socket;
  e << YAML::Key << "socket_mode" << YAML::Value << m.socket_mode;
  e << YAML::Key << "user" << YAML::Value << m.user;
  e << YAML::Key << "group" << YAML::Value << m.group;
  e << YAML::Key << "workers" << YAML::Value << m.workers;
  e << YAML::Key << "queue_depth" << YAML::Value << m.queue_depth;
  e << YAML::Key << "message_timeout_ms" << YAML::Value << m.message_timeout_ms;
  e << YAML::Key << "spool_memory_bytes" << YAML::Value << m.spool_memory_bytes;
  e << YAML::Key << "max_message_bytes" << YAML::Value << m.max_message_bytes;
  e << YAML::Key << "scan" << YAML::Value << (m.scan == ScanDirection::kAll ? "all" : "outbound");
  e << YAML::Key << "internal_networks" << YAML::Value;
  list(m.internal_networks);
  e << YAML::Key << "trusted_relays" << YAML::Value;
  DescribeTrustedRelays(e, m.trusted_relays);
  e << YAML::Key << "subject_tag" << YAML::Value << m.subject_tag;
  e << YAML::Key << "subject_tag_outside" << YAML::Value << m.subject_tag_outside;
  e << YAML::Key << "outside_headers" << YAML::Value << m.outside_headers;
  e << YAML::Key << "audit_only_min_individuals" << YAML::Value << m.audit_only_min_individuals;
  e << YAML::Key << "ig_bcc" << YAML::Value << m.ig_bcc;
  e << YAML::Key << "fail_modes" << YAML::Value << YAML::BeginMap;
  e << YAML::Key << "internal_error" << YAML::Value << FailActionName(m.fail_modes.internal_error);
  e << YAML::Key << "scan_timeout" << YAML::Value << FailActionName(m.fail_modes.scan_timeout);
  e << YAML::Key << "oversize" << YAML::Value << FailActionName(m.fail_modes.oversize);
  e << YAML::Key << "rules_unavailable" << YAML::Value << FailActionName(m.fail_modes.rules_unavailable);
  e << YAML::Key << "incident_unavailable" << YAML::Value << FailActionName(m.fail_modes.incident_unavailable);
  e << YAML::Key << "poison_message" << YAML::Value << FailActionName(m.fail_modes.poison_message);
  e << YAML::EndMap;
  e << YAML::Key << "poison_after_crashes" << YAML::Value << m.poison_after_crashes;
  e << YAML::Key << "scan_record_days" << YAML::Value << m.scan_record_days;
  e << YAML::Key << "recipient_history_days" << YAML::Value << m.recipient_history_days;
  e << YAML::Key << "log_format" << YAML::Value << m.log_format;
  e << YAML::Key << "log_file" << YAML::Value << m.log_file;
  e << YAML::Key << "metrics_listen" << YAML::Value << m.metrics_listen;
  e << YAML::Key << "outbox_retry_max_seconds" << YAML::Value << m.outbox_retry_max_seconds;
  e << YAML::Key << "smtp_url" << YAML::Value << m.smtp_url;
  e << YAML::EndMap;
  DescribeOcr(e, c.ocr);
  e << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

namespace {

Result<Config> ReadConfig(const std::string& text, const std::string& name) {
  rules::Diagnostics d(name);
  Config c;
  c.source = name;
  YAML::Node doc;
  try {
    doc = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    d.Add(e.mark.is_null() ? 0 : e.mark.line + 1, "bad YAML: " + e.msg);
    return d.ToStatus();
  }
  if (doc.IsNull()) {
    c.organisation = rules::ParseOrganisation(YAML::Node(), {}, d);
    return c;
  }
  if (!doc.IsMap()) {
    d.Add(doc, "the config file must be a map");
    return d.ToStatus();
  }
  rules::CheckKeys(doc, {"rules_dirs", "secret_file", "state_dir", "rules_cache_dir", "policy_files", "organisation", "warn", "milter", "core_url", "core_token_file", "desk_listen", "ocr"}, d);
  if (doc["milter"]) ReadMilter(doc["milter"], c.milter, d);
  if (doc["ocr"]) ReadOcr(doc["ocr"], c.ocr, d);
  rules::ReadString(doc, "core_url", &c.core_url, d);
  rules::ReadString(doc, "core_token_file", &c.core_token_file, d);
  rules::ReadString(doc, "desk_listen", &c.desk_listen, d);
  c.rules_dirs = rules::ReadStringList(doc, "rules_dirs", d);
  rules::ReadString(doc, "secret_file", &c.secret_file, d);
  rules::ReadString(doc, "state_dir", &c.state_dir, d);
  if (rules::ReadString(doc, "rules_cache_dir", &c.rules_cache_dir, d) && c.rules_cache_dir != "off" &&
      (c.rules_cache_dir.empty() || c.rules_cache_dir.front() != '/')) {
    d.Add(doc["rules_cache_dir"], "rules_cache_dir must be an absolute path, or off");
  }
  c.policy_files = rules::ReadStringList(doc, "policy_files", d);
  c.organisation = rules::ParseOrganisation(doc["organisation"], {}, d);
  if (YAML::Node warn = doc["warn"]) {
    if (!warn.IsMap()) {
      d.Add(warn, "'warn' must be a map (mode, confirm_ttl_minutes, link_base_url, notify_from)");
    } else {
      rules::CheckKeys(warn, {"mode", "confirm_ttl_minutes", "link_base_url", "notify_from"}, d);
      std::string mode;
      if (rules::ReadString(warn, "mode", &mode, d)) {
        if (mode == "reject_and_confirm") c.warn_mode = WarnMode::kRejectAndConfirm;
        else if (mode == "hold_and_confirm") c.warn_mode = WarnMode::kHoldAndConfirm;
        else d.Add(warn["mode"], "mode must be reject_and_confirm or hold_and_confirm");
      }
      rules::ReadInt(warn, "confirm_ttl_minutes", 1, 7 * 24 * 60, &c.confirm_ttl_minutes, d);
      rules::ReadString(warn, "link_base_url", &c.link_base_url, d);
      rules::ReadString(warn, "notify_from", &c.notify_from, d);
    }
  }
  const bool mode_given = doc["warn"] && doc["warn"].IsMap() && doc["warn"]["mode"];
  if (!mode_given && !c.milter.trusted_relays.empty()) c.warn_mode = WarnMode::kHoldAndConfirm;
  if (Status st = d.ToStatus(); !st.ok()) return st;
  return c;
}

}  // namespace

// yaml-cpp throws where a lookup meets a node of another shape (a key under a scalar) that a
// check above missed: that is a refusal naming the line, never an escape.
Result<Config> ParseConfig(const std::string& text, const std::string& name) {
  try {
    return ReadConfig(text, name);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(name + ":" + std::to_string(e.mark.is_null() ? 0 : e.mark.line + 1) + ": " + e.msg);
  }
}

Result<Config> LoadConfig(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IoError("cannot read config file " + file.string());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ParseConfig(text, file.string());
}

std::string SecretPath(const Config& c) {
  std::error_code ec;
  const std::filesystem::path file(c.secret_file);
  if (file.has_parent_path() && !std::filesystem::exists(file.parent_path(), ec)) return c.state_dir + "/secret";
  return c.secret_file;
}

std::string RulesCacheDir(const Config& c) {
  if (c.rules_cache_dir == "off") return "";
  if (!c.rules_cache_dir.empty()) return c.rules_cache_dir;
  if (const char* env = std::getenv("SENDGUARD_RULES_CACHE"); env && *env) return env;
  return c.state_dir + "/rules-cache";
}

}  // namespace sendguard::milter
