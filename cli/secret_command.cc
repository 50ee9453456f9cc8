// SPDX-License-Identifier: Apache-2.0
// `sendguard secret list|add|promote|retire|rotate`: the deployment secret's key ring
// (common/key_ring.h). The file is replaced atomically with its owner, group and mode kept;
// keys are never printed, only their ids. Every host's services read the secret at start, so
// each change is followed by copying the file to every gateway and core host and restarting
// their services (docs/OPERATIONS.md, "Rotating the secret").
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "commands.h"
#include "sendguard/common/key_ring.h"
#include "sendguard/common/keyed_hash.h"

namespace sendguard::cli {
namespace {

// Writes `text` over `path` atomically, keeping the file's owner, group and mode: a fresh
// temporary file beside it (mkstemp: never an existing name, never through a link someone
// planted), written and synced, renamed over the file, and the directory synced. A path that
// is a symbolic link is refused (renaming would replace the link, not the secret), and so is a
// file whose owner this account could not keep.
Status ReplaceFile(const std::string& path, const std::string& text) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return IoError("cannot stat " + path);
  if (S_ISLNK(st.st_mode)) return InvalidArgument(path + " is a symbolic link: give the secret file itself");
  if (!S_ISREG(st.st_mode)) return InvalidArgument(path + " is not a regular file");
  if (geteuid() != 0 && (st.st_uid != geteuid() || st.st_gid != getegid())) {
    return InvalidArgument(path + " belongs to another account: run as root so its owner and group are kept");
  }
  const std::string dir = std::filesystem::path(path).has_parent_path() ? std::filesystem::path(path).parent_path().string() : ".";
  std::string temp = dir + "/.sendguard-secret.XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) return IoError("cannot create a temporary file in " + dir);
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ok && fchmod(fd, st.st_mode & 07777) == 0;
  if (ok && geteuid() == 0) ok = fchown(fd, st.st_uid, st.st_gid) == 0;
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
    unlink(temp.c_str());
    return IoError("cannot replace " + path + " (nothing was changed)");
  }
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);  // the rename itself survives a crash
    close(dir_fd);
  }
  return Status();
}

// What reads the secret at start, on a gateway and on a core host.
const std::string kRestart = "systemctl restart sendguard-milter sendguard-desk sendguard-sync sendguard-core";

void PrintRing(const common::KeyRing& ring) {
  for (size_t i = 0; i < ring.keys.size(); ++i) {
    std::printf("%s  %s\n", common::KeyRing::IdOf(ring.keys[i]).c_str(), i == 0 ? "sign" : "verify");
  }
}

}  // namespace

int RunSecret(const SecretFlags& flags) {
  const std::string& path = flags.secret_file;
  auto bytes = common::ReadSecretFile(path);
  if (!bytes.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", bytes.status().message().c_str());
    return 2;
  }
  auto ring = common::ParseKeyRing(*bytes, path);
  if (!ring.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", ring.status().message().c_str());
    return 2;
  }
  if (flags.action == "list") {
    PrintRing(*ring);
    return 0;
  }
  if (ring->keys.front().size() < 16) {
    std::fprintf(stderr, "sendguard: the secret in %s is shorter than 16 bytes: make a new one (docs/OPERATIONS.md, The secret)\n",
                 path.c_str());
    return 2;
  }
  common::KeyRing next = *ring;
  std::string note;
  if (flags.action == "add" || flags.action == "rotate") {
    auto key = common::RandomSecret();
    if (!key.ok()) {
      std::fprintf(stderr, "sendguard: %s\n", key.status().message().c_str());
      return 2;
    }
    const std::string id = common::KeyRing::IdOf(*key);
    if (flags.action == "add") {
      next.keys.push_back(*key);
      note = "added key " + id + " (verify only): copy this file to every gateway and core host, restart their services (" +
             kRestart + "), then run 'sendguard secret promote " + id + "' here and copy and restart again";
    } else {
      next.keys.insert(next.keys.begin(), *key);
      note = "key " + id + " now signs; " + ring->SigningId() + " still verifies: restart this host's services (" + kRestart +
             "); with several hosts use 'add', copy, restart, then 'promote' (a host without the new key refuses what it signs)";
    }
  } else if (flags.action == "promote" || flags.action == "retire") {
    const int at = ring->Find(flags.key_id);
    if (at < 0) {
      std::fprintf(stderr, "sendguard: no key %s in %s (see 'sendguard secret list')\n", flags.key_id.c_str(), path.c_str());
      return 2;
    }
    if (flags.action == "promote") {
      if (at == 0) {
        std::printf("key %s already signs: nothing changed\n", flags.key_id.c_str());
        return 0;
      }
      std::swap(next.keys[0], next.keys[static_cast<size_t>(at)]);
      note = "key " + flags.key_id + " now signs; " + ring->SigningId() + " still verifies: copy this file to every gateway and "
             "core host and restart their services (" + kRestart + ")";
    } else {
      if (at == 0) {
        std::fprintf(stderr, "sendguard: key %s signs: promote another key before retiring it\n", flags.key_id.c_str());
        return 2;
      }
      next.keys.erase(next.keys.begin() + at);
      note = "retired key " + flags.key_id + ": what was hashed or sealed under it no longer matches or opens (retire a key "
             "only after the longest of milter.scan_record_days and milter.recipient_history_days, after 'sendguard edm "
             "import' again, and when letters sent before the rotation need no longer be found by the subject access "
             "search); copy this file to every host and restart their services (" + kRestart + ")";
    }
  } else {
    std::fprintf(stderr, "sendguard: unknown action %s\n", flags.action.c_str());
    return 2;
  }
  if (Status st = ReplaceFile(path, common::FormatKeyRing(next)); !st.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", st.message().c_str());
    return 1;
  }
  PrintRing(next);
  std::printf("%s\n", note.c_str());
  return 0;
}

}  // namespace sendguard::cli
