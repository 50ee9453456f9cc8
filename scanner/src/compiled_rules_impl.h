// SPDX-License-Identifier: Apache-2.0
// Internal layout of CompiledRules, shared by the compiler, the streaming scan and the
// confirm stage. Not installed; nothing outside scanner/src includes it.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <string>
#include <vector>

#include "hs_handles.h"
#include "sendguard/rules/rule_set.h"
#include "sendguard/scanner/exact_data.h"
#include "sendguard/scanner/validators.h"

namespace sendguard::scanner {

// An identifier pattern: Hyperscan finds its end offsets, RE2 re-finds the exact span.
struct IdentifierPattern {
  int type = 0;               // index into CompiledRulesImpl::types
  bool distinctive = false;
  unsigned max_width = 0;     // from hs_expression_info; bounded by construction
  std::unique_ptr<RE2> at_end;  // the pattern anchored at the end of the window (\z)
  bool standalone = false;    // reported at medium without context, even when context is required
};

// A keyword expression: a context word, a negative word and/or a dictionary term.
struct Keyword {
  std::string text;                 // as written in the first rule that named it
  unsigned min_width = 0;           // to estimate where a hit starts
  std::vector<int> positive_for;    // type indices this word is context for
  bool negative = false;            // a word naming another kind of number
  std::vector<int> not_negative_for;  // type indices it never lowers (context.negative_except)
  std::vector<int> low_for;         // type indices it makes low when near (context.not_near)
  std::vector<int> dictionaries;    // dictionary indices holding it as a term
};

struct CompiledType {
  const rules::InfoType* def = nullptr;
  ValidatorFn validator = nullptr;
  // Decided once per rule set, for the confirm stage (confirm_inl.h):
  bool has_exact_data = false;   // exact_data holds hashes for this type
  bool needs_context = false;    // without exact data, reported only near its own keyword or
                                 // from a standalone pattern (context.required) or never
                                 // (exact_match_only)
};

// Hyperscan expression id -> what it is.
struct ExpressionRef {
  bool is_keyword = false;
  int index = 0;  // into identifier_patterns or keywords
};

class CompiledRulesImpl {
 public:
  rules::RuleSet rules;  // owns the definitions CompiledType points into
  ExactDataSet exact_data;
  std::vector<CompiledType> types;
  std::vector<IdentifierPattern> identifier_patterns;
  std::vector<Keyword> keywords;
  std::vector<ExpressionRef> expressions;  // by Hyperscan id
  int health_dictionary = -1;              // index of the "health" dictionary, if any
  HsDatabase database;
  std::string database_origin;  // see CompiledRules::database_origin
};

}  // namespace sendguard::scanner
