// SPDX-License-Identifier: Apache-2.0
// Explanation templates and rendering (see explanation.h).
#include "sendguard/rules/explanation.h"

#include <algorithm>
#include <set>

#include "sendguard/rules/yaml_reader.h"

namespace sendguard::rules {

namespace fs = std::filesystem;

const std::vector<std::string>& RequiredPhrases() {
  static const std::vector<std::string> kIds = {
      "and",  "in_files", "one_outside", "many_outside", "looks_like", "personal_address", "and_more",
      "count", "unchecked_content", "confirm", "not_sent", "held", "monitor_only", "already_sent"};
  return kIds;
}

std::string Templates::Phrase(const std::string& language, const std::string& id) const {
  for (const std::string& lang : {language, std::string("en")}) {
    auto l = languages.find(lang);
    if (l == languages.end()) continue;
    if (auto p = l->second.phrases.find(id); p != l->second.phrases.end()) return p->second;
  }
  return {};
}

namespace {

void ReadNames(const YAML::Node& doc, LanguageTemplates& t, Diagnostics& d) {
  YAML::Node names = doc["names"];
  if (!names) return;
  if (!names.IsMap()) {
    d.Add(names, "'names' must map a type id to {one, many}");
    return;
  }
  for (const auto& kv : names) {
    const std::string id = kv.first.Scalar();
    if (kv.second.IsScalar()) {
      t.names_one[id] = t.names_many[id] = kv.second.Scalar();
      continue;
    }
    if (!kv.second.IsMap()) {
      d.Add(kv.second, "a name is a text or {one, many}");
      continue;
    }
    CheckKeys(kv.second, {"one", "many"}, d);
    std::string one, many;
    ReadString(kv.second, "one", &one, d);
    ReadString(kv.second, "many", &many, d);
    if (!one.empty()) t.names_one[id] = one;
    if (!many.empty()) t.names_many[id] = many;
  }
}

void ReadTemplateFile(const fs::path& file, Templates& out, std::vector<std::string>& errors) {
  Diagnostics d(file.string());
  YAML::Node doc;
  std::string content;
  if (LoadYaml(file, &doc, d, &content)) {
    if (!doc.IsMap()) {
      d.Add(1, "expected a map with language, phrases and names");
    } else {
      CheckKeys(doc, {"language", "phrases", "names"}, d);
      std::string lang;
      if (!ReadString(doc, "language", &lang, d) || lang.empty()) d.Add(doc, "a templates file needs 'language'");
      LanguageTemplates& t = out.languages[lang];
      t.language = lang;
      if (YAML::Node phrases = doc["phrases"]) {
        if (!phrases.IsMap()) d.Add(phrases, "'phrases' must map a phrase id to a text");
        else {
          for (const auto& kv : phrases) {
            const std::string id = kv.first.Scalar();
            if (!IsOneOf(id, RequiredPhrases())) d.Add(kv.first, "unknown phrase '" + id + "'");
            else if (!kv.second.IsScalar()) d.Add(kv.second, "a phrase is a text");
            else t.phrases[id] = kv.second.Scalar();
          }
        }
      }
      ReadNames(doc, t, d);
    }
  }
  errors.insert(errors.end(), d.errors().begin(), d.errors().end());
}

std::string Join(const std::vector<std::string>& items, const std::string& and_word) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " " + and_word + " " : ", ";
    out += items[i];
  }
  return out;
}

// Welsh: "i y cyngor" -> "i'r cyngor" (the article after a vowel).
std::string Contract(std::string s, const std::string& language) {
  if (language != "cy") return s;
  for (const char* v : {" i y ", " o y ", " a y ", " i yr ", " o yr ", " a yr "}) {
    std::string from(v);
    std::string to = from.substr(0, 2) + "'r ";
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  }
  return s;
}

struct Renderer {
  const Verdict& verdict;
  const MessageFacts& facts;
  const Organisation& org;
  const Templates& templates;
  const std::string& lang;

  std::string P(const std::string& id, const std::map<std::string, std::string>& vars = {}) const {
    return Fill(templates.Phrase(lang, id), vars);
  }

  std::string Name(const FindingFact& f, bool many) const {
    for (const std::string& l : {lang, std::string("en")}) {
      auto t = templates.languages.find(l);
      if (t == templates.languages.end()) continue;
      const auto& names = many ? t->second.names_many : t->second.names_one;
      if (auto n = names.find(f.type); n != names.end()) return n->second;
    }
    return many && lang == "en" ? f.name + "s" : f.name;
  }

  // The findings that made the policy match, then the message's other medium+ findings.
  std::vector<const FindingFact*> Findings(const PolicyMatch& m) const {
    std::vector<const FindingFact*> out = m.counted;
    for (const auto& f : facts.findings) {
      if (f.confidence >= Confidence::kMedium && std::find(out.begin(), out.end(), &f) == out.end()) out.push_back(&f);
    }
    return out;
  }

  std::string FindingsText(const std::vector<const FindingFact*>& fs) const {
    std::vector<std::string> items;
    std::set<std::string> seen;
    for (const auto* f : fs) {  // identifiers first (with counts over confidence levels), then kinds of information
      if (f->kind != "identifier" || !seen.insert(f->type).second) continue;
      uint64_t n = 0;
      for (const auto* g : fs) n += g->type == f->type ? g->count : 0;
      items.push_back(P("count", {{"count", std::to_string(n)}, {"name", Name(*f, n != 1)}}));
    }
    for (const auto* f : fs) {
      if (f->kind == "identifier" || !seen.insert(f->type).second) continue;
      items.push_back(Name(*f, false));
    }
    if (items.size() > 5) items.resize(5);
    if (items.empty()) return P("unchecked_content");
    return Join(items, P("and"));
  }

  std::string WhereText(const std::vector<const FindingFact*>& fs) const {
    std::vector<std::string> files;
    for (const auto* f : fs) {
      for (const auto& file : f->files) {
        std::string q = "'" + file + "'";
        if (std::find(files.begin(), files.end(), q) == files.end()) files.push_back(q);
      }
    }
    if (files.empty()) return "";
    size_t more = files.size() > 2 ? files.size() - 2 : 0;
    if (more) {
      files.resize(2);
      files.push_back(P("and_more", {{"count", std::to_string(more)}}));
    }
    return " " + P("in_files", {{"files", Join(files, P("and"))}});
  }

  std::string Qualifier(const std::string& recipient) const {
    for (const auto& s : verdict.signals) {
      if (s.recipient == recipient && s.type == "lookalike_domain") return P("looks_like", {{"domain", s.resembles}});
    }
    if (Classify(org.directory, recipient) == RecipientClass::kFreemail) return P("personal_address");
    return "";
  }

  std::string RecipientsText(const PolicyMatch& m) const {
    std::vector<std::string> who = m.flagged;
    if (who.empty()) {
      for (const auto& r : AllRecipients(facts)) {
        RecipientClass c = Classify(org.directory, r);
        if (c == RecipientClass::kExternal || c == RecipientClass::kFreemail) who.push_back(r);
      }
    }
    if (who.empty()) return Join(AllRecipients(facts), P("and"));
    const std::string organisation = org.name.Get(lang);
    if (who.size() == 1) {
      std::string q = Qualifier(who[0]);
      return P("one_outside", {{"organisation", organisation}}) + " (" + who[0] + (q.empty() ? "" : ", " + q) + ")";
    }
    std::vector<std::string> shown(who.begin(), who.begin() + std::min<size_t>(who.size(), 3));
    for (auto& r : shown) {
      std::string q = Qualifier(r);
      if (!q.empty()) r += ", " + q;
    }
    if (who.size() > 3) shown.push_back(P("and_more", {{"count", std::to_string(who.size() - 3)}}));
    return P("many_outside", {{"count", std::to_string(who.size())}, {"organisation", organisation}}) + " (" +
           Join(shown, P("and")) + ")";
  }

  std::string CountOutside() const {
    size_t n = 0;
    for (const auto& v : facts.visible) {
      RecipientClass c = Classify(org.directory, v.address);
      if (c == RecipientClass::kExternal || c == RecipientClass::kFreemail) ++n;
    }
    return std::to_string(n);
  }
};

}  // namespace

std::string Fill(const std::string& text, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      size_t close = text.find('}', i);
      if (close != std::string::npos) {
        auto it = vars.find(text.substr(i + 1, close - i - 1));
        if (it != vars.end()) {
          out += it->second;
          i = close;
          continue;
        }
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

Result<Templates> LoadTemplates(const std::vector<fs::path>& dirs) {
  Templates t;
  std::vector<std::string> errors;
  for (const auto& dir : dirs) {
    for (const auto& file : YamlFilesIn(dir / "templates")) ReadTemplateFile(file, t, errors);
  }
  auto en = t.languages.find("en");
  for (const auto& id : RequiredPhrases()) {
    if (en == t.languages.end() || !en->second.phrases.count(id)) {
      errors.push_back("templates: the English phrase '" + id + "' is missing");
    }
  }
  if (Status st = ErrorsToStatus(errors); !st.ok()) return st;
  return t;
}

std::string Explain(const Verdict& verdict, const MessageFacts& facts, const Organisation& org,
                    const Templates& templates) {
  const PolicyMatch* m = verdict.Deciding();
  if (!m) return "";
  const std::string& lang = verdict.language;
  Renderer r{verdict, facts, org, templates, lang};
  const std::string& reason = m->policy->reason.Get(lang);
  auto fs = r.Findings(*m);
  std::string text = Fill(reason, {{"findings", r.FindingsText(fs)},
                                   {"where", r.WhereText(fs)},
                                   {"recipients", r.RecipientsText(*m)},
                                   {"organisation", org.name.Get(lang)},
                                   {"count_outside", r.CountOutside()}});
  return Contract(text, lang);
}

}  // namespace sendguard::rules
