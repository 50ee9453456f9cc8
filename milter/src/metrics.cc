// SPDX-License-Identifier: Apache-2.0
// Prometheus rendering of the milter's metrics (see metrics.h).
#include "sendguard/milter/metrics.h"

#include <ctime>

#include <cstdio>
#include <sstream>

namespace sendguard::milter {

Metrics::Metrics() {
  for (const char* reason : {"internal_error", "scan_timeout", "oversize", "rules_unavailable", "incident_unavailable",
                             "spool_failed", "hold_failed", "overloaded", "poison_message"}) {
    for (const char* action : {"accept", "tempfail", "reject", "quarantine"}) fail_modes_[{reason, action}] = 0;
  }
  for (const char* callback : {"negotiate", "connect", "envfrom", "envrcpt", "header", "eoh", "body", "eom", "abort", "close"}) {
    callback_faults_[{callback}] = 0;
  }
  reloads_[{"ok"}] = 0;
  reloads_[{"failed"}] = 0;
  for (const char* result : {"delivered", "retry", "refused"}) handovers_[{result}] = 0;
  for (const char* outcome : {"BLOCKED", "AUDIT_ONLY", "WARNED_USER_OVERRODE", "HELD", "audit_below_threshold", "unavailable"}) {
    incidents_[{outcome}] = 0;
  }
  for (const auto& [verdict, outcome] : std::vector<std::pair<const char*, const char*>>{
           {"allow", "accepted"}, {"tag", "tagged"}, {"warn", "rejected_for_confirmation"}, {"warn", "confirmed"},
           {"warn", "held"}, {"quarantine", "quarantined"}, {"block", "blocked"}}) {
    messages_[{"outbound", verdict, outcome}] = 0;
  }
  messages_[{"inbound", "skipped", "accepted"}] = 0;
  // The scanner's bounds (the reasons a scan is incomplete), as named in docs/OPERATIONS.md.
  for (const char* reason : {"extract_error", "max_archive_members", "max_compression_ratio", "max_depth",
                             "max_extracted_bytes", "max_header_bytes", "max_member_bytes", "max_message_bytes", "max_parts",
                             "max_readings", "max_scan_bytes", "message_partial", "mime_parse_error", "time_budget",
                             "too_many_candidates", "truncated_mime", "unsupported_part", "xml_entities",
                             "ocr_time_budget", "ocr_image_time", "max_ocr_pixels", "max_ocr_pages", "max_ocr_images",
                             "ocr_unavailable"}) {
    incomplete_[{reason}] = 0;
  }
  for (const char* result : {"read", "cached", "tiny", "not_read"}) ocr_[{result}] = 0;
}

void Metrics::PrimeTypes(const std::vector<std::string>& types) {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& t : types) findings_.try_emplace({t}, 0);
}

void Metrics::CountMessage(const std::string& direction, const std::string& verdict, const std::string& outcome) {
  std::lock_guard<std::mutex> l(mu_);
  ++messages_[{direction, verdict, outcome}];
}

void Metrics::CountFinding(const std::string& type, uint64_t n) {
  std::lock_guard<std::mutex> l(mu_);
  findings_[{type}] += n;
}

void Metrics::CountOcr(uint64_t read, uint64_t cached, uint64_t tiny, uint64_t not_read) {
  std::lock_guard<std::mutex> l(mu_);
  ocr_[{"read"}] += read - cached;
  ocr_[{"cached"}] += cached;
  ocr_[{"tiny"}] += tiny;
  ocr_[{"not_read"}] += not_read;
}

void Metrics::CountIncomplete(const std::string& reason) {
  std::lock_guard<std::mutex> l(mu_);
  ++incomplete_[{reason}];
}

void Metrics::CountFailMode(const std::string& reason, const std::string& action) {
  std::lock_guard<std::mutex> l(mu_);
  ++fail_modes_[{reason, action}];
}

void Metrics::CountCallbackFault(const std::string& callback) {
  std::lock_guard<std::mutex> l(mu_);
  ++callback_faults_[{callback}];
}

void Metrics::CountReload(bool ok) {
  std::lock_guard<std::mutex> l(mu_);
  ++reloads_[{ok ? "ok" : "failed"}];
}

void Metrics::CountHandover(const std::string& result) {
  std::lock_guard<std::mutex> l(mu_);
  ++handovers_[{result}];
}

void Metrics::CountIncident(const std::string& outcome) {
  std::lock_guard<std::mutex> l(mu_);
  ++incidents_[{outcome}];
}

void Metrics::ObserveScanSeconds(double seconds) {
  std::lock_guard<std::mutex> l(mu_);
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  ++buckets_[i];
  latency_sum_ += seconds;
  ++latency_count_;
}

void Metrics::SetRulesInfo(const std::string& version, uint64_t generation) {
  std::lock_guard<std::mutex> l(mu_);
  rules_version_ = version;
  generation_ = generation;
  rules_loaded_at_ = static_cast<int64_t>(std::time(nullptr));
}

namespace {

void Family(std::ostringstream& out, const char* name, const char* help, const char* type,
            const std::vector<const char*>& labels, const std::map<std::vector<std::string>, uint64_t>& values) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
  for (const auto& [key, v] : values) {
    out << name << "{";
    for (size_t i = 0; i < labels.size() && i < key.size(); ++i) {
      out << (i ? "," : "") << labels[i] << "=\"" << key[i] << "\"";
    }
    out << "} " << v << "\n";
  }
}

}  // namespace

void Metrics::SetConnectionSource(std::function<Connections()> source) {
  std::lock_guard<std::mutex> l(mu_);
  connections_ = std::move(source);
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> l(mu_);
  std::ostringstream out;
  const Connections c = connections_ ? connections_() : Connections{};
  out << "# HELP sendguard_mta_connections MTA connections open now.\n# TYPE sendguard_mta_connections gauge\n"
      << "sendguard_mta_connections " << c.open << "\n"
      << "# HELP sendguard_mta_connections_total MTA connections accepted.\n# TYPE sendguard_mta_connections_total counter\n"
      << "sendguard_mta_connections_total " << c.accepted << "\n"
      << "# HELP sendguard_mta_connections_closed_total MTA connections closed by sendguard, by reason: protocol_error "
         "(a malformed or oversized packet; the MTA applies its default action), idle (silent 10 minutes, or a packet "
         "begun and not finished in 2), refused (over 4,096 connections, or no descriptor left).\n"
         "# TYPE sendguard_mta_connections_closed_total counter\n"
      << "sendguard_mta_connections_closed_total{reason=\"protocol_error\"} " << c.protocol_errors << "\n"
      << "sendguard_mta_connections_closed_total{reason=\"idle\"} " << c.idle << "\n"
      << "sendguard_mta_connections_closed_total{reason=\"refused\"} " << c.refused << "\n";
  Family(out, "sendguard_messages_total", "Messages handled, by direction, verdict and outcome.", "counter",
         {"direction", "verdict", "outcome"}, messages_);
  Family(out, "sendguard_findings_total", "Values found at medium or high confidence, by information type.", "counter",
         {"type"}, findings_);
  Family(out, "sendguard_incomplete_scans_total", "Scans that could not read everything, by reason.", "counter",
         {"reason"}, incomplete_);
  Family(out, "sendguard_ocr_pictures_total",
         "Pictures and scanned pages, by what OCR did: read, cached (the same picture again), tiny (skipped by "
         "size), not_read (a bound, the mode or a broken file).",
         "counter", {"result"}, ocr_);
  Family(out, "sendguard_fail_mode_total", "Messages decided by a fail mode, by reason and action.", "counter",
         {"reason", "action"}, fail_modes_);
  Family(out, "sendguard_callback_faults_total",
         "Exceptions caught at a step of the milter protocol, by step (the message is answered per fail_modes.internal_error).",
         "counter", {"callback"}, callback_faults_);
  Family(out, "sendguard_reloads_total", "Rule and policy reloads, by result.", "counter", {"result"}, reloads_);
  Family(out, "sendguard_incident_handovers_total", "Incident drafts sent to the core, by result.", "counter",
         {"result"}, handovers_);
  Family(out, "sendguard_incidents_total",
         "What each message's incident step did: the draft filed (by mf_action), HELD, audit_below_threshold "
         "(monitor mode, logged not filed) or unavailable.",
         "counter", {"outcome"}, incidents_);
  out << "# HELP sendguard_scan_seconds Time from end of message to verdict.\n# TYPE sendguard_scan_seconds histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += buckets_[i];
    char le[32];
    std::snprintf(le, sizeof le, "%g", kBuckets[i]);
    out << "sendguard_scan_seconds_bucket{le=\"" << le << "\"} " << cumulative << "\n";
  }
  cumulative += buckets_[kBuckets.size()];
  out << "sendguard_scan_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n";
  out << "sendguard_scan_seconds_sum " << latency_sum_ << "\nsendguard_scan_seconds_count " << latency_count_ << "\n";
  out << "# HELP sendguard_rules_info The live rule set.\n# TYPE sendguard_rules_info gauge\n";
  out << "sendguard_rules_info{version=\"" << rules_version_ << "\",generation=\"" << generation_ << "\"} 1\n";
  out << "# HELP sendguard_rules_loaded_timestamp_seconds When the live rule set was loaded.\n"
         "# TYPE sendguard_rules_loaded_timestamp_seconds gauge\n"
      << "sendguard_rules_loaded_timestamp_seconds " << rules_loaded_at_ << "\n";
  return out.str();
}

}  // namespace sendguard::milter
