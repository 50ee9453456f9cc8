// SPDX-License-Identifier: Apache-2.0
// A message's body as it arrives in chunks: kept in memory up to a limit, then in an
// unlinked temporary file; never more than the configured maximum.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace sendguard::milter {

class MessageSpool {
 public:
  MessageSpool(std::string dir, int64_t memory_limit, int64_t max_bytes)
      : dir_(std::move(dir)), memory_limit_(memory_limit), max_bytes_(max_bytes) {}
  ~MessageSpool();
  MessageSpool(const MessageSpool&) = delete;
  MessageSpool& operator=(const MessageSpool&) = delete;

  // False when the chunk could not be stored (disk full): the message is then unscannable.
  bool Append(const char* data, size_t n);
  // The whole body (read back from the file when spilled); at most max_bytes.
  bool ReadAll(std::string* out);
  bool oversize() const { return oversize_; }
  int64_t size() const { return size_; }

 private:
  std::string dir_;
  int64_t memory_limit_;
  int64_t max_bytes_;
  std::string memory_;
  std::FILE* file_ = nullptr;
  int64_t size_ = 0;
  bool oversize_ = false;
};

}  // namespace sendguard::milter
