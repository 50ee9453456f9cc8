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

namespace sendguard::milter {

struct HeldMessage {
  std::string id;                       // 32 hex characters, random
  std::string sender;                   // envelope sender
  std::vector<std::string> recipients;  // envelope recipients
  std::vector<std::string> flagged;     // the recipients the warning is about (partial release leaves them out)
  std::string subject;
  std::string explanation;              // what the sender is shown: never an identifier
  std::string language = "en";          // the sender's language (en, cy): the notice's and the pages'  
  std::string raw;                      // the message as received, headers then body
  std::time_t created = 0;
  std::time_t expires = 0;
  std::string state;                    // held, releasing, released, partially_released, cancelled, expired
};

// A fresh hold id.
std::string NewHoldId();
// The token in a staff link for `id` (32 hex characters) and its check.
std::string HoldLinkToken(const common::KeyedHasher& hasher, const std::string& id);
bool HoldLinkTokenValid(const common::KeyedHasher& hasher, const std::string& id, const std::string& token);
// The X-Sendguard-Release header value for `id`, and the id it names when its signature holds.
std::string ReleaseHeader(const common::KeyedHasher& hasher, const std::string& id);
std::optional<std::string> ReleaseHeaderId(const common::KeyedHasher& hasher, const std::string& value);

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

  // held -> releasing (to become `final_state`), only before expiry. False when not held.
  Result<bool> BeginRelease(const std::string& id, const std::string& final_state, std::time_t now);
  // The milter saw the re-injected copy: releasing -> its final state, once. False otherwise.
  Result<bool> MarkReleased(const std::string& id, std::time_t now);
  // After re-injection: `delivered` settles the final state and deletes the copy; otherwise a
  // copy the milter never saw goes back to held (the sender may try again). The state after.
  Result<std::string> EndRelease(const std::string& id, bool delivered, std::time_t now);
  // held -> cancelled, deleting the copy. False when not held.
  Result<bool> Cancel(const std::string& id, std::time_t now);
  // Every held message past its expiry -> expired, copies deleted. Returns their ids.
  Result<std::vector<std::string>> Expire(std::time_t now);

 private:
  std::filesystem::path FileFor(const std::string& id) const { return dir_ / id; }
  Result<bool> Move(const std::string& id, const std::string& from, const std::string& to, std::time_t now,
                    bool check_expiry);
  common::SqlDb& db_;
  std::filesystem::path dir_;
  const common::SealKey* key_;
};

}  // namespace sendguard::milter
