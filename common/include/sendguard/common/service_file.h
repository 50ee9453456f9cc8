// SPDX-License-Identifier: Apache-2.0
// Files that hold secrets or password hashes (the core's accounts.db, token files): private to
// the service account whoever creates them. Run as root, a command would otherwise leave them
// owned by root, unreadable by the service (or, with a loose umask, readable by everyone).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <filesystem>
#include <string>

#include "sendguard/common/status.h"

namespace sendguard::common {

enum class FileOwner {
  kService,        // owner: the service user and its group (files the service writes)
  kRootServiceGroup  // owner root, group the service's (files the service only reads, like the secret)
};

// "user:group 0640" for a file's owner, group and permission bits (ids where no name is known).
std::string OwnerGroupMode(const struct stat& st);

// Creates `path` empty if it is missing (never following a symlink), sets `mode`, and, when
// this process runs as root, gives it to `service_user` as `owner` says. Not root: the file
// must already be this process's (the mode is still set). Returns a sentence saying what the
// file is now (owner, group, mode) for the command to print; refuses, saying why, when root
// and `service_user` does not exist (unless `allow_root_fallback`: the file then stays root's,
// and the sentence says so). With `content`, the file is then replaced by it, written through
// the descriptor already checked (so a symlink swapped in afterwards is never followed).
Result<std::string> MakeServiceFile(const std::filesystem::path& path, const std::string& service_user, mode_t mode,
                                    FileOwner owner, bool allow_root_fallback, const std::string* content = nullptr);

}  // namespace sendguard::common
