// SPDX-License-Identifier: Apache-2.0
// Builds the mail-filter fields of an incident draft from a decision (see incident_draft.h).
#include "sendguard/milter/incident_draft.h"

#include <algorithm>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "sendguard/common/digest.h"
#include "sendguard/common/text.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {
namespace {

using nlohmann::json;

std::string Iso(std::time_t t) { return common::FormatTime(t, "%Y-%m-%dT%H:%MZ"); }

const char* SpecClass(rules::RecipientClass c) {
  switch (c) {
    case rules::RecipientClass::kInternal: return "INTERNAL";
    case rules::RecipientClass::kSecure:
    case rules::RecipientClass::kPartner: return "TRUSTED_PARTNER";
    case rules::RecipientClass::kExternal: return "EXTERNAL";
    case rules::RecipientClass::kFreemail: return "PERSONAL_WEBMAIL";
  }
  return "UNKNOWN";
}

}  // namespace

std::string IdentifierTypeOf(const std::string& t) {
  static const std::map<std::string, std::string> kMap = {
      {"uk.nhs_number", "NHS_NUMBER"}, {"uk.chi_number", "NHS_NUMBER"}, {"uk.nino", "NI_NUMBER"},
      {"uk.upn", "UNIQUE_PUPIL_NUMBER"}, {"case_reference", "CASE_REFERENCE"}, {"uk.bank_account", "BANK_ACCOUNT"},
      {"iban", "BANK_ACCOUNT"}, {"pci.card", "PAYMENT_CARD_NUMBER"}, {"uk.passport", "PASSPORT_NUMBER"},
      {"uk.driving_licence", "DRIVING_LICENCE_NUMBER"}, {"credentials", "CREDENTIAL"}, {"dob", "DATE_OF_BIRTH"},
      {"email_address", "EMAIL_ADDRESS"}, {"uk.postcode", "UK_POSTCODE"}, {"uk.phone", "PHONE_NUMBER"},
      {"dict.health", "HEALTH_TERM"}, {"dict.criminal", "CRIMINAL_OFFENCE_TERM"},
      {"dict.special_other", "SPECIAL_CATEGORY_TERM"}, {"dict.children_safeguarding", "SPECIAL_CATEGORY_TERM"},
      {"dict.vulnerable_adults", "SPECIAL_CATEGORY_TERM"}};
  auto it = kMap.find(t);
  return it == kMap.end() ? "OTHER" : it->second;
}

std::string ActionToFile(const Decision& d) {
  const rules::Action a = d.verdict.action;
  if (a == rules::Action::kBlock || a == rules::Action::kQuarantine) return "BLOCKED";
  if (a <= rules::Action::kTag && d.verdict.monitored >= rules::Action::kWarn) return "AUDIT_ONLY";
  return "";
}

namespace {
const std::set<std::string>& PersonLevelTypes() {
  static const std::set<std::string> kTypes = {"NHS_NUMBER", "NI_NUMBER", "UNIQUE_PUPIL_NUMBER", "CASE_REFERENCE",
                                               "EMAIL_ADDRESS", "PAYMENT_CARD_NUMBER", "BANK_ACCOUNT",
                                               "PASSPORT_NUMBER", "DRIVING_LICENCE_NUMBER"};
  return kTypes;
}
bool Counted(const scanner::Finding& f) {
  return f.confidence >= rules::Confidence::kMedium && (f.kind == "identifier" || f.kind == "keyword");
}
}  // namespace

uint64_t EstimatedIndividuals(const Decision& d) {
  std::map<std::string, uint64_t> distinct;
  for (const auto& f : d.scan.findings) {
    if (Counted(f)) distinct[IdentifierTypeOf(f.type)] += f.count;
  }
  uint64_t most = 0;
  for (const auto& [type, n] : distinct) {
    if (PersonLevelTypes().count(type)) most = std::max(most, n);
  }
  return most;
}

std::string DraftId(const common::KeyedHasher& hasher, const std::string& queue_id, const std::string& message_id,
                    std::time_t at) {
  return "sg-" + hasher.Hex(queue_id + "\n" + message_id + "\n" + std::to_string(at)).substr(0, 32);
}

std::string BuildIncidentDraft(const Decision& d, const rules::PolicyEngine& policy, const DraftContext& c) {
  json doc;
  doc["source"] = "MAIL_FILTER";
  doc["mf_event_id"] = c.event_id;
  doc["mf_action"] = c.mf_action;
  doc["mf_event_at"] = Iso(c.at);
  if (!c.message_id.empty()) doc["mf_message_id_hash"] = IncidentMessageIdHash(c.message_id);
  if (!d.facts.sender.empty()) doc["mf_sender"] = rules::NormaliseAddress(d.facts.sender);
  // Rule hits: the policies that decided, with the identifier types they saw.
  json hits = json::array();
  for (const auto& m : d.verdict.matches) {
    json types = json::array();
    for (const auto& f : d.facts.findings) {
      std::string t = IdentifierTypeOf(f.type);
      if (std::find(types.begin(), types.end(), t) == types.end()) types.push_back(t);
    }
    hits.push_back({{"rule_id", m.policy->id}, {"rule_name", m.policy->id}, {"rule_version", ""},
                    {"action", c.mf_action}, {"match_count", 1}, {"identifier_types", types}});
  }
  doc["mf_rule_hits"] = hits;
  // Distinct counts per identifier type, and tokens for evidence: never values.
  json counts = json::object();
  json evidence = json::array();
  for (const auto& f : d.scan.findings) {
    if (!Counted(f)) continue;
    const std::string t = IdentifierTypeOf(f.type);
    uint64_t occurrences = f.locations.size();
    json& entry = counts[t];
    if (!entry.is_object()) entry = {{"distinct", 0}, {"occurrences", 0}};
    entry["distinct"] = entry.value("distinct", uint64_t{0}) + f.count;
    entry["occurrences"] = entry.value("occurrences", uint64_t{0}) + std::max<uint64_t>(occurrences, f.count);
    std::map<std::string, int> token_of_hash;
    for (const auto& loc : f.locations) {
      if (evidence.size() >= 50) break;
      auto [it, added] = token_of_hash.emplace(loc.hash, static_cast<int>(token_of_hash.size()) + 1);
      if (!added) continue;
      const std::string file = AttachmentOf(loc.part);
      json e{{"location", loc.part == "subject" ? "SUBJECT" : (file.empty() ? "BODY" : "ATTACHMENT")},
             {"snippet", "[" + t + "#" + std::to_string(it->second) + "]"}};
      if (!file.empty()) e["attachment_index"] = std::atoi(loc.part.c_str());
      if (int page = 0; scanner::FromOcr(loc.part, nullptr, &page)) {
        e["source"] = "OCR";  // read from a picture: the IG team knows to look at it
        if (page > 0) e["page"] = page;
      }
      evidence.push_back(e);
    }
  }
  doc["mf_identifier_counts"] = counts;
  doc["mf_redacted_evidence"] = evidence;
  // What the findings imply for the form's Sections 6 and 7 (suggestions for the IG officer).
  std::set<std::string> categories, subjects;
  for (const auto& f : d.scan.findings) {
    if (!Counted(f)) continue;
    if (!f.category.empty()) categories.insert(f.category);
    subjects.insert(f.subjects.begin(), f.subjects.end());
  }
  doc["mf_data_categories"] = categories;
  doc["mf_subject_categories"] = subjects;
  doc["mf_estimated_individuals"] = EstimatedIndividuals(d);
  // Recipients: domains with the field they were in and their class; never addresses.
  std::map<std::pair<std::string, std::string>, uint64_t> by_domain;
  std::set<std::string> visible;
  for (const auto& a : d.facts.visible) {
    visible.insert(rules::NormaliseAddress(a.address));
    ++by_domain[{rules::DomainOf(rules::NormaliseAddress(a.address)), "TO"}];
  }
  for (const auto& r : d.facts.recipients) {
    const std::string addr = rules::NormaliseAddress(r);
    if (!visible.count(addr)) ++by_domain[{rules::DomainOf(addr), "BCC"}];
  }
  json recipients = json::array();
  for (const auto& [key, count] : by_domain) {
    recipients.push_back({{"domain", key.first}, {"field", key.second}, {"count", count},
                          {"classification", SpecClass(rules::Classify(policy.organisation().directory, "x@" + key.first))}});
  }
  doc["mf_recipients"] = recipients;
  doc["mf_attachment_count"] = d.scan.attachments;
  json signals = json::array();
  for (const auto& s : d.verdict.signals) signals.push_back({{"type", s.type}, {"domain", rules::DomainOf(s.recipient)}});
  doc["mf_signals"] = signals;
  bool encrypted = false;
  for (const auto& f : d.scan.findings) encrypted |= f.type == "encrypted_attachment";
  doc["mf_content_protection"] = encrypted ? "PASSWORD_PROTECTED_FILE" : "NONE";
  doc["title"] = "Mail filter: " + c.mf_action + " (" + std::string(rules::ActionName(d.verdict.action)) + ")";
  return doc.dump();
}

std::string BuildRecordEventDraft(const ScanRecord& original, const rules::PolicyEngine& policy, const RecordEvent& e) {
  json doc;
  doc["source"] = "MAIL_FILTER";
  doc["mf_event_id"] = e.event_id;
  doc["mf_action"] = e.action;
  doc["mf_event_at"] = Iso(e.at);
  if (!e.sender.empty()) doc["mf_sender"] = rules::NormaliseAddress(e.sender);
  if (!original.message_sha256.empty()) doc["mf_message_id_hash"] = original.message_sha256;
  doc["title"] = e.title + " " + Iso(original.at);
  json counts = json::object();
  uint64_t individuals = 0;
  // "uk.nhs_number=14 dict.health=3"
  size_t pos = 0;
  while (pos < original.findings.size()) {
    size_t end = original.findings.find(' ', pos);
    if (end == std::string::npos) end = original.findings.size();
    const std::string item = original.findings.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) continue;
    const std::string t = IdentifierTypeOf(item.substr(0, eq));
    const uint64_t n = std::strtoull(item.c_str() + eq + 1, nullptr, 10);
    counts[t] = {{"distinct", n}, {"occurrences", n}};
    if (t != "HEALTH_TERM" && t != "SPECIAL_CATEGORY_TERM" && t != "CRIMINAL_OFFENCE_TERM") individuals = std::max(individuals, n);
  }
  doc["mf_identifier_counts"] = counts;
  doc["mf_estimated_individuals"] = individuals;
  std::map<std::string, uint64_t> by_domain;
  json recipients = json::parse(original.recipients_json, nullptr, false);
  if (recipients.is_array()) {
    for (const auto& r : recipients) ++by_domain[r.value("domain", "")];
  }
  json list = json::array();
  for (const auto& [domain, count] : by_domain) {
    list.push_back({{"domain", domain}, {"field", "TO"}, {"count", count},
                    {"classification", SpecClass(rules::Classify(policy.organisation().directory, "x@" + domain))}});
  }
  doc["mf_recipients"] = list;
  json signals = json::parse(original.signals_json, nullptr, false);
  if (!signals.is_array()) signals = json::array();
  signals.push_back({{"type", e.signal}, {"domain", ""}});
  doc["mf_signals"] = signals;
  doc["mf_rule_hits"] = json::array();
  doc["mf_redacted_evidence"] = json::array();
  return doc.dump();
}

}  // namespace sendguard::milter
