// SPDX-License-Identifier: Apache-2.0
// OcrCache: a byte-bounded LRU map under one mutex (ocr_cache.h).
#include "ocr_cache.h"

namespace sendguard::ocr {

bool OcrCache::Get(const std::string& key, std::string* text, int* confidence) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second);
  *text = it->second->text;
  *confidence = it->second->confidence;
  return true;
}

void OcrCache::Put(const std::string& key, const std::string& text, int confidence) {
  Entry e{key, text, confidence};
  const uint64_t cost = Cost(e);
  if (cost > max_bytes_) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= Cost(*it->second);
    lru_.erase(it->second);
    index_.erase(it);
  }
  while (bytes_ + cost > max_bytes_ && !lru_.empty()) {
    bytes_ -= Cost(lru_.back());
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  lru_.push_front(std::move(e));
  index_[key] = lru_.begin();
  bytes_ += cost;
}

uint64_t OcrCache::entries() const {
  std::lock_guard lock(mu_);
  return index_.size();
}

uint64_t OcrCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

}  // namespace sendguard::ocr
