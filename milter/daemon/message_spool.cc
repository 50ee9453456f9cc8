// SPDX-License-Identifier: Apache-2.0
// The bounded body spool (see message_spool.h).
#include "message_spool.h"

#include <unistd.h>

#include <cstdlib>

namespace sendguard::milter {

MessageSpool::~MessageSpool() {
  if (file_) std::fclose(file_);
}

bool MessageSpool::Append(const char* data, size_t n) {
  if (oversize_) return true;
  if (size_ + static_cast<int64_t>(n) > max_bytes_) {
    oversize_ = true;
    n = static_cast<size_t>(max_bytes_ - size_);
  }
  if (!file_ && size_ + static_cast<int64_t>(n) > memory_limit_) {
    std::string path = dir_ + "/body.XXXXXX";
    int fd = mkstemp(path.data());
    if (fd < 0) return false;
    unlink(path.c_str());  // gone from the directory at once: nothing is left behind on a crash
    file_ = fdopen(fd, "w+b");
    if (!file_) {
      close(fd);
      return false;
    }
    if (std::fwrite(memory_.data(), 1, memory_.size(), file_) != memory_.size()) return false;
    std::string().swap(memory_);
  }
  if (file_) {
    if (std::fwrite(data, 1, n, file_) != n) return false;
  } else {
    memory_.append(data, n);
  }
  size_ += static_cast<int64_t>(n);
  return true;
}

bool MessageSpool::ReadAll(std::string* out) {
  if (!file_) {
    *out = std::move(memory_);
    return true;
  }
  out->resize(static_cast<size_t>(size_));
  std::fflush(file_);
  std::rewind(file_);
  return std::fread(out->data(), 1, out->size(), file_) == out->size();
}

}  // namespace sendguard::milter
