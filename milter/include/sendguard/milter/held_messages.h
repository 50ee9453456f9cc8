// SPDX-License-Identifier: Apache-2.0
// Hold-and-confirm: messages held until their sender confirms or cancels. The copy is sealed
// (AES-256-GCM under a key derived from the deployment secret) in <state_dir>/held/<id>; its
// state lives in the state database: held -> releasing -> released | partially_released,
// held -> cancelled, held -> expired. The file is deleted on every outcome. A staff link
// carries a keyed token for its id, and the re-injected copy a signed release header that the
// milter honours once.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/sql.h"
#include "sendguard/holds/held_copy.h"

namespace sendguard::milter {

// The record, the sealed layout, the link token and the release header are shared with the
// core (sendguard/holds/held_copy.h).
using holds::HeldMessage;
using holds::HoldLinkToken;
using holds::HoldLinkTokenValid;
using holds::NewHoldId;
using holds::ReleaseHeader;
using holds::ReleaseHeaderId;

class HeldMessages {
 public:
  // `key` may be null for a user that never reads or writes content (expiry).
  HeldMessages(common::SqlDb& db, std::filesystem::path dir, const common::SealKey* key)
      : db_(db), dir_(std::move(dir)), key_(key) {}

  // Seals the copy to disk, then records it as held.
  Status Hold(const HeldMessage& m);
  // The message with its content, or nullopt when unknown or its copy is gone.
  Result<std::optional<HeldMessage>> Load(const std::string& id);
  // The state alone ("" when unknown) and its expiry.
  Result<std::pair<std::string, std::time_t>> State(const std::string& id);

  // held -> releasing (to become `final_state`), only before expiry (as of `expiry_at`, when
  // given: the time a sender answered on a core). False when not held.
  Result<bool> BeginRelease(const std::string& id, const std::string& final_state, std::time_t now,
                            std::time_t expiry_at = 0);
  // The milter saw the re-injected copy: releasing -> its final state, once. False otherwise.
  Result<bool> MarkReleased(const std::string& id, std::time_t now);
  // After re-injection: `delivered` settles the final state and deletes the copy; otherwise a
  // copy the milter never saw goes back to held (the sender may try again). The state after.
  Result<std::string> EndRelease(const std::string& id, bool delivered, std::time_t now);
  // held -> cancelled, deleting the copy. False when not held.
  Result<bool> Cancel(const std::string& id, std::time_t now);
  // A release that died mid-way (its process gone before the copy reached the milter, which
  // would have marked it released): releasing -> held, to be released again. Only for a hold
  // whose release nobody else can be carrying out (the release worker's lapsed claim).
  Result<bool> Unstick(const std::string& id);
  // Every held message past its expiry and not answered on a core -> expired, copies deleted.
  // Returns their ids.
  Result<std::vector<std::string>> Expire(std::time_t now);
  // Deletes the copies of holds that have an outcome (finished by another gateway's release
  // worker: sendguard-sync closes the row here, and this removes the file). Returns how many.
  Result<int> SweepCopies();

  // A hold another gateway made, taken from the shared store so this gateway's release worker
  // can carry out the sender's answer: its sealed copy (which must open under this key) and a
  // row in state held. Nothing happens when the hold is already here.
  Status Adopt(const std::string& id, std::time_t created, std::time_t expires, const std::string& sealed);

 private:
  std::filesystem::path FileFor(const std::string& id) const { return dir_ / id; }
  Result<bool> Move(const std::string& id, const std::string& from, const std::string& to, std::time_t now,
                    bool check_expiry, std::time_t expiry_at = 0);
  common::SqlDb& db_;
  std::filesystem::path dir_;
  const common::SealKey* key_;
};

}  // namespace sendguard::milter
