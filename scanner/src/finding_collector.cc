// SPDX-License-Identifier: Apache-2.0
// Aggregation of confirmed values into findings (see finding_collector.h).
#include "finding_collector.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <tuple>

#include "sendguard/common/text.h"

namespace sendguard::scanner {

void FindingCollector::Clear() {
  values_.clear();
  // Filling the slots costs their number: after a message of many values, start small again.
  if (value_slots_.size() > 4096) {
    value_slots_ = {};
  } else {
    std::fill(value_slots_.begin(), value_slots_.end(), 0u);
  }
  parts_.clear();
  pending_.clear();
  terms_.clear();
  part_findings_.clear();
}

FindingCollector::ValueEntry& FindingCollector::FindOrAdd(int type, std::string&& normalized, bool* fresh) {
  if (2 * (values_.size() + 1) > value_slots_.size()) {
    // Grow to keep the table at most half full, and place every entry again.
    value_slots_.assign(std::max<size_t>(64, 2 * value_slots_.size()), 0u);
    const size_t mask = value_slots_.size() - 1;
    for (size_t e = 0; e < values_.size(); ++e) {
      size_t i = values_[e].hash_code & mask;
      while (value_slots_[i] != 0) i = (i + 1) & mask;
      value_slots_[i] = static_cast<uint32_t>(e + 1);
    }
  }
  const size_t code = std::hash<std::string_view>{}(normalized) ^ (static_cast<size_t>(type) * 0x9E3779B97F4A7C15ull);
  const size_t mask = value_slots_.size() - 1;
  size_t i = code & mask;
  for (; value_slots_[i] != 0; i = (i + 1) & mask) {
    ValueEntry& e = values_[value_slots_[i] - 1];
    if (e.hash_code == code && e.type == type && e.normalized == normalized) {
      *fresh = false;
      return e;
    }
  }
  values_.push_back({type, std::move(normalized), code, {}});
  value_slots_[i] = static_cast<uint32_t>(values_.size());
  *fresh = true;
  return values_.back();
}

void FindingCollector::Add(const std::string& part, ConfirmOutput& confirmed) {
  if (!confirmed.values.empty()) parts_.push_back(part);
  for (ConfirmedValue& v : confirmed.values) {
    bool fresh = false;
    ValueEntry& entry = FindOrAdd(v.type, std::move(v.normalized), &fresh);
    ValueState& s = entry.state;
    if (fresh) s.hash = hasher_.Hex(entry.normalized);
    s.best = std::max(s.best, v.confidence);
    s.exact = s.exact || v.exact_match;
    ++s.occurrences;
    if (s.locations < options_.max_locations_per_finding) {
      auto index = static_cast<uint32_t>(pending_.size());
      pending_.push_back({static_cast<uint32_t>(parts_.size() - 1), kNone, v.from, std::move(v.masked)});
      (s.last == kNone ? s.first : pending_[s.last].next) = index;
      s.last = index;
      ++s.locations;
    }
  }
  for (const KeywordHit& k : confirmed.keywords) {
    for (int dict : rules_.keywords[k.keyword].dictionaries) {
      auto [it, fresh] = terms_.try_emplace({dict, k.keyword});
      TermState& s = it->second;
      const std::string& term = rules_.keywords[k.keyword].text;
      if (fresh) {
        // A term is rule data: its hash is computed once for the life of the collector.
        if (term_hashes_.empty()) term_hashes_.resize(rules_.keywords.size());
        std::string& hash = term_hashes_[k.keyword];
        if (hash.empty()) hash = hasher_.Hex(common::AsciiLower(term));
        s.hash = hash;
      }
      if (s.locations.size() < options_.max_locations_per_finding) s.locations.push_back({part, k.start, term, s.hash});
    }
  }
}

namespace {

std::string PartFindingName(const std::string& type) {
  if (type == "encrypted_attachment") return "encrypted attachment";
  if (type == "type_mismatch") return "attachment whose content is not what its name says";
  if (type == "unscanned_image") return "image not scanned";
  if (type == "scan_incomplete") return "part of the message not scanned";
  return type;
}
}  // namespace

// The same comparisons on the same keys give std::sort's permutation, equal keys included;
// only small keys move during the sort, then each Location once.
void FindingCollector::SortLocations(std::vector<Location>& locations, std::vector<SortKey>& keys) {
  constexpr size_t kMoved = SIZE_MAX;
  auto less = [](const Location& a, const Location& b) { return std::tie(a.part, a.offset) < std::tie(b.part, b.offset); };
  if (std::adjacent_find(locations.begin(), locations.end(),
                         [&less](const Location& a, const Location& b) { return !less(a, b); }) == locations.end()) {
    return;  // strictly increasing: no equal keys, so std::sort would leave it as it is
  }
  keys.clear();
  for (size_t i = 0; i < locations.size(); ++i) keys.push_back({&locations[i].part, locations[i].offset, i});
  std::sort(keys.begin(), keys.end(),
            [](const SortKey& a, const SortKey& b) { return std::tie(*a.part, a.offset) < std::tie(*b.part, b.offset); });
  // Apply the permutation in place, one cycle at a time.
  for (size_t start = 0; start < keys.size(); ++start) {
    if (keys[start].index == kMoved || keys[start].index == start) continue;
    Location held = std::move(locations[start]);
    for (size_t j = start;;) {
      size_t from = keys[j].index;
      keys[j].index = kMoved;
      if (from == start) {
        locations[j] = std::move(held);
        break;
      }
      locations[j] = std::move(locations[from]);
      j = from;
    }
  }
}

void FindingCollector::BuildInto(ScanResult& result) {
  bool health = false;
  for (const auto& [key, s] : terms_) health = health || key.first == rules_.health_dictionary;
  // Identifiers: one finding per (type, confidence, exact match), in that key's order.
  using GroupKey = std::tuple<int, int, bool>;
  auto key_of = [](int type, const ValueState& s) { return GroupKey{type, -static_cast<int>(s.best), s.exact}; };
  std::vector<std::pair<GroupKey, size_t>>& groups = group_scratch_;  // key, locations it will hold
  groups.clear();
  // The values in (type, normalised) order, as the map they were once kept in gave them.
  value_order_.resize(values_.size());
  for (size_t i = 0; i < values_.size(); ++i) value_order_[i] = static_cast<uint32_t>(i);
  std::sort(value_order_.begin(), value_order_.end(), [this](uint32_t a, uint32_t b) {
    const ValueEntry& x = values_[a];
    const ValueEntry& y = values_[b];
    return x.type != y.type ? x.type < y.type : x.normalized < y.normalized;
  });
  for (uint32_t index : value_order_) {
    const ValueEntry& e = values_[index];
    const ValueState& s = e.state;
    GroupKey g = key_of(e.type, s);
    auto it = std::find_if(groups.begin(), groups.end(), [&g](const auto& group) { return group.first == g; });
    if (it == groups.end()) it = groups.insert(groups.end(), {g, 0});
    it->second += s.locations;
  }
  std::sort(groups.begin(), groups.end());
  const size_t base = result.findings.size();
  result.findings.resize(base + groups.size());
  for (size_t i = 0; i < groups.size(); ++i) {
    result.findings[base + i].locations.reserve(std::min<size_t>(groups[i].second, options_.max_locations_per_finding));
  }
  for (uint32_t index : value_order_) {
    ValueEntry& e = values_[index];
    ValueState& s = e.state;
    const rules::InfoType& def = *rules_.types[e.type].def;
    auto g = std::lower_bound(groups.begin(), groups.end(), key_of(e.type, s),
                              [](const auto& group, const GroupKey& k) { return group.first < k; });
    Finding& f = result.findings[base + static_cast<size_t>(g - groups.begin())];
    if (f.count == 0) {
      f.type = def.id;
      f.kind = "identifier";
      f.name = def.name;
      f.category = (health && !def.category_with_health.empty()) ? def.category_with_health : def.category;
      f.subjects = def.subjects;
      f.confidence = s.best;
      f.exact_match = s.exact;
    }
    ++f.count;
    for (uint32_t i = s.first; i != kNone && f.locations.size() < options_.max_locations_per_finding;
         i = pending_[i].next) {
      PendingLocation& p = pending_[i];
      // The value's last location takes its hash; the others copy it.
      f.locations.push_back({parts_[p.part], p.offset, std::move(p.masked),
                             p.next == kNone ? std::move(s.hash) : s.hash});
    }
  }
  // Keywords: one finding per dictionary, counting distinct terms.
  std::map<int, Finding> dicts;
  for (auto& [key, s] : terms_) {
    const rules::Dictionary& d = rules_.rules.dictionaries[key.first];
    Finding& f = dicts[key.first];
    if (f.count == 0) {
      f.type = "dict." + d.id;
      f.kind = "keyword";
      f.name = d.name;
      f.category = d.category;
      f.subjects = d.subjects;
      f.confidence = rules::Confidence::kMedium;
    }
    ++f.count;
    for (auto& loc : s.locations) {
      if (f.locations.size() >= options_.max_locations_per_finding) break;
      f.locations.push_back(std::move(loc));
    }
  }
  for (auto& [key, f] : dicts) result.findings.push_back(std::move(f));
  // Findings about parts themselves, and one scan_incomplete naming every bound and part.
  std::vector<PartFinding> parts = std::move(part_findings_);
  for (const auto& inc : result.incomplete) parts.push_back({"scan_incomplete", inc.part, inc.bound + ": " + inc.detail});
  std::map<std::string, Finding> by_type;
  for (const auto& p : parts) {
    Finding& f = by_type[p.type];
    if (f.type.empty()) {
      f.type = p.type;
      f.kind = p.type == "scan_incomplete" ? "scan" : "attachment";
      f.name = PartFindingName(p.type);
      f.confidence = rules::Confidence::kHigh;
    }
    ++f.count;
    if (f.locations.size() < options_.max_locations_per_finding) {
      f.locations.push_back({p.part, 0, p.detail, hasher_.Hex(p.type + ":" + p.part)});
    }
  }
  for (auto& [type, f] : by_type) result.findings.push_back(std::move(f));
  for (auto& f : result.findings) SortLocations(f.locations, sort_keys_);
  auto before = [](const Finding& a, const Finding& b) {
    if (a.type != b.type) return a.type < b.type;
    return a.confidence > b.confidence;
  };
  // Stable either way; a message has a handful of findings, which insertion sorts in place
  // where stable_sort would first allocate a buffer.
  auto& fs = result.findings;
  if (fs.size() > 16) {
    std::stable_sort(fs.begin(), fs.end(), before);
  } else {
    for (size_t i = 1; i < fs.size(); ++i) {
      if (!before(fs[i], fs[i - 1])) continue;
      Finding moving = std::move(fs[i]);
      size_t j = i;
      for (; j > 0 && before(moving, fs[j - 1]); --j) fs[j] = std::move(fs[j - 1]);
      fs[j] = std::move(moving);
    }
  }
}


}  // namespace sendguard::scanner
