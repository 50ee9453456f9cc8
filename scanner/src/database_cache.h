// SPDX-License-Identifier: Apache-2.0
// Compiled Hyperscan databases kept on disk between starts and reloads, so a process that
// loads rules it (or another process of the same account) compiled before deserializes them
// in milliseconds instead of compiling for a second or more.
//
// An entry is named by a SHA-256 over everything the database depends on (Hyperscan's version,
// this CPU's platform, the mode, every expression and its flags in id order) and carries that
// key and a SHA-256 of its payload: a renamed, truncated or corrupted entry is refused and the
// rules are compiled as if there were no cache. The directory and its entries are trusted only
// when they belong to this account or to root and nobody else can write them: anyone who could
// write them could equally change the process itself (docs/SECURITY.md).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "hs_handles.h"

namespace sendguard::scanner {

class DatabaseCache {
 public:
  // `dir` need not exist: it is made (mode 0700) when its parent does. Empty: no cache.
  explicit DatabaseCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // The key of the streaming database for these expressions on this machine.
  static std::string Key(const std::vector<std::string>& expressions, const std::vector<unsigned>& flags,
                         unsigned mode);

  // The database kept under `key`, or null with the reason in *why ("" when the cache is off).
  HsDatabase Load(const std::string& key, std::string* why) const;
  // Keeps `db` under `key` and drops the least recently used entries beyond a few. Returns ""
  // or why nothing was kept; never fatal (the rules are compiled either way).
  std::string Store(const std::string& key, const hs_database_t* db) const;

  // Entries kept per directory: enough to move between a few rule sets and back.
  static constexpr size_t kMaxEntries = 8;

 private:
  // "" when the directory may be used (made if missing); otherwise why not.
  std::string UsableDirectory(bool create) const;
  std::filesystem::path EntryPath(const std::string& key) const;
  void Prune() const;

  std::filesystem::path dir_;
};

}  // namespace sendguard::scanner
