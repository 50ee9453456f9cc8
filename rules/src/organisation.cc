// SPDX-License-Identifier: Apache-2.0
// The organisation section of the config file (see organisation.h).
#include "sendguard/rules/organisation.h"

#include <algorithm>
#include <functional>

#include "sendguard/common/text.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/rule_loader.h"

namespace sendguard::rules {

const std::string& LocalText::Get(const std::string& language) const {
  static const std::string kEmpty;
  if (auto it = by_language.find(language); it != by_language.end()) return it->second;
  if (auto it = by_language.find("en"); it != by_language.end()) return it->second;
  return by_language.empty() ? kEmpty : by_language.begin()->second;
}

bool ReadLocalText(const YAML::Node& map, const char* key, LocalText* out, Diagnostics& d) {
  YAML::Node n = map[key];
  if (!n) return false;
  out->by_language.clear();
  if (n.IsScalar()) {
    out->by_language["en"] = n.Scalar();
    return true;
  }
  if (!n.IsMap()) {
    d.Add(n, std::string("'") + key + "' must be a text or a map of language to text (en: ..., cy: ...)");
    return false;
  }
  for (const auto& kv : n) {
    const std::string lang = kv.first.Scalar();
    if (lang.size() < 2 || lang.size() > 3 || !kv.second.IsScalar()) {
      d.Add(kv.first, std::string("'") + key + "': expected a language code (en, cy) with a text");
      continue;
    }
    out->by_language[lang] = kv.second.Scalar();
  }
  return true;
}

Organisation::Organisation() {
  name.by_language = {{"en", "the organisation"}, {"cy", "y sefydliad"}};
}

std::vector<std::string> Organisation::SenderGroupsOf(const std::string& sender) const {
  const std::string address = NormaliseAddress(sender);
  const std::string domain = DomainOf(address);
  std::vector<std::string> out;
  for (const auto& [group, members] : sender_groups) {
    for (const auto& m : members) {
      std::string member = common::AsciiLower(m);
      if (member.rfind("*@", 0) == 0) member.erase(0, 1);
      bool hit = member[0] == '@' ? DomainMatches(domain, member.substr(1)) : member == address;
      if (hit) {
        out.push_back(group);
        break;
      }
    }
  }
  return out;
}

namespace {

// `key`: a map of `what` (normalised by `normalise`) to en or cy.
void ReadLanguageMap(const YAML::Node& node, const char* key, const char* what,
                     const std::function<std::string(const std::string&)>& normalise, std::map<std::string, std::string>* out,
                     Diagnostics& d) {
  YAML::Node by = node[key];
  if (!by) return;
  if (!by.IsMap()) {
    d.Add(by, std::string("'") + key + "' must map " + what + " to en or cy");
    return;
  }
  for (const auto& kv : by) {
    std::string lang = kv.second.IsScalar() ? kv.second.Scalar() : "";
    if (lang != "en" && lang != "cy") d.Add(kv.second, "language must be 'en' or 'cy'");
    (*out)[normalise(kv.first.Scalar())] = lang;
  }
}

}  // namespace

std::string Organisation::LanguageFor(const std::string& sender) const {
  const std::string address = NormaliseAddress(sender);
  if (auto it = language_by_sender.find(address); it != language_by_sender.end()) return it->second;
  const std::string domain = DomainOf(address);
  for (const auto& [d, lang] : language_by_sender_domain) {
    if (DomainMatches(domain, d)) return lang;
  }
  return language;
}

const SharingAgreement* Organisation::AgreementFor(const std::string& domain) const {
  for (const auto& a : agreements) {
    if (DomainMatches(domain, a.domain)) return &a;
  }
  return nullptr;
}

namespace {

std::vector<std::string> LowerDomains(std::vector<std::string> v) {
  for (auto& s : v) s = common::AsciiLower(s);
  return v;
}

void ReadPartners(const YAML::Node& org, Organisation& o, Diagnostics& d) {
  YAML::Node list = org["partner_domains"];
  if (!list) return;
  if (!list.IsSequence()) {
    d.Add(list, "'partner_domains' must be a list of domains or {domain, allowed_categories}");
    return;
  }
  for (const auto& item : list) {
    if (item.IsScalar()) {
      o.directory.partner.push_back(common::AsciiLower(item.Scalar()));
      continue;
    }
    if (!item.IsMap()) {
      d.Add(item, "a partner is a domain or {domain, allowed_categories}");
      continue;
    }
    CheckKeys(item, {"domain", "allowed_categories"}, d);
    SharingAgreement a;
    if (!ReadString(item, "domain", &a.domain, d)) {
      d.Add(item, "a partner needs 'domain'");
      continue;
    }
    a.domain = common::AsciiLower(a.domain);
    o.directory.partner.push_back(a.domain);
    if (item["allowed_categories"]) {
      a.allowed_categories = ReadStringList(item, "allowed_categories", d);
      CheckEnumList(item, "allowed_categories", a.allowed_categories, DataCategoryNames(), d);
      o.agreements.push_back(std::move(a));
    }
  }
}

void ReadSenderGroups(const YAML::Node& org, Organisation& o, Diagnostics& d) {
  YAML::Node groups = org["sender_groups"];
  if (!groups) return;
  if (!groups.IsMap()) {
    d.Add(groups, "'sender_groups' must map a group name to a list of addresses or @domains");
    return;
  }
  for (const auto& kv : groups) {
    std::vector<std::string> members = ReadStringList(groups, kv.first.Scalar().c_str(), d);
    for (size_t i = 0; i < members.size(); ++i) {
      if (members[i].find('@') == std::string::npos) {
        d.Add(kv.second[i], "a sender group member is an address or @domain");
      }
    }
    o.sender_groups[kv.first.Scalar()] = std::move(members);
  }
}

}  // namespace

Organisation ParseOrganisation(const YAML::Node& node, const std::vector<std::string>& freemail, Diagnostics& d) {
  Organisation o;
  o.directory.freemail = freemail;
  if (!node) return o;
  if (!node.IsMap()) {
    d.Add(node, "'organisation' must be a map");
    return o;
  }
  CheckKeys(node, {"name", "internal_domains", "secure_domains", "partner_domains", "freemail_domains",
                   "sender_groups", "language", "language_by_sender_domain", "language_by_sender", "open_cc_threshold",
                   "reply_all_threshold", "lookalike_history_domains"},
            d);
  LocalText name;
  if (ReadLocalText(node, "name", &name, d)) {
    for (auto& [lang, text] : name.by_language) o.name.by_language[lang] = text;
  }
  o.directory.internal = LowerDomains(ReadStringList(node, "internal_domains", d));
  o.directory.secure = LowerDomains(ReadStringList(node, "secure_domains", d));
  for (auto& f : LowerDomains(ReadStringList(node, "freemail_domains", d))) o.directory.freemail.push_back(f);
  ReadPartners(node, o, d);
  ReadSenderGroups(node, o, d);
  if (ReadString(node, "language", &o.language, d) && o.language != "en" && o.language != "cy") {
    d.Add(node["language"], "language must be 'en' or 'cy'");
  }
  ReadLanguageMap(node, "language_by_sender_domain", "a domain", [](const std::string& k) { return common::AsciiLower(k); },
                  &o.language_by_sender_domain, d);
  ReadLanguageMap(node, "language_by_sender", "a person's address", [](const std::string& k) { return NormaliseAddress(k); },
                  &o.language_by_sender, d);
  ReadInt(node, "open_cc_threshold", 2, 10000, &o.open_cc_threshold, d);
  ReadInt(node, "reply_all_threshold", 2, 10000, &o.reply_all_threshold, d);
  ReadInt(node, "lookalike_history_domains", 0, 100000, &o.lookalike_history_domains, d);
  return o;
}

}  // namespace sendguard::rules
