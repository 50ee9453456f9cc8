// SPDX-License-Identifier: Apache-2.0
// Text as the patterns expect it, made once before the Hyperscan scan: invisible format
// characters dropped, Unicode decimal digits, spaces, dashes and full-width ASCII folded to
// ASCII, with a map from normalised offsets back to the original ones. No matching here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sendguard::scanner {

// Normalised offset -> original offset. Empty when the two texts are the same.
class OffsetMap {
 public:
  void Clear() { points_.clear(); }
  bool empty() const { return points_.empty(); }
  // From normalised offset `norm` on, offsets run on from original offset `orig`.
  void Add(uint64_t norm, uint64_t orig) {
    if (points_.empty() ? norm == orig : points_.back().second + (norm - points_.back().first) == orig) return;
    points_.emplace_back(norm, orig);
  }
  // The original offset of normalised offset `norm`.
  uint64_t ToOriginal(uint64_t norm) const;

 private:
  std::vector<std::pair<uint64_t, uint64_t>> points_;  // ascending in both
};

// True when `text` holds a byte NormalizeAppend might change (any non-ASCII byte).
bool MayNeedNormalizing(std::string_view text);

// The offset of the first character NormalizeAppend (with `final`) would change, or
// text.size() when the normalised form is `text` itself.
size_t FirstFold(std::string_view text);

// Appends the normalised form of `text` to `*out`, recording in `*map` where it departs
// from the original; `orig_base` is the original offset of text[0] and out->size() the
// normalised one. Without `final`, an incomplete UTF-8 sequence at the end is left
// unconsumed for the next call. Returns the bytes of `text` consumed.
size_t NormalizeAppend(std::string_view text, uint64_t orig_base, bool final, std::string* out, OffsetMap* map);

// The ASCII character `cp` folds to, 0 to drop it, or -1 to keep it as it is.
int FoldCodePoint(uint32_t cp);

}  // namespace sendguard::scanner
