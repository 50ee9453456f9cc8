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
#include <string>

#include "commands.h"
#include "sendguard/common/key_ring.h"
#include "sendguard/common/keyed_hash.h"

namespace sendguard::cli {
namespace {

// Writes `text` over `path` atomically, keeping the file's owner, group and mode.
Status ReplaceFile(const std::string& path, const std::string& text) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return IoError("cannot stat " + path);
  const std::string temp = path + ".new";
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot create " + temp);
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ok && fchmod(fd, st.st_mode & 07777) == 0;
  if (ok && geteuid() == 0) ok = fchown(fd, st.st_uid, st.st_gid) == 0;
  ok = fsync(fd) == 0 && ok;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(temp.c_str(), path.c_str()) != 0) {
    unlink(temp.c_str());
    return IoError("cannot replace " + path + " (nothing was changed)");
  }
  return Status();
}

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
      note = "added key " + id + " (verify only): copy the file to every gateway and core host and restart their "
             "services, then run 'sendguard secret promote " + id + "'";
    } else {
      next.keys.insert(next.keys.begin(), *key);
      note = "key " + id + " now signs; " + ring->SigningId() + " still verifies: copy the file to every host and restart "
             "their services (with several hosts, 'add' then 'promote' avoids a host refusing another's new codes)";
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
      note = "key " + flags.key_id + " now signs; " + ring->SigningId() + " still verifies: copy the file to every host and "
             "restart their services";
    } else {
      if (at == 0) {
        std::fprintf(stderr, "sendguard: key %s signs: promote another key before retiring it\n", flags.key_id.c_str());
        return 2;
      }
      next.keys.erase(next.keys.begin() + at);
      note = "retired key " + flags.key_id + ": what was hashed or sealed under it no longer matches or opens (retire a key "
             "only after the longest of milter.scan_record_days and milter.recipient_history_days, and after "
             "'sendguard edm import' again)";
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
