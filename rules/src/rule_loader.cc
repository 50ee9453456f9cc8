// SPDX-License-Identifier: Apache-2.0
// The YAML adapter for rule files: the only place yaml-cpp is called. Every problem
// becomes a `file:line: reason` diagnostic; yaml-cpp exceptions are caught here.
#include "sendguard/rules/rule_loader.h"
#include "sendguard/rules/yaml_reader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

namespace sendguard::rules {

namespace fs = std::filesystem;

const char* ConfidenceName(Confidence c) {
  switch (c) {
    case Confidence::kLow: return "low";
    case Confidence::kMedium: return "medium";
    case Confidence::kHigh: return "high";
  }
  return "low";
}

bool ParseConfidence(const std::string& s, Confidence* out) {
  if (s == "low") { *out = Confidence::kLow; return true; }
  if (s == "medium") { *out = Confidence::kMedium; return true; }
  if (s == "high") { *out = Confidence::kHigh; return true; }
  return false;
}

const std::vector<std::string>& DataCategoryNames() {
  static const std::vector<std::string> kNames = {
      "RACIAL_ETHNIC_ORIGIN", "POLITICAL_OPINIONS", "RELIGIOUS_PHILOSOPHICAL_BELIEFS",
      "TRADE_UNION_MEMBERSHIP", "SEX_LIFE", "SEXUAL_ORIENTATION", "GENDER_REASSIGNMENT",
      "HEALTH", "BASIC_IDENTIFIERS", "IDENTIFICATION_DATA", "ECONOMIC_FINANCIAL",
      "OFFICIAL_DOCUMENTS", "LOCATION", "GENETIC_BIOMETRIC", "CRIMINAL_CONVICTIONS", "OTHER"};
  return kNames;
}

const std::vector<std::string>& SubjectCategoryNames() {
  static const std::vector<std::string> kNames = {
      "EMPLOYEES", "USERS", "SUBSCRIBERS", "PUPILS_STUDENTS", "CUSTOMERS",
      "PATIENTS", "CHILDREN", "VULNERABLE_ADULTS", "OTHER"};
  return kNames;
}

namespace {

void ReadCategory(const YAML::Node& map, const char* key, std::string* out, Diagnostics& d) {
  if (ReadString(map, key, out, d) && !IsOneOf(*out, DataCategoryNames())) {
    d.Add(map[key], "unknown data category '" + *out + "' (see spec: BASIC_IDENTIFIERS, HEALTH ...)");
  }
}

std::vector<Example> ReadExamples(const YAML::Node& map, const char* key, Diagnostics& d) {
  std::vector<SourceLocation> where;
  std::vector<std::string> texts = ReadStringList(map, key, d, &where);
  std::vector<Example> out;
  for (size_t i = 0; i < texts.size(); ++i) out.push_back({texts[i], where[i]});
  return out;
}

void ReadPatterns(const YAML::Node& doc, InfoType& t, Diagnostics& d) {
  YAML::Node list = doc["patterns"];
  if (!list || !list.IsSequence() || list.size() == 0) {
    d.Add(list ? list : doc, "'patterns' must be a non-empty list");
    return;
  }
  for (const auto& p : list) {
    Pattern pat;
    pat.where = d.Where(p);
    if (p.IsScalar()) {
      pat.regex = p.Scalar();
    } else if (p.IsMap()) {
      CheckKeys(p, {"regex", "distinctive", "standalone"}, d);
      if (!ReadString(p, "regex", &pat.regex, d)) d.Add(p, "a pattern needs 'regex'");
      ReadBool(p, "distinctive", &pat.distinctive, d);
      ReadBool(p, "standalone", &pat.standalone, d);
    } else {
      d.Add(p, "a pattern is a regex string or a map with 'regex'");
      continue;
    }
    if (pat.regex.empty()) {
      d.Add(p, "empty regex");
      continue;
    }
    t.patterns.push_back(std::move(pat));
  }
}

void ReadContext(const YAML::Node& doc, InfoType& t, Diagnostics& d) {
  YAML::Node c = doc["context"];
  if (!c) return;
  if (!c.IsMap()) {
    d.Add(c, "'context' must be a map with 'keywords', 'window', 'required', 'negative', 'negative_except', 'not_near', "
             "'not_near_window'");
    return;
  }
  CheckKeys(c, {"keywords", "window", "required", "negative", "negative_except", "not_near", "not_near_window"}, d);
  t.negative_except = ReadStringList(c, "negative_except", d);
  t.not_near = ReadStringList(c, "not_near", d);
  ReadInt(c, "not_near_window", 1, 5000, &t.not_near_window, d);
  t.context_keywords = ReadStringList(c, "keywords", d);
  ReadInt(c, "window", 1, 5000, &t.context_window, d);
  ReadBool(c, "required", &t.context_required, d);
  ReadBool(c, "negative", &t.negative_context, d);
}

// The fields every rule file starts with: id, name, category, subjects. False when `doc`
// is not a map (nothing else can be read then).
template <typename Rule>
bool ReadCommonFields(const YAML::Node& doc, const char* what, const std::vector<std::string>& keys, Rule& rule,
                      Diagnostics& d) {
  rule.where = d.Where(doc);
  if (!doc.IsMap()) {
    d.Add(doc, std::string("a ") + what + " file must be a YAML map");
    return false;
  }
  CheckKeys(doc, keys, d);
  if (!ReadString(doc, "id", &rule.id, d) || rule.id.empty()) d.Add(doc, "missing 'id'");
  if (doc["id"]) rule.where = d.Where(doc["id"]);
  if (!ReadString(doc, "name", &rule.name, d)) rule.name = rule.id;
  if (!doc["category"]) d.Add(doc, "missing 'category'");
  ReadCategory(doc, "category", &rule.category, d);
  rule.subjects = ReadStringList(doc, "subjects", d);
  CheckEnumList(doc, "subjects", rule.subjects, SubjectCategoryNames(), d);
  return true;
}

InfoType ParseInfoType(const YAML::Node& doc, Diagnostics& d) {
  InfoType t;
  if (!ReadCommonFields(doc, "info type",
                        {"id", "name", "description", "enabled", "category", "category_with_health", "subjects",
                         "patterns", "caseless", "validator", "context", "layout_gives_medium", "test_prefixes",
                         "exact_match_only", "mask_clear", "mask", "must_match", "must_not_match"},
                        t, d)) {
    return t;
  }
  ReadString(doc, "description", &t.description, d);
  ReadBool(doc, "enabled", &t.enabled, d);
  ReadCategory(doc, "category_with_health", &t.category_with_health, d);
  ReadPatterns(doc, t, d);
  ReadBool(doc, "caseless", &t.caseless, d);
  if (ReadString(doc, "validator", &t.validator, d)) t.validator_where = d.Where(doc["validator"]);
  else t.validator_where = t.where;
  ReadContext(doc, t, d);
  ReadBool(doc, "layout_gives_medium", &t.layout_gives_medium, d);
  t.test_prefixes = ReadStringList(doc, "test_prefixes", d);
  ReadBool(doc, "exact_match_only", &t.exact_match_only, d);
  ReadInt(doc, "mask_clear", 0, 4, &t.mask_clear, d);
  std::string mask = "match";
  if (ReadString(doc, "mask", &mask, d) && mask != "match" && mask != "normalized") {
    d.Add(doc["mask"], "'mask' must be 'match' or 'normalized'");
  }
  t.mask_normalized = mask == "normalized";
  t.must_match = ReadExamples(doc, "must_match", d);
  t.must_not_match = ReadExamples(doc, "must_not_match", d);
  return t;
}

Dictionary ParseDictionary(const YAML::Node& doc, Diagnostics& d) {
  Dictionary dict;
  if (!ReadCommonFields(doc, "dictionary", {"id", "name", "category", "subjects", "terms"}, dict, d)) return dict;
  std::vector<SourceLocation> where;
  std::vector<std::string> terms = ReadStringList(doc, "terms", d, &where);
  if (terms.empty()) d.Add(doc, "'terms' must be a non-empty list");
  std::set<std::string> seen;
  for (size_t i = 0; i < terms.size(); ++i) {
    std::string key;
    for (char c : terms[i]) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (!seen.insert(key).second) {
      d.Add(where[i].line, "duplicate term '" + terms[i] + "'");
      continue;
    }
    dict.terms.push_back({terms[i], where[i]});
  }
  return dict;
}

// FNV-1a, 64 bits: a version stamp for a rule set, not a security hash.
void MixDigest(uint64_t* h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    *h ^= c;
    *h *= 1099511628211ull;
  }
}

}  // namespace

Result<InfoType> ParseInfoTypeFile(const fs::path& file) {
  Diagnostics d(file.string());
  YAML::Node doc;
  std::string content;
  InfoType t;
  if (LoadYaml(file, &doc, d, &content)) t = ParseInfoType(doc, d);
  if (Status st = d.ToStatus(); !st.ok()) return st;
  return t;
}

Result<RuleSet> LoadRuleSet(const std::vector<fs::path>& dirs) {
  RuleSet rs;
  std::vector<std::string> errors;
  std::map<std::string, std::string> defined;  // id -> file:line
  uint64_t digest = 1469598103934665603ull;
  auto define = [&](const std::string& id, const SourceLocation& where) {
    if (id.empty()) return true;
    auto [it, fresh] = defined.emplace(id, where.ToString());
    if (!fresh) errors.push_back(where.ToString() + ": duplicate id '" + id + "' (first at " + it->second + ")");
    return fresh;
  };
  auto read_files = [&](const fs::path& dir, auto&& handle) {
    for (const auto& file : YamlFilesIn(dir)) {
      Diagnostics d(file.string());
      YAML::Node doc;
      std::string content;
      if (LoadYaml(file, &doc, d, &content)) handle(doc, d);
      MixDigest(&digest, content);
      rs.files.push_back(file.string());
      errors.insert(errors.end(), d.errors().begin(), d.errors().end());
    }
  };
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      errors.push_back(dir.string() + ":0: not a rule directory");
      continue;
    }
    bool any = false;
    for (const char* sub : {"types", "dictionaries", "policies", "templates", "recipients"}) any |= fs::is_directory(dir / sub, ec);
    if (!any) {
      errors.push_back(dir.string() + ":0: a rule directory needs types/, dictionaries/, policies/, templates/ or recipients/");
    }
    read_files(dir / "types", [&](const YAML::Node& doc, Diagnostics& d) {
      InfoType t = ParseInfoType(doc, d);
      if (define(t.id, t.where)) rs.types.push_back(std::move(t));
    });
    read_files(dir / "dictionaries", [&](const YAML::Node& doc, Diagnostics& d) {
      Dictionary dict = ParseDictionary(doc, d);
      if (define(dict.id, dict.where)) rs.dictionaries.push_back(std::move(dict));
    });
    fs::path context = dir / "context.yaml";
    if (fs::exists(context, ec)) {
      Diagnostics d(context.string());
      YAML::Node doc;
      std::string content;
      if (LoadYaml(context, &doc, d, &content)) {
        if (!doc.IsMap()) {
          d.Add(doc, "context.yaml must be a map");
        } else {
          CheckKeys(doc, {"negative_keywords", "negative_window"}, d);
          ReadInt(doc, "negative_window", 1, 5000, &rs.negative_window, d);
          std::vector<SourceLocation> where;
          auto words = ReadStringList(doc, "negative_keywords", d, &where);
          for (size_t i = 0; i < words.size(); ++i) rs.negative_keywords.push_back({words[i], where[i]});
        }
      }
      MixDigest(&digest, content);
      rs.files.push_back(context.string());
      errors.insert(errors.end(), d.errors().begin(), d.errors().end());
    }
  }
  if (Status st = ErrorsToStatus(errors); !st.ok()) return st;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(digest));
  rs.version = std::string(buf, 12);
  return rs;
}

}  // namespace sendguard::rules
