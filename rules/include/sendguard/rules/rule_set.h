// SPDX-License-Identifier: Apache-2.0
// The rule model: information types, keyword dictionaries and shared context words,
// as loaded from YAML. Plain data: no Hyperscan, no MIME. Compiled by the scanner.
#pragma once

#include <string>
#include <vector>

namespace sendguard::rules {

// Where a rule item was written, for `file:line` diagnostics.
struct SourceLocation {
  std::string file;
  int line = 0;  // 1-based; 0 when unknown
  std::string ToString() const { return file + ":" + std::to_string(line); }
};

// How sure a finding is (see spec/infotypes.md, "Confidence model").
enum class Confidence { kLow = 0, kMedium = 1, kHigh = 2 };
const char* ConfidenceName(Confidence c);
// Parses "low" | "medium" | "high"; false when unknown.
bool ParseConfidence(const std::string& s, Confidence* out);

// One regular expression that finds candidates of a type.
struct Pattern {
  std::string regex;         // Hyperscan/RE2 common subset; must have a bounded width
  bool distinctive = false;  // the type's distinctive layout (3-3-4 NHS, 4-4-4-4 card ...)
  bool standalone = false;   // carries its own check digits: medium without context, even when required
  SourceLocation where;
};

// An inline example that `sendguard rules test` scans.
struct Example {
  std::string text;
  SourceLocation where;
};

// One information type (uk.nhs_number, pci.card, a council's case reference ...).
struct InfoType {
  std::string id;                  // stable, e.g. "uk.nhs_number"
  std::string name;                // for people, e.g. "NHS number" (used in explanations)
  std::string description;
  bool enabled = true;
  std::string category;            // breach-form DataCategory enumerator, e.g. BASIC_IDENTIFIERS
  std::string category_with_health;// category when the message also carries health terms
  std::vector<std::string> subjects;  // breach-form SubjectCategory enumerators implied
  std::vector<Pattern> patterns;
  bool caseless = false;           // patterns match regardless of letter case
  std::string validator = "none";  // a name from the scanner's validator registry
  std::vector<std::string> context_keywords;  // positive context, whole-word, caseless
  int context_window = 300;        // characters either side of the value
  bool context_required = false;   // no context (and no exact match): not reported at all
  bool layout_gives_medium = true; // a distinctive layout alone earns medium
  bool negative_context = true;    // shared negative words may lower the confidence
  std::vector<std::string> negative_except;  // shared negative words that never lower this type
  // Words that make this type low when within not_near_window characters either side, on any
  // line (a passcode under "Meeting ID" is the meeting's, meant for the people invited).
  std::vector<std::string> not_near;
  int not_near_window = 300;
  std::vector<std::string> test_prefixes;  // normalised values starting so are reported low
  bool exact_match_only = false;   // report only values in the exact-data set
  int mask_clear = 4;              // characters left clear at the end of the masked value
  bool mask_normalized = false;    // mask the normalised form ("******:****5678"), not the text as written
  std::vector<Example> must_match;
  std::vector<Example> must_not_match;
  SourceLocation where;            // the file and the line of `id:`
  SourceLocation validator_where;
};

// One keyword term of a dictionary.
struct Term {
  std::string text;  // as written; matched whole-word and caseless, any white space between words
  SourceLocation where;
};

// A keyword dictionary (health, children_safeguarding ...). A hit is a signal, not an identifier.
struct Dictionary {
  std::string id;
  std::string name;
  std::string category;               // breach-form DataCategory enumerator
  std::vector<std::string> subjects;  // SubjectCategory enumerators, e.g. CHILDREN
  std::vector<Term> terms;
  SourceLocation where;
};

// Everything the scanner compiles. Immutable once loaded; copy freely.
struct RuleSet {
  std::vector<InfoType> types;
  std::vector<Dictionary> dictionaries;
  std::vector<Term> negative_keywords;  // words naming another kind of number (phone, order ...)
  int negative_window = 40;             // how near (bytes) a negative word must be to count
  std::string version;                  // short digest of every file read, for logs and the admin page
  std::vector<std::string> files;       // every file read, in load order
};

}  // namespace sendguard::rules
