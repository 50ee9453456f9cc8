// SPDX-License-Identifier: Apache-2.0
// Compiles a RuleSet: every identifier pattern, context word, negative word and dictionary
// term into one streaming Hyperscan database, plus an RE2 confirmer per identifier pattern.
// Every refusal is reported as `file:line: reason`.
#include "sendguard/scanner/compiled_rules.h"

#include <algorithm>
#include <climits>
#include <map>

#include "compiled_rules_impl.h"
#include "database_cache.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

CompiledRules::CompiledRules(std::unique_ptr<CompiledRulesImpl> impl) : impl_(std::move(impl)) {}
CompiledRules::~CompiledRules() = default;
const rules::RuleSet& CompiledRules::rule_set() const { return impl_->rules; }
const ExactDataSet& CompiledRules::exact_data() const { return impl_->exact_data; }
const std::string& CompiledRules::database_origin() const { return impl_->database_origin; }

namespace {

constexpr unsigned kMaxPatternWidth = 1024;

bool IsWordChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// A keyword as a whole-word regex: literal characters escaped, any run of white space
// between words matching any run (line breaks included), apostrophes straight or curly.
std::string KeywordRegex(std::string_view term) {
  std::string out;
  if (!term.empty() && IsWordChar(term.front())) out += "\\b";
  bool in_space = false;
  for (char c : term) {
    if (c == ' ' || c == '\t') {
      if (!in_space) out += "\\s+";
      in_space = true;
      continue;
    }
    in_space = false;
    if (c == '\'') {
      out += "(?:'|\\xE2\\x80\\x99)";
    } else if (IsWordChar(c)) {
      out.push_back(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  if (!term.empty() && IsWordChar(term.back())) out += "\\b";
  return out;
}

struct ExpressionInfo {
  unsigned min_width = 0;
  unsigned max_width = 0;
};

// Asks Hyperscan whether it accepts one expression, and its widths.
bool InspectExpression(const std::string& regex, unsigned flags, ExpressionInfo* info, std::string* why) {
  hs_expr_info_t* ei = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_expression_info(regex.c_str(), flags, &ei, &err) != HS_SUCCESS) {
    *why = err ? err->message : "rejected";
    hs_free_compile_error(err);
    return false;
  }
  info->min_width = ei->min_width;
  info->max_width = ei->max_width;
  std::free(ei);
  return true;
}

class Compiler {
 public:
  Compiler(std::unique_ptr<CompiledRulesImpl> impl, const CompileOptions& options)
      : impl_(std::move(impl)), cache_(options.cache_dir) {}

  Result<std::shared_ptr<const CompiledRules>> Run() {
    const rules::RuleSet& rs = impl_->rules;
    for (const auto& t : rs.types) {
      if (t.enabled) AddType(t);
    }
    for (size_t d = 0; d < rs.dictionaries.size(); ++d) {
      if (rs.dictionaries[d].id == "health") impl_->health_dictionary = static_cast<int>(d);
      for (const auto& term : rs.dictionaries[d].terms) {
        Keyword* k = KeywordFor(term.text, term.where);
        if (k) k->dictionaries.push_back(static_cast<int>(d));
      }
    }
    for (const auto& w : rs.negative_keywords) {
      Keyword* k = KeywordFor(w.text, w.where);
      if (k) k->negative = true;
    }
    if (!errors_.empty()) return Fail();
    for (CompiledType& t : impl_->types) {
      t.has_exact_data = impl_->exact_data.Size(t.def->id) > 0;
      t.needs_context = !t.has_exact_data && (t.def->exact_match_only || t.def->context_required);
    }
    if (regexes_.empty()) return Status(InvalidArgument("the rule set has no enabled patterns"));
    BuildDatabase();
    if (!errors_.empty()) return Fail();
    return std::shared_ptr<const CompiledRules>(std::make_shared<CompiledRules>(std::move(impl_)));
  }

 private:
  void AddType(const rules::InfoType& t) {
    CompiledType ct{&t, FindValidator(t.validator)};
    if (!ct.validator) {
      std::string names;
      for (const auto& n : ValidatorNames()) names += (names.empty() ? "" : ", ") + n;
      Error(t.validator_where, "unknown validator '" + t.validator + "' in type '" + t.id +
                                   "' (known: " + names + ")");
      return;
    }
    int type_index = static_cast<int>(impl_->types.size());
    impl_->types.push_back(ct);
    unsigned flags = t.caseless ? HS_FLAG_CASELESS : 0;
    for (const auto& p : t.patterns) {
      ExpressionInfo info;
      std::string why;
      if (!InspectExpression(p.regex, flags, &info, &why)) {
        Error(p.where, "Hyperscan refuses pattern of '" + t.id + "': " + why);
        continue;
      }
      if (info.max_width == UINT_MAX || info.max_width > kMaxPatternWidth) {
        Error(p.where, "pattern of '" + t.id + "' has unbounded width (use {m,n} instead of * or +; at most " +
                           std::to_string(kMaxPatternWidth) + " bytes)");
        continue;
      }
      RE2::Options opts;
      opts.set_encoding(RE2::Options::EncodingLatin1);
      opts.set_case_sensitive(!t.caseless);
      opts.set_log_errors(false);
      opts.set_dot_nl(true);
      auto re = std::make_unique<RE2>("(?:" + p.regex + ")\\z", opts);
      if (!re->ok()) {
        Error(p.where, "RE2 refuses pattern of '" + t.id + "': " + re->error());
        continue;
      }
      impl_->identifier_patterns.push_back({type_index, p.distinctive, info.max_width, std::move(re)});
      impl_->identifier_patterns.back().standalone = p.standalone;
      AddExpression(p.regex, flags, {false, static_cast<int>(impl_->identifier_patterns.size()) - 1}, p.where);
    }
    for (const auto& kw : t.context_keywords) {
      Keyword* k = KeywordFor(kw, t.where);
      if (k) k->positive_for.push_back(type_index);
    }
    for (const auto& kw : t.negative_except) {
      Keyword* k = KeywordFor(kw, t.where);
      if (k) k->not_negative_for.push_back(type_index);
    }
    for (const auto& kw : t.not_near) {
      Keyword* k = KeywordFor(kw, t.where);
      if (k) k->low_for.push_back(type_index);
    }
  }

  // The shared keyword entry for `term` (case-insensitive), compiled once.
  Keyword* KeywordFor(const std::string& term, const rules::SourceLocation& where) {
    std::string key = common::AsciiLower(common::Trim(term));
    auto it = keyword_index_.find(key);
    if (it != keyword_index_.end()) return &impl_->keywords[it->second];
    std::string regex = KeywordRegex(common::Trim(term));
    ExpressionInfo info;
    std::string why;
    if (!InspectExpression(regex, HS_FLAG_CASELESS, &info, &why)) {
      Error(where, "keyword '" + term + "' cannot be compiled: " + why);
      return nullptr;
    }
    Keyword k;
    k.text = std::string(common::Trim(term));
    k.min_width = info.min_width;
    impl_->keywords.push_back(std::move(k));
    int index = static_cast<int>(impl_->keywords.size()) - 1;
    keyword_index_.emplace(key, index);
    AddExpression(regex, HS_FLAG_CASELESS, {true, index}, where);
    return &impl_->keywords[index];
  }

  void AddExpression(std::string regex, unsigned flags, ExpressionRef ref, const rules::SourceLocation& where) {
    regexes_.push_back(std::move(regex));
    flags_.push_back(flags);
    impl_->expressions.push_back(ref);
    where_.push_back(where);
  }

  // From the cache when it holds this exact set of expressions, else compiled (and kept).
  void BuildDatabase() {
    const std::string key = DatabaseCache::Key(regexes_, flags_, HS_MODE_STREAM);
    std::string miss;
    if (HsDatabase cached = cache_.Load(key, &miss)) {
      impl_->database = std::move(cached);
      impl_->database_origin = "from the cache";
      return;
    }
    Compile();
    if (!impl_->database) return;
    std::string not_kept = miss.empty() ? "" : cache_.Store(key, impl_->database.get());
    if (miss.empty()) {
      impl_->database_origin = "compiled";  // no cache configured
    } else if (not_kept.empty()) {
      impl_->database_origin = "compiled; kept in the cache (" + miss + ")";
    } else {
      impl_->database_origin = "compiled (cache: " + not_kept + ")";
    }
  }

  void Compile() {
    std::vector<const char*> exprs;
    std::vector<unsigned> ids;
    for (size_t i = 0; i < regexes_.size(); ++i) {
      exprs.push_back(regexes_[i].c_str());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile_multi(exprs.data(), flags_.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                         HS_MODE_STREAM, nullptr, &db, &err) != HS_SUCCESS) {
      std::string why = err ? err->message : "unknown error";
      int index = err ? err->expression : -1;
      if (index >= 0 && static_cast<size_t>(index) < where_.size()) {
        Error(where_[index], "Hyperscan refuses the rule set: " + why);
      } else {
        Error({"(rule set)", 0}, "Hyperscan refuses the rule set: " + why);
      }
      hs_free_compile_error(err);
      return;
    }
    impl_->database.reset(db);
  }

  void Error(const rules::SourceLocation& where, const std::string& reason) {
    errors_.push_back(where.ToString() + ": " + reason);
  }

  Status Fail() {
    std::string msg;
    for (const auto& e : errors_) msg += e + "\n";
    msg.pop_back();
    return InvalidArgument(msg);
  }

  std::unique_ptr<CompiledRulesImpl> impl_;
  DatabaseCache cache_;
  std::vector<std::string> regexes_;
  std::vector<unsigned> flags_;
  std::vector<rules::SourceLocation> where_;
  std::map<std::string, int> keyword_index_;
  std::vector<std::string> errors_;
};

}  // namespace

Result<std::shared_ptr<const CompiledRules>> CompileRules(rules::RuleSet rules, ExactDataSet exact_data,
                                                          const CompileOptions& options) {
  auto impl = std::make_unique<CompiledRulesImpl>();
  impl->rules = std::move(rules);
  impl->exact_data = std::move(exact_data);
  return Compiler(std::move(impl), options).Run();
}

}  // namespace sendguard::scanner
