// SPDX-License-Identifier: Apache-2.0
// The poison journal: which messages were being scanned when the milter last died, and how
// many times each one has been. A message's digest is written before its scan
// and cleared after it; a digest still in flight at the next start is a crash on that message.
// Owns one append-only file under state_dir, compacted as it grows; knows nothing of the milter protocol
// or the scanner. PoisonDigest makes the digest a message is known by across retries.
#pragma once

#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sendguard/common/digest.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/status.h"

namespace sendguard::milter {

// The digest of one message: a keyed hash of its header fields other than Received, Date and
// Message-ID (a Postfix in front adds or renews those on each try) and of its body, so a
// client's retry of the same message has the same digest. Fed as the message arrives.
class PoisonDigest {
 public:
  // One header field as the MTA passed it (Received, Date and Message-ID are left out).
  void AddHeader(std::string_view name, std::string_view value);
  // The body, whole.
  void AddBody(std::string_view body);
  // 64 hex characters under the deployment's key; the object starts again afterwards.
  std::string Finish(const common::KeyedHasher& hasher);

 private:
  void Update(std::string_view tag, std::string_view bytes);
  std::unique_ptr<common::Sha256> sha_;
};

// Thread-safe: Begin and End come from the scanning threads, Crashes from the callbacks.
class PoisonJournal {
 public:
  struct Options {
    size_t max_suspects = 4096;                // crash counts kept; the least recent is forgotten first
    int64_t compact_bytes = int64_t{1} << 20;  // rewrite the file once it has grown by this much
    int64_t forget_seconds = 7 * 86400;        // a crash count not renewed for this long is forgotten
  };
  // A message that was in flight when the previous run ended without finishing it.
  struct Suspect {
    std::string digest;
    int crashes = 0;  // including this one
  };

  // Opens (or makes, 0600) the journal at `path`. Every digest left in flight by the previous
  // run counts one crash more, listed in *recovered; the file is then rewritten compact.
  static Result<std::unique_ptr<PoisonJournal>> Open(const std::string& path, Options options, std::time_t now,
                                                     std::vector<Suspect>* recovered);
  ~PoisonJournal();
  PoisonJournal(const PoisonJournal&) = delete;
  PoisonJournal& operator=(const PoisonJournal&) = delete;

  // Before a scan: `digest` (PoisonDigest::Finish's) is in flight, written to the file before
  // this returns (not flushed: a process that dies keeps its writes; a power loss is no
  // message's fault and should count no crash).
  Status Begin(const std::string& digest);
  // After the scan: no longer in flight, and no suspect any more (its scan finished).
  Status End(const std::string& digest);
  // How many times the milter died while `digest` was being scanned (0: never).
  int Crashes(const std::string& digest) const;
  // Digests with a crash count.
  size_t Suspects() const;
  // The file's size now.
  int64_t FileBytes() const;

 private:
  struct Count {
    int crashes = 0;
    int64_t seen = 0;  // when the last crash was found (seconds since the epoch)
  };
  PoisonJournal(std::string path, Options options);
  // Drops forgotten and surplus counts, then writes every count and every digest in flight to
  // a new file that replaces the old one. Called with mu_ held (or before any other thread).
  Status Compact(std::time_t now);
  // Writes `line` (with mu_ held), or rewrites the file when it has grown enough.
  Status Append(const std::string& line);

  const std::string path_;
  const Options options_;
  mutable std::mutex mu_;
  int fd_ = -1;
  int64_t bytes_ = 0;          // the file's size
  int64_t compacted_at_ = 0;   // its size after the last rewrite
  std::map<std::string, Count> counts_;
  std::map<std::string, int> in_flight_;  // digest -> scans in flight
};

}  // namespace sendguard::milter
