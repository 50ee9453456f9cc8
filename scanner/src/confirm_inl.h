// SPDX-License-Identifier: Apache-2.0
// Template body of Confirm (see confirm.h): candidate extraction with RE2 in a bounded
// window, validation, overlap resolution, context and confidence.
#pragma once

#include <algorithm>
#include <climits>
#include <map>

namespace sendguard::scanner {

namespace confirm_detail {

inline bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Distance between a keyword hit and a value span (0 when they overlap).
inline uint64_t Distance(const KeywordHit& k, uint64_t from, uint64_t to) {
  if (k.end <= from) return from - k.end;
  if (k.start >= to) return k.start - to;
  return 0;
}

// True when no line break separates a keyword hit from a value span.
inline bool SameLine(std::string_view text, const KeywordHit& k, uint64_t from, uint64_t to) {
  uint64_t lo = std::min(k.end, from), hi = std::max(k.start, to);
  return hi <= lo || text.substr(lo, hi - lo).find('\n') == std::string_view::npos;
}

// Distance to the nearest keyword in the header cells `cells` positive for `type`, or UINT64_MAX.
inline uint64_t HeaderKeyword(const CompiledRulesImpl& rules, const std::vector<KeywordHit>& keywords,
                              std::pair<uint64_t, uint64_t> cells, int type, uint64_t value_from) {
  if (cells.second <= cells.first) return UINT64_MAX;
  auto it = std::lower_bound(keywords.begin(), keywords.end(), cells.first,
                             [](const KeywordHit& k, uint64_t v) { return k.end < v; });
  for (; it != keywords.end() && it->end <= cells.second; ++it) {
    if (it->start < cells.first) continue;
    const auto& pos = rules.keywords[it->keyword].positive_for;
    if (std::find(pos.begin(), pos.end(), type) != pos.end()) return value_from - it->end;
  }
  return UINT64_MAX;
}

// True when a word that makes the candidate's type low (context.not_near) lies within
// `window` bytes of it, on any line. `keywords` is sorted by end.
inline bool NearAny(const CompiledRulesImpl& rules, const std::vector<KeywordHit>& keywords, const Candidate& c,
                    uint64_t window) {
  const uint64_t scan_from = c.from > window ? c.from - window : 0;
  auto it = std::lower_bound(keywords.begin(), keywords.end(), scan_from,
                             [](const KeywordHit& k, uint64_t v) { return k.end < v; });
  for (; it != keywords.end() && it->start <= c.to + window; ++it) {
    const auto& low = rules.keywords[it->keyword].low_for;
    if (Distance(*it, c.from, c.to) <= window && std::find(low.begin(), low.end(), c.type) != low.end()) return true;
  }
  return false;
}

}  // namespace confirm_detail

// Where spans of different types overlap ("083 016 6130" as an NHS number and a phone
// number), the more confident reading wins; at equal confidence the reading whose own
// keyword is nearer wins; otherwise both stay.
inline void ResolveCrossTypeOverlaps(std::vector<ConfirmedValue>& values) {
  std::sort(values.begin(), values.end(), [](const ConfirmedValue& a, const ConfirmedValue& b) {
    return a.from != b.from ? a.from < b.from : a.to > b.to;
  });
  std::vector<bool> drop(values.size(), false);
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = i + 1; j < values.size() && values[j].from < values[i].to; ++j) {
      const ConfirmedValue& a = values[i];
      const ConfirmedValue& b = values[j];
      if (a.type == b.type) continue;
      if (a.confidence != b.confidence) {
        drop[a.confidence < b.confidence ? i : j] = true;
      } else if (a.context_distance != b.context_distance) {
        drop[a.context_distance > b.context_distance ? i : j] = true;
      }
    }
  }
  size_t w = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (drop[i]) continue;
    if (w != i) values[w] = std::move(values[i]);
    ++w;
  }
  values.resize(w);
}

template <typename ExactFn>
ConfirmOutput Confirm(const CompiledRulesImpl& rules, std::string_view text, std::vector<RawHit>& hits,
                      ExactFn&& in_exact_data, ConfirmScratch& scratch) {
  using confirm_detail::Candidate;
  ConfirmOutput out;
  out.values = std::move(scratch.spare.values);
  out.keywords = std::move(scratch.spare.keywords);
  out.values.clear();
  out.keywords.clear();
  auto hit_order = [](const RawHit& a, const RawHit& b) { return a.to != b.to ? a.to < b.to : a.id < b.id; };
  // Hyperscan mostly reports in end order already.
  if (!std::is_sorted(hits.begin(), hits.end(), hit_order)) std::sort(hits.begin(), hits.end(), hit_order);
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const RawHit& a, const RawHit& b) { return a.to == b.to && a.id == b.id; }),
             hits.end());
  // Which types can have a value reported from this part at all. A type that needs context
  // (context.required or exact_match_only, without exact data) and has neither a keyword
  // positive for it anywhere in the part nor a hit of a standalone pattern loses every
  // candidate at the end; its candidates touch nothing of other types (overlaps within a
  // type, columns of a type), so its hits are dropped before RE2 and the validator.
  std::vector<uint8_t>& live = scratch.live;
  live.assign(rules.types.size(), 0);
  for (size_t t = 0; t < rules.types.size(); ++t) live[t] = !rules.types[t].needs_context;
  for (const RawHit& h : hits) {
    const ExpressionRef& ref = rules.expressions[h.id];
    if (ref.is_keyword) {
      const Keyword& k = rules.keywords[ref.index];
      out.keywords.push_back({ref.index, h.to >= k.min_width ? h.to - k.min_width : 0, h.to});
      for (int t : k.positive_for) live[t] = 1;
    } else if (rules.identifier_patterns[ref.index].standalone) {
      live[rules.identifier_patterns[ref.index].type] = 1;
    }
  }
  for (size_t t = 0; t < rules.types.size(); ++t) {
    if (rules.types[t].needs_context && rules.types[t].def->exact_match_only) live[t] = 0;
  }
  std::vector<Candidate>& candidates = scratch.candidates;
  candidates.clear();
  for (const RawHit& h : hits) {
    const ExpressionRef& ref = rules.expressions[h.id];
    if (ref.is_keyword) continue;
    if (h.to < text.size() && confirm_detail::IsAlnum(text[h.to])) continue;
    const IdentifierPattern& p = rules.identifier_patterns[ref.index];
    if (!live[p.type] || GluedOnTheRight(text, h.to)) continue;
    uint64_t lo = h.to > p.max_width ? h.to - p.max_width : 0;
    re2::StringPiece window(text.data() + lo, h.to - lo);
    re2::StringPiece found;
    if (!p.at_end->Match(window, 0, window.size(), RE2::UNANCHORED, &found, 1)) continue;
    std::string_view match(found.data(), found.size());
    uint64_t from = lo + static_cast<uint64_t>(found.data() - window.data());
    if (from > 0 && confirm_detail::IsAlnum(text[from - 1])) continue;
    if (EmbeddedInLongerToken(text, from, h.to) || ExtendsDigitGroups(text, from, h.to)) continue;
    const CompiledType& type = rules.types[p.type];
    auto normalized = type.validator(match);
    if (!normalized) continue;
    candidates.push_back({p.type, p.distinctive, p.standalone, from, h.to, std::move(*normalized)});
  }
  // Overlaps within a type: where one span holds the other keep the longer (an IBAN over its
  // own prefix); where they only share a part keep the tighter, on fewer lines, then shorter
  // ("308310,25774456" over "25774456,J SMITH,123456": an account paired with the amount
  // after it).
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.type != b.type) return a.type < b.type;
    if (a.from != b.from) return a.from < b.from;
    return a.to > b.to;
  });
  std::vector<Candidate>& kept = scratch.kept;
  kept.clear();
  for (auto& c : candidates) {
    if (!kept.empty() && kept.back().type == c.type && c.from < kept.back().to) {
      // Sorted by start, then longest first: c lies inside the kept span unless it ends later.
      if (c.to > kept.back().to) {
        // The tighter pairing: fewer line breaks inside, then the shorter span.
        auto breaks = [&text](const Candidate& x) { return std::count(text.begin() + x.from, text.begin() + x.to, '\n'); };
        auto a = breaks(c), b = breaks(kept.back());
        if (a < b || (a == b && c.to - c.from < kept.back().to - kept.back().from)) kept.back() = std::move(c);
        continue;
      }
      kept.back().distinctive = kept.back().distinctive || c.distinctive;
      kept.back().standalone = kept.back().standalone || c.standalone;
      continue;
    }
    kept.push_back(std::move(c));
  }
  // A column or list: three or more distinct values of a type each alone in its cell.
  std::vector<uint8_t>& in_cell = scratch.in_cell;
  std::vector<std::pair<int, std::string_view>>& alone = scratch.alone;
  std::vector<uint8_t>& is_column = scratch.is_column;
  in_cell.assign(kept.size(), 0);
  alone.clear();
  for (size_t i = 0; i < kept.size(); ++i) {
    in_cell[i] = StandsAloneInCell(text, kept[i].from, kept[i].to);
    if (in_cell[i]) alone.emplace_back(kept[i].type, kept[i].normalized);
  }
  is_column.assign(rules.types.size(), 0);
  if (!alone.empty()) {
    std::sort(alone.begin(), alone.end());
    alone.erase(std::unique(alone.begin(), alone.end()), alone.end());
    for (size_t i = 0, j = 0; i < alone.size(); i = j) {
      while (j < alone.size() && alone[j].first == alone[i].first) ++j;
      is_column[alone[i].first] = j - i >= 3;
    }
  }
  std::sort(out.keywords.begin(), out.keywords.end(),
            [](const KeywordHit& a, const KeywordHit& b) { return a.end < b.end; });
  TableHeaders& headers = scratch.headers;
  headers.Reset(text);
  out.values.reserve(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    Candidate& c = kept[i];
    const CompiledType& type = rules.types[c.type];
    const rules::InfoType& def = *type.def;
    uint64_t window = static_cast<uint64_t>(def.context_window);
    uint64_t pos = UINT64_MAX, neg = UINT64_MAX;
    uint64_t scan_from = c.from > window ? c.from - window : 0;
    auto first = std::lower_bound(out.keywords.begin(), out.keywords.end(), scan_from,
                                  [](const KeywordHit& k, uint64_t v) { return k.end < v; });
    for (auto it = first; it != out.keywords.end() && it->start <= c.to + window; ++it) {
      uint64_t d = confirm_detail::Distance(*it, c.from, c.to);
      if (d > window) continue;
      const Keyword& k = rules.keywords[it->keyword];
      if (std::find(k.positive_for.begin(), k.positive_for.end(), c.type) != k.positive_for.end()) {
        pos = std::min(pos, d);
      } else if (k.negative && def.negative_context && d <= static_cast<uint64_t>(rules.rules.negative_window) &&
                 std::find(k.not_negative_for.begin(), k.not_negative_for.end(), c.type) == k.not_negative_for.end() &&
                 confirm_detail::SameLine(text, *it, c.from, c.to)) {
        neg = std::min(neg, d);
      }
    }
    // A cell far below its column's header ("Sort Code", "NHS number") is tied to it.
    if (pos == UINT64_MAX && in_cell[i]) {
      pos = confirm_detail::HeaderKeyword(rules, out.keywords, headers.HeaderCells(c.from, c.to), c.type, c.from);
    }
    bool exact = false;
    if (type.has_exact_data) exact = in_exact_data(def.id, c.normalized);
    if (def.exact_match_only && !exact) continue;
    if (def.context_required && pos == UINT64_MAX && !exact && !c.standalone) continue;
    rules::Confidence level = rules::Confidence::kLow;
    if (exact || pos != UINT64_MAX) {
      level = rules::Confidence::kHigh;
    } else if ((c.distinctive && def.layout_gives_medium) || c.standalone || (in_cell[i] && is_column[c.type])) {
      level = rules::Confidence::kMedium;
    }
    if (!exact && neg < pos && level != rules::Confidence::kLow) {
      level = static_cast<rules::Confidence>(static_cast<int>(level) - 1);
    }
    for (const auto& prefix : def.test_prefixes) {
      if (!exact && c.normalized.rfind(prefix, 0) == 0) level = rules::Confidence::kLow;
    }
    if (!exact && !def.not_near.empty() && level != rules::Confidence::kLow &&
        confirm_detail::NearAny(rules, out.keywords, c, static_cast<uint64_t>(def.not_near_window))) {
      level = rules::Confidence::kLow;
    }
    ConfirmedValue v;
    v.type = c.type;
    v.from = c.from;
    v.to = c.to;
    v.masked = MaskValue(def.mask_normalized ? std::string_view(c.normalized) : text.substr(c.from, c.to - c.from),
                         def.mask_clear);
    v.normalized = std::move(c.normalized);
    v.confidence = level;
    v.exact_match = exact;
    v.context_distance = pos;
    out.values.push_back(std::move(v));
  }
  kept.clear();
  ResolveCrossTypeOverlaps(out.values);
  return out;
}

}  // namespace sendguard::scanner
