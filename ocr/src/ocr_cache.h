// SPDX-License-Identifier: Apache-2.0
// The recognised-text cache: key (content digest) -> text and confidence, least recently
// used dropped first once its bytes pass the bound. Thread-safe; one per Recognizer.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sendguard::ocr {

class OcrCache {
 public:
  explicit OcrCache(uint64_t max_bytes) : max_bytes_(max_bytes) {}

  // The entry under `key` (made the most recent), if any.
  bool Get(const std::string& key, std::string* text, int* confidence);
  // Keeps `text` under `key`; an entry larger than the whole bound is not kept.
  void Put(const std::string& key, const std::string& text, int confidence);
  uint64_t entries() const;
  uint64_t bytes() const;

 private:
  struct Entry {
    std::string key;
    std::string text;
    int confidence;
  };
  static uint64_t Cost(const Entry& e) { return e.key.size() + e.text.size() + 64; }

  mutable std::mutex mu_;
  uint64_t max_bytes_;
  uint64_t bytes_ = 0;
  std::list<Entry> lru_;  // front: most recent
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace sendguard::ocr
