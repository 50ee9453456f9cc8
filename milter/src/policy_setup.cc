// SPDX-License-Identifier: Apache-2.0
// Policy engine loading and message facts (see policy_setup.h).
#include "sendguard/milter/policy_setup.h"

#include <algorithm>
#include <cctype>

#include "sendguard/common/text.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {

namespace fs = std::filesystem;

Result<std::shared_ptr<const rules::PolicyEngine>> LoadPolicyEngine(const Config& config,
                                                                    const std::vector<fs::path>& rule_dirs,
                                                                    const rules::RuleSet* rules,
                                                                    const std::vector<fs::path>* only_policies) {
  rules::Organisation org = config.organisation;
  std::vector<std::string> freemail;
  for (const auto& dir : rule_dirs) {
    fs::path list = dir / "recipients" / "freemail.yaml";
    std::error_code ec;
    if (!fs::exists(list, ec)) continue;
    auto domains = rules::LoadDomainList(list);
    if (!domains.ok()) return domains.status();
    freemail.insert(freemail.end(), domains->begin(), domains->end());
  }
  freemail.insert(freemail.end(), org.directory.freemail.begin(), org.directory.freemail.end());
  org.directory.freemail = std::move(freemail);
  std::vector<fs::path> policy_files;
  if (only_policies) {
    policy_files = *only_policies;
  } else {
    for (const auto& dir : rule_dirs) {
      for (auto& f : rules::YamlFilesIn(dir / "policies")) policy_files.push_back(std::move(f));
    }
    for (const auto& f : config.policy_files) policy_files.emplace_back(f);
  }
  auto policies = rules::LoadPolicyFiles(policy_files, rules, &org);
  if (!policies.ok()) return policies.status();
  auto templates = rules::LoadTemplates(rule_dirs);
  if (!templates.ok()) return templates.status();
  return std::make_shared<const rules::PolicyEngine>(std::move(org), std::move(policies).value(),
                                                     std::move(templates).value());
}

std::string AttachmentOf(const std::string& full_part) {
  std::string part = full_part;
  scanner::FromOcr(full_part, &part);  // text read from a picture: the picture's own path
  for (auto piece : common::Split(part, '/')) {
    if (piece.empty() || piece == "message" || piece == "filename") continue;
    bool section = std::all_of(piece.begin(), piece.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
    if (section) continue;
    if (part.find('/') == std::string::npos) return "";  // a header part ("subject")
    return std::string(piece);
  }
  return "";
}

rules::MessageFacts BuildFacts(const scanner::ScanResult& scan, const std::vector<scanner::HeaderField>& headers,
                               const Envelope& envelope) {
  rules::MessageFacts f;
  f.sender = envelope.sender;
  f.recipients = envelope.recipients;
  std::vector<std::string> hidden;  // Bcc, as a Sent Items copy keeps it
  for (const auto& h : headers) {
    std::string name = common::AsciiLower(h.name);
    if (name == "to" || name == "cc") {
      for (auto& a : rules::ParseAddressList(h.value)) {
        a.display = scanner::DecodeHeaderText(a.display);
        f.visible.push_back(std::move(a));
      }
    } else if (name == "from" && f.sender.empty()) {
      auto from = rules::ParseAddressList(h.value);
      if (!from.empty()) f.sender = from.front().address;
    } else if (name == "bcc") {
      for (const auto& a : rules::ParseAddressList(h.value)) hidden.push_back(a.address);
    } else if (name == "in-reply-to" || name == "references") {
      f.is_reply = true;
    } else if (name == "subject") {
      std::string s = common::AsciiLower(common::Trim(scanner::DecodeHeaderText(h.value)));
      if (s.rfind("re:", 0) == 0 || s.rfind("ateb:", 0) == 0) f.is_reply = true;
    }
  }
  if (f.recipients.empty()) {
    for (const auto& v : f.visible) f.recipients.push_back(v.address);
    f.recipients.insert(f.recipients.end(), hidden.begin(), hidden.end());
  }
  f.salutation = scan.salutation;
  f.has_attachments = scan.attachments > 0;
  f.scan_complete = scan.complete;
  for (const auto& finding : scan.findings) {
    rules::FindingFact ff;
    ff.type = finding.type;
    ff.kind = finding.kind;
    ff.name = finding.name;
    ff.category = finding.category;
    ff.subjects = finding.subjects;
    ff.confidence = finding.confidence;
    ff.count = finding.count;
    ff.exact_match = finding.exact_match;
    for (const auto& l : finding.locations) {
      std::string file = AttachmentOf(l.part);
      if (!file.empty() && std::find(ff.files.begin(), ff.files.end(), file) == ff.files.end()) ff.files.push_back(file);
    }
    f.findings.push_back(std::move(ff));
  }
  return f;
}

Decision DecideMessage(scanner::Scanner& scanner, const rules::PolicyEngine& policy,
                       const rules::RecipientHistoryView* history, std::string_view raw, const Envelope& envelope) {
  Decision d;
  d.scan = scanner.ScanMessage(raw);
  d.facts = BuildFacts(d.scan, scanner::ReadHeaders(raw), envelope);
  d.verdict = policy.Decide(d.facts, history);
  return d;
}

}  // namespace sendguard::milter
