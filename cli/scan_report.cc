// SPDX-License-Identifier: Apache-2.0
// JSON (nlohmann) and text rendering of scan results (see scan_report.h).
#include "scan_report.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "sendguard/rules/address_list.h"

namespace sendguard::cli {

std::string ScanResultJson(const std::string& file, const milter::Decision& decision) {
  const scanner::ScanResult& result = decision.scan;
  const rules::Verdict& v = decision.verdict;
  nlohmann::ordered_json j;
  j["file"] = file;
  j["complete"] = result.complete;
  j["incomplete_reasons"] = result.incomplete_reasons;
  j["findings"] = nlohmann::ordered_json::array();
  for (const auto& f : result.findings) {
    nlohmann::ordered_json fj;
    fj["type"] = f.type;
    fj["confidence"] = rules::ConfidenceName(f.confidence);
    fj["count"] = f.count;
    fj["exact_match"] = f.exact_match;
    fj["kind"] = f.kind;
    fj["name"] = f.name;
    fj["category"] = f.category;
    fj["subjects"] = f.subjects;
    fj["locations"] = nlohmann::ordered_json::array();
    for (const auto& l : f.locations) {
      fj["locations"].push_back({{"part", l.part}, {"offset", l.offset}, {"masked", l.masked}, {"hash", l.hash}});
    }
    j["findings"].push_back(std::move(fj));
  }
  j["bytes_scanned"] = result.bytes_scanned;
  j["parts"] = result.parts;
  j["sender"] = rules::NormaliseAddress(decision.facts.sender);
  j["recipients"] = rules::AllRecipients(decision.facts);
  j["verdict"] = rules::ActionName(v.action);
  j["monitored_verdict"] = rules::ActionName(v.monitored);
  j["policies"] = nlohmann::ordered_json::array();
  j["policy_matches"] = nlohmann::ordered_json::array();
  for (const auto& m : v.matches) {
    j["policies"].push_back(m.policy->id);
    j["policy_matches"].push_back({{"id", m.policy->id},
                                   {"action", rules::ActionName(m.policy->action)},
                                   {"mode", m.policy->monitor ? "monitor" : "enforce"},
                                   {"recipients", m.flagged}});
  }
  j["signals"] = nlohmann::ordered_json::array();
  for (const auto& s : v.signals) {
    j["signals"].push_back({{"type", s.type}, {"recipient", s.recipient}, {"detail", s.detail}});
  }
  j["explanation"] = v.explanation;
  j["language"] = v.language;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ScanResultText(const std::string& file, const milter::Decision& decision) {
  const scanner::ScanResult& result = decision.scan;
  const rules::Verdict& v = decision.verdict;
  std::ostringstream out;
  out << file << ": " << (result.complete ? "scan complete" : "scan INCOMPLETE") << ", " << result.parts
      << " part(s), " << result.bytes_scanned << " bytes of text\n";
  for (const auto& r : result.incomplete_reasons) out << "  ! " << r << "\n";
  if (result.findings.empty()) out << "  no findings\n";
  for (const auto& f : result.findings) {
    out << "  " << f.count << " x " << f.name << " [" << f.type << "] confidence " << rules::ConfidenceName(f.confidence)
        << (f.exact_match ? ", exact match" : "") << " (" << f.category << ")\n";
    size_t shown = 0;
    for (const auto& l : f.locations) {
      if (++shown > 5) {
        out << "      ... " << (f.locations.size() - 5) << " more\n";
        break;
      }
      out << "      " << l.masked << "  in " << l.part << " at byte " << l.offset << "\n";
    }
  }
  out << "  verdict: " << rules::ActionName(v.action);
  if (v.monitored != v.action) out << " (monitor-mode policies would " << rules::ActionName(v.monitored) << ")";
  out << "\n";
  for (const auto& m : v.matches) {
    out << "    policy " << m.policy->id << ": " << rules::ActionName(m.policy->action)
        << (m.policy->monitor ? " [monitor]" : "") << "\n";
  }
  for (const auto& s : v.signals) {
    out << "    signal " << s.type << (s.recipient.empty() ? "" : " " + s.recipient) << ": " << s.detail << "\n";
  }
  if (!v.explanation.empty()) out << "  sender sees: " << v.explanation << "\n";
  return out.str();
}

}  // namespace sendguard::cli
