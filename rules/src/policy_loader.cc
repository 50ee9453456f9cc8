// SPDX-License-Identifier: Apache-2.0
// The YAML adapter for policy files (see policy.h): every problem is `file:line: reason`.
#include <algorithm>
#include <map>

#include "sendguard/rules/policy.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/rules/yaml_reader.h"

namespace sendguard::rules {

namespace fs = std::filesystem;

const char* ActionName(Action a) {
  switch (a) {
    case Action::kAllow: return "allow";
    case Action::kTag: return "tag";
    case Action::kWarn: return "warn";
    case Action::kQuarantine: return "quarantine";
    case Action::kBlock: return "block";
  }
  return "allow";
}

bool ParseAction(const std::string& s, Action* out) {
  for (Action a : {Action::kAllow, Action::kTag, Action::kWarn, Action::kQuarantine, Action::kBlock}) {
    if (s == ActionName(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

namespace {

const std::vector<std::string>& RecipientClassNames() {
  static const std::vector<std::string> kNames = {"internal", "secure", "partner", "external", "freemail"};
  return kNames;
}

struct Checks {
  const RuleSet* rules;
  const Organisation* org;
};

void ReadFindingCondition(const YAML::Node& n, FindingCondition& f, const Checks& checks, Diagnostics& d) {
  if (!n.IsMap()) {
    d.Add(n, "'findings' must be a map, or a list of maps that must all hold (types, categories, special_category, subjects, kind, min_confidence, "
             "exact_match, min_count)");
    return;
  }
  CheckKeys(n, {"types", "categories", "special_category", "subjects", "kind", "min_confidence", "exact_match",
                "min_count"},
            d);
  f.types = ReadStringList(n, "types", d);
  if (checks.rules) {
    for (size_t i = 0; i < f.types.size(); ++i) {
      const std::string& t = f.types[i];
      bool known = std::any_of(checks.rules->types.begin(), checks.rules->types.end(),
                               [&](const InfoType& it) { return it.id == t; }) ||
                   std::any_of(checks.rules->dictionaries.begin(), checks.rules->dictionaries.end(),
                               [&](const Dictionary& dict) { return "dict." + dict.id == t; });
      if (!known) d.Add(n["types"][i], "unknown information type '" + t + "' (dictionaries are 'dict.<id>')");
    }
  }
  f.categories = ReadStringList(n, "categories", d);
  CheckEnumList(n, "categories", f.categories, DataCategoryNames(), d);
  ReadBool(n, "special_category", &f.special_category, d);
  f.subjects = ReadStringList(n, "subjects", d);
  CheckEnumList(n, "subjects", f.subjects, SubjectCategoryNames(), d);
  if (ReadString(n, "kind", &f.kind, d) && f.kind != "identifier" && f.kind != "keyword") {
    d.Add(n["kind"], "kind must be 'identifier' or 'keyword'");
  }
  std::string conf;
  if (ReadString(n, "min_confidence", &conf, d) && !ParseConfidence(conf, &f.min_confidence)) {
    d.Add(n["min_confidence"], "min_confidence must be low, medium or high");
  }
  ReadBool(n, "exact_match", &f.exact_match, d);
  int min_count = 1;
  ReadInt(n, "min_count", 1, 1000000000, &min_count, d);
  f.min_count = static_cast<uint64_t>(min_count);
}

void ReadTriState(const YAML::Node& map, const char* key, std::optional<bool>* out, Diagnostics& d) {
  if (!map[key]) return;
  bool v = false;
  ReadBool(map, key, &v, d);
  *out = v;
}

void ReadCondition(const YAML::Node& n, PolicyCondition& c, const Checks& checks, Diagnostics& d) {
  if (!n.IsMap()) {
    d.Add(n, "'when' must be a map");
    return;
  }
  CheckKeys(n, {"findings", "recipients", "signals", "sender_groups", "except_sender_groups", "attachments",
                "scan_complete"},
            d);
  if (YAML::Node f = n["findings"]) {
    if (f.IsSequence()) {
      for (const auto& item : f) ReadFindingCondition(item, c.findings.emplace_back(), checks, d);
    } else {
      ReadFindingCondition(f, c.findings.emplace_back(), checks, d);
    }
  }
  c.recipients = ReadStringList(n, "recipients", d);
  CheckEnumList(n, "recipients", c.recipients, RecipientClassNames(), d);
  c.signals = ReadStringList(n, "signals", d);
  CheckEnumList(n, "signals", c.signals, SignalTypeNames(), d);
  for (const char* key : {"sender_groups", "except_sender_groups"}) {
    auto& groups = std::string(key) == "sender_groups" ? c.sender_groups : c.except_sender_groups;
    groups = ReadStringList(n, key, d);
    if (!checks.org) continue;
    for (size_t i = 0; i < groups.size(); ++i) {
      if (!checks.org->sender_groups.count(groups[i])) {
        d.Add(n[key][i], "unknown sender group '" + groups[i] + "' (define it under organisation.sender_groups)");
      }
    }
  }
  ReadTriState(n, "attachments", &c.attachments, d);
  ReadTriState(n, "scan_complete", &c.scan_complete, d);
}

Policy ReadPolicy(const YAML::Node& n, const Checks& checks, Diagnostics& d) {
  Policy p;
  p.where = d.Where(n);
  if (!n.IsMap()) {
    d.Add(n, "a policy is a map with id, action, when and reason");
    return p;
  }
  CheckKeys(n, {"id", "description", "action", "mode", "when", "reason", "replaces"}, d);
  ReadBool(n, "replaces", &p.replaces, d);
  if (!ReadString(n, "id", &p.id, d) || p.id.empty()) d.Add(n, "a policy needs 'id'");
  ReadString(n, "description", &p.description, d);
  std::string action;
  if (!ReadString(n, "action", &action, d)) {
    d.Add(n, "policy '" + p.id + "' needs 'action' (allow, tag, warn, quarantine, block)");
  } else if (!ParseAction(action, &p.action)) {
    d.Add(n["action"], "unknown action '" + action + "' (allow, tag, warn, quarantine, block)");
  }
  std::string mode = "enforce";
  ReadString(n, "mode", &mode, d);
  if (mode != "enforce" && mode != "monitor") d.Add(n["mode"], "mode must be 'enforce' or 'monitor'");
  p.monitor = mode == "monitor";
  if (n["when"]) ReadCondition(n["when"], p.when, checks, d);
  else d.Add(n, "policy '" + p.id + "' needs 'when' (a policy matching every message is written 'when: {}')");
  if (!ReadLocalText(n, "reason", &p.reason, d) || p.reason.Get("en").empty()) {
    if (p.action != Action::kAllow) d.Add(n, "policy '" + p.id + "' needs an English 'reason' for the sender");
  }
  return p;
}

void ReadPolicyFile(const fs::path& file, const Checks& checks, PolicySet& set,
                    std::map<std::string, SourceLocation>& seen, std::vector<std::string>& errors) {
  Diagnostics d(file.string());
  YAML::Node doc;
  std::string content;
  if (LoadYaml(file, &doc, d, &content)) {
    if (!doc.IsMap() || !doc["policies"] || !doc["policies"].IsSequence()) {
      d.Add(doc.IsNull() ? 1 : Diagnostics::LineOf(doc), "expected a map with a 'policies' list");
    } else {
      CheckKeys(doc, {"policies"}, d);
      for (const auto& item : doc["policies"]) {
        Policy p = ReadPolicy(item, checks, d);
        if (p.id.empty()) continue;
        if (auto it = seen.find(p.id); it != seen.end()) {
          auto earlier = std::find_if(set.policies.begin(), set.policies.end(),
                                      [&](const Policy& q) { return q.id == p.id; });
          if (!p.replaces || earlier == set.policies.end()) {
            d.Add(item, "policy id '" + p.id + "' already defined at " + it->second.ToString() +
                            (p.replaces ? "" : " (say 'replaces: true' to replace it)"));
            continue;
          }
          it->second = p.where;
          *earlier = std::move(p);
          continue;
        }
        if (p.replaces) {
          d.Add(item, "policy '" + p.id + "' says 'replaces: true' but no earlier policy has that id");
          continue;
        }
        seen[p.id] = p.where;
        set.policies.push_back(std::move(p));
      }
    }
  }
  set.files.push_back(file.string());
  errors.insert(errors.end(), d.errors().begin(), d.errors().end());
}

}  // namespace

Result<PolicySet> LoadPolicyFiles(const std::vector<fs::path>& files, const RuleSet* rules, const Organisation* org) {
  PolicySet set;
  std::map<std::string, SourceLocation> seen;
  std::vector<std::string> errors;
  Checks checks{rules, org};
  for (const auto& f : files) {
    std::error_code ec;
    if (fs::is_directory(f, ec)) {
      for (const auto& inner : YamlFilesIn(f)) ReadPolicyFile(inner, checks, set, seen, errors);
    } else {
      ReadPolicyFile(f, checks, set, seen, errors);
    }
  }
  if (Status st = ErrorsToStatus(errors); !st.ok()) return st;
  return set;
}

Result<PolicySet> LoadPolicies(const std::vector<fs::path>& dirs, const RuleSet* rules, const Organisation* org) {
  std::vector<fs::path> files;
  for (const auto& dir : dirs) {
    for (auto& f : YamlFilesIn(dir / "policies")) files.push_back(std::move(f));
  }
  return LoadPolicyFiles(files, rules, org);
}

}  // namespace sendguard::rules
