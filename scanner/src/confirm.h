// SPDX-License-Identifier: Apache-2.0
// The confirm stage: turns raw Hyperscan hits of one text part into validated values
// with a confidence, and keyword hits with positions. Runs after the scan returns.
#pragma once

#include <cstdint>
#include <climits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "compiled_rules_impl.h"
#include "table_context.h"
#include "sendguard/rules/rule_set.h"

namespace sendguard::scanner {

// One raw engine hit: expression id and end offset within the part's text.
struct RawHit {
  unsigned id;
  uint64_t to;
};

// A value that passed validation in one part.
struct ConfirmedValue {
  int type = 0;
  uint64_t from = 0, to = 0;
  std::string normalized;  // clear: never leaves the scanner
  std::string masked;
  rules::Confidence confidence = rules::Confidence::kLow;
  bool exact_match = false;
  uint64_t context_distance = UINT64_MAX;  // to the nearest own keyword; UINT64_MAX when none
};

// One keyword occurrence (context, negative or dictionary word).
struct KeywordHit {
  int keyword = 0;
  uint64_t start = 0, end = 0;
};

struct ConfirmOutput {
  std::vector<ConfirmedValue> values;
  std::vector<KeywordHit> keywords;  // sorted by end
};

namespace confirm_detail {
// A span RE2 found and the validator accepted, before overlaps and context.
struct Candidate {
  int type;
  bool distinctive;
  bool standalone;
  uint64_t from, to;
  std::string normalized;
};
}  // namespace confirm_detail

// Working memory of the confirm stage, kept by the caller from one part to the next so
// that a part costs no allocation beyond what it reports. Holds nothing between calls.
struct ConfirmScratch {
  std::vector<confirm_detail::Candidate> candidates;
  std::vector<confirm_detail::Candidate> kept;
  std::vector<uint8_t> live;       // by type: may a candidate of it be reported in this part
  std::vector<uint8_t> is_column;  // by type: three or more distinct values alone in cells
  std::vector<uint8_t> in_cell;    // by kept candidate
  std::vector<std::pair<int, std::string_view>> alone;  // (type, normalised) alone in a cell
  ConfirmOutput spare;  // the last output's vectors, emptied, for the next part to fill
  TableHeaders headers;  // reset to each part's text

  // Takes back an output the caller is done with, keeping its vectors' memory.
  void Recycle(ConfirmOutput& out) {
    spare.values = std::move(out.values);
    spare.keywords = std::move(out.keywords);
    spare.values.clear();
    spare.keywords.clear();
  }
};

// Confirms `hits` against `text`. `in_exact_data(type_id, normalised)` says whether a value is
// in the exact-data set (called only for types that have exact data).
template <typename ExactFn>
ConfirmOutput Confirm(const CompiledRulesImpl& rules, std::string_view text, std::vector<RawHit>& hits,
                      ExactFn&& in_exact_data, ConfirmScratch& scratch);

// True when text[from, to) is glued into a longer token (URL, path, hex, longer run).
bool EmbeddedInLongerToken(std::string_view text, uint64_t from, uint64_t to);

// The part of EmbeddedInLongerToken that looks only right of `to` (a joiner and an
// alphanumeric, or a slash): true there means true for any `from`, so the confirm stage
// asks it before RE2 looks for the start.
bool GluedOnTheRight(std::string_view text, uint64_t to);

// True when text[from, to) is a run of digit groups ("6008 2740 8795 6058") that goes on
// with another group of the same kind: a part of a longer identifier ("DE98 6008 ... 30").
bool ExtendsDigitGroups(std::string_view text, uint64_t from, uint64_t to);

// True when text[from, to) stands alone in its cell or line (CSV/TSV cell, list line).
bool StandsAloneInCell(std::string_view text, uint64_t from, uint64_t to);

}  // namespace sendguard::scanner

#include "confirm_inl.h"
