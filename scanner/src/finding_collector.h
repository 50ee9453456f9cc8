// SPDX-License-Identifier: Apache-2.0
// Aggregates confirmed values and keyword hits of every part of one message into
// findings: distinct values counted by normalised form, masked locations, keyed hashes.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "compiled_rules_impl.h"
#include "confirm.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/finding.h"
#include "sendguard/scanner/scan_options.h"
#include "walk_sink.h"

namespace sendguard::scanner {

// One message's worth of state at a time; not thread-safe. Clear() starts the next message
// and keeps the memory of the last (and the dictionary terms' hashes, which are rule data).
class FindingCollector {
 public:
  FindingCollector(const CompiledRulesImpl& rules, const common::KeyedHasher& hasher, const ScanOptions& options)
      : rules_(rules), hasher_(hasher), options_(options) {}

  // Forgets the previous message.
  void Clear();
  // Adds what the confirm stage found in `part`, taking the values' strings (the vectors
  // stay with the caller, to be reused).
  void Add(const std::string& part, ConfirmOutput& confirmed);
  // Adds a finding about a part itself (encrypted, type mismatch, image not scanned).
  void AddPartFinding(const PartFinding& finding) { part_findings_.push_back(finding); }
  // Builds the findings into `result` (ordered by type, then confidence, high first),
  // including one scan_incomplete finding listing every bound hit.
  void BuildInto(ScanResult& result);

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  // A value's location until BuildInto makes it a Location; a value's locations are
  // chained in the order they came.
  struct PendingLocation {
    uint32_t part = 0;     // index into parts_
    uint32_t next = kNone;  // the same value's next location
    uint64_t offset = 0;
    std::string masked;
  };
  struct ValueState {
    std::string hash;
    rules::Confidence best = rules::Confidence::kLow;
    bool exact = false;
    uint64_t occurrences = 0;
    uint32_t locations = 0;  // held, at most max_locations_per_finding
    uint32_t first = kNone, last = kNone;  // into pending_
  };
  struct TermState {
    std::string hash;  // keyed hash of the lower-cased term, computed once
    std::vector<Location> locations;
  };
  const CompiledRulesImpl& rules_;
  const common::KeyedHasher& hasher_;
  const ScanOptions& options_;
  struct ValueEntry {
    int type = 0;
    std::string normalized;
    size_t hash_code = 0;  // of (type, normalized), for value_slots_
    ValueState state;
  };
  // The entry of (type, normalized), made if new (`*fresh` says which).
  ValueEntry& FindOrAdd(int type, std::string&& normalized, bool* fresh);
  // Distinct values in arrival order; BuildInto visits them in (type, normalised) order.
  std::vector<ValueEntry> values_;
  // Open addressing over values_: index + 1, or 0 for an empty slot; a power of two in size.
  std::vector<uint32_t> value_slots_;
  std::vector<uint32_t> value_order_;  // BuildInto's working memory
  std::vector<std::string> parts_;                            // names of the parts values came from
  std::vector<PendingLocation> pending_;
  std::map<std::pair<int, int>, TermState> terms_;            // (dictionary, keyword) -> state
  std::vector<PartFinding> part_findings_;
  std::vector<std::string> term_hashes_;  // by keyword: keyed hash of the lower-cased term (kept)
  struct SortKey {
    const std::string* part;
    uint64_t offset;
    size_t index;  // the Location that goes here; SIZE_MAX once it has
  };
  // Sorts by (part, offset) in the permutation std::sort gives on the Locations themselves.
  static void SortLocations(std::vector<Location>& locations, std::vector<SortKey>& keys);
  std::vector<SortKey> sort_keys_;  // BuildInto's working memory
  std::vector<std::pair<std::tuple<int, int, bool>, size_t>> group_scratch_;  // BuildInto's too
};

}  // namespace sendguard::scanner
