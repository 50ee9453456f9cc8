// SPDX-License-Identifier: Apache-2.0
// The quarantine review over HTTP (sendguard-desk), called by sendguard-core with the gateway's
// token (as every control endpoint):
//   GET  /quarantine?message_hash=H    the messages quarantined with that hash, each with any decision
//   POST /quarantine/decision          {"message_hash", "record_id", "decision": release|delete, "by", "reason"}
// Answers are JSON; records are metadata only (see quarantine_desk.h).
#pragma once

#include <string>

#include "sendguard/common/http_server.h"
#include "sendguard/common/keyed_hash.h"

namespace sendguard::milter {

struct QuarantineEndpoint {
  std::string state_db;
  const common::KeyedHasher* hasher = nullptr;

  static bool Owns(const std::string& path);
  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::milter
