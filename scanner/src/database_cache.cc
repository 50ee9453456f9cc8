// SPDX-License-Identifier: Apache-2.0
// The on-disk cache of compiled Hyperscan databases (see database_cache.h).
//
// An entry, hs-<key>.db:
//   sendguard hyperscan cache 1\n
//   <key: 64 hex>\n
//   <SHA-256 of the payload: 64 hex>\n
//   <payload length in bytes>\n
//   <payload: hs_serialize_database's bytes>
#include "database_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sendguard/common/digest.h"

namespace sendguard::scanner {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[] = "sendguard hyperscan cache 1";
constexpr size_t kMaxEntryBytes = size_t{512} << 20;  // the shipped rules serialize to a few MB

// Owned by this account or by root, and writable by nobody else.
bool Trusted(const struct stat& st) {
  return (st.st_uid == ::geteuid() || st.st_uid == 0) && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// The next '\n'-ended line of `text` from *pos, or false when there is none.
bool NextLine(const std::string& text, size_t* pos, std::string* line) {
  const size_t nl = text.find('\n', *pos);
  if (nl == std::string::npos || nl - *pos > 64) return false;
  *line = text.substr(*pos, nl - *pos);
  *pos = nl + 1;
  return true;
}

bool IsEntryName(const std::string& name) {
  return name.size() == 3 + 64 + 3 && name.rfind("hs-", 0) == 0 && name.compare(name.size() - 3, 3, ".db") == 0;
}

}  // namespace

std::string DatabaseCache::Key(const std::vector<std::string>& expressions, const std::vector<unsigned>& flags,
                               unsigned mode) {
  common::Sha256 h;
  h.Update(kMagic);
  h.Update("\nhyperscan ");
  h.Update(hs_version());
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) == HS_SUCCESS) {
    h.Update("\nplatform " + std::to_string(platform.tune) + " " + std::to_string(platform.cpu_features));
  }
  h.Update("\nmode " + std::to_string(mode) + " count " + std::to_string(expressions.size()) + "\n");
  for (size_t i = 0; i < expressions.size(); ++i) {
    // Lengths first, so no two lists of expressions hash the same bytes.
    h.Update(std::to_string(i < flags.size() ? flags[i] : 0) + " " + std::to_string(expressions[i].size()) + ":");
    h.Update(expressions[i]);
  }
  return h.HexDigest();
}

fs::path DatabaseCache::EntryPath(const std::string& key) const { return dir_ / ("hs-" + key + ".db"); }

std::string DatabaseCache::UsableDirectory(bool create) const {
  if (dir_.empty()) return "off";
  struct stat st {};
  if (::lstat(dir_.c_str(), &st) != 0) {
    if (errno != ENOENT || !create) return dir_.string() + " does not exist yet";
    // Made only inside a directory that exists (the state directory): never a tree of them.
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
      return "cannot make " + dir_.string() + ": " + std::strerror(errno);
    }
    if (::lstat(dir_.c_str(), &st) != 0) return "cannot stat " + dir_.string() + ": " + std::strerror(errno);
  }
  if (!S_ISDIR(st.st_mode)) return dir_.string() + " is not a directory (a symbolic link is not followed)";
  if (!Trusted(st)) return dir_.string() + " is not used: it must belong to this account or root and be writable by nobody else";
  return "";
}

HsDatabase DatabaseCache::Load(const std::string& key, std::string* why) const {
  if (std::string dir_why = UsableDirectory(false); !dir_why.empty()) {
    *why = dir_why == "off" ? "" : dir_why;
    return nullptr;
  }
  const fs::path path = EntryPath(key);
  Fd f{::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC)};
  if (f.fd < 0) {
    *why = errno == ENOENT ? "no entry for these rules yet" : "cannot open " + path.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = path.string() + " is not a regular file";
    return nullptr;
  }
  if (!Trusted(st)) {
    *why = path.string() + " is not used: it must belong to this account or root and be writable by nobody else";
    return nullptr;
  }
  if (static_cast<size_t>(st.st_size) > kMaxEntryBytes) {
    *why = path.string() + " is larger than any database this cache writes";
    return nullptr;
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::read(f.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *why = "cannot read " + path.string();
      return nullptr;
    }
    done += static_cast<size_t>(n);
  }
  size_t pos = 0;
  std::string magic, stored_key, digest, length;
  if (!NextLine(text, &pos, &magic) || magic != kMagic || !NextLine(text, &pos, &stored_key) ||
      !NextLine(text, &pos, &digest) || !NextLine(text, &pos, &length)) {
    *why = path.string() + " is not an entry of this cache";
    return nullptr;
  }
  if (stored_key != key) {
    *why = path.string() + " holds another rule set's database";
    return nullptr;
  }
  if (length != std::to_string(text.size() - pos)) {
    *why = path.string() + " is truncated or has bytes added";
    return nullptr;
  }
  const std::string_view payload(text.data() + pos, text.size() - pos);
  if (common::Sha256Hex(payload) != digest) {
    *why = path.string() + " is corrupted (its digest does not match)";
    return nullptr;
  }
  hs_database_t* db = nullptr;
  if (hs_error_t err = hs_deserialize_database(payload.data(), payload.size(), &db); err != HS_SUCCESS) {
    *why = "Hyperscan refuses " + path.string() + " (error " + std::to_string(err) + ")";
    return nullptr;
  }
  ::futimens(f.fd, nullptr);  // most recently used: kept longest by Prune (best effort)
  why->clear();
  return HsDatabase(db);
}

std::string DatabaseCache::Store(const std::string& key, const hs_database_t* db) const {
  if (std::string dir_why = UsableDirectory(true); !dir_why.empty()) return dir_why == "off" ? "" : dir_why;
  char* bytes = nullptr;
  size_t size = 0;
  if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS) return "Hyperscan cannot serialize the database";
  std::string text = std::string(kMagic) + "\n" + key + "\n" + common::Sha256Hex(std::string_view(bytes, size)) +
                     "\n" + std::to_string(size) + "\n";
  text.append(bytes, size);
  std::free(bytes);  // hs_serialize_database allocates with the default (malloc) allocator
  // Written beside the entry and renamed over it: a reader sees the old entry, the new one or
  // none, never half of one (and two processes storing the same key write the same bytes).
  std::string temp = (dir_ / ".tmp-XXXXXX").string();
  Fd f{::mkstemp(temp.data())};
  if (f.fd < 0) return "cannot write in " + dir_.string() + ": " + std::strerror(errno);
  bool ok = ::fchmod(f.fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    const ssize_t n = ::write(f.fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ::close(f.fd) == 0 && ok;
  f.fd = -1;
  if (!ok || ::rename(temp.c_str(), EntryPath(key).c_str()) != 0) {
    ::unlink(temp.c_str());
    return "cannot write " + EntryPath(key).string() + ": " + std::strerror(errno);
  }
  Prune();
  return "";
}

void DatabaseCache::Prune() const {
  std::vector<std::pair<fs::file_time_type, fs::path>> entries;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    const auto when = e.last_write_time(ec);
    if (ec) continue;
    if (IsEntryName(name)) {
      entries.emplace_back(when, e.path());
    } else if (name.rfind(".tmp-", 0) == 0 && now - when > std::chrono::hours(1)) {
      fs::remove(e.path(), ec);  // left by a process that stopped between writing and renaming
    }
  }
  if (entries.size() <= kMaxEntries) return;
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = kMaxEntries; i < entries.size(); ++i) fs::remove(entries[i].second, ec);
}

}  // namespace sendguard::scanner
