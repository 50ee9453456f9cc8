// SPDX-License-Identifier: Apache-2.0
// sendguard-desk's hold controls, called by sendguard-core's staff pages:
//   GET  /holds/{id}?t=TOKEN          the hold as JSON (explanation, recipients, state)
//   POST /holds/{id}/confirm?t=TOKEN  {"reason", "text", "except_flagged"}: release by SMTP
//   POST /holds/{id}/cancel?t=TOKEN   delete it
// The token is the staff link's; without it nothing is shown or done. Each request uses its
// own connection to the state database.
#pragma once

#include <string>

#include "sendguard/common/http_server.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"

namespace sendguard::milter {

struct HoldEndpoint {
  std::string state_db;
  std::string held_dir;
  std::string smtp_url;
  const common::KeyedHasher* hasher = nullptr;
  const common::SealKey* seal = nullptr;
  std::function<void()> queued;  // an incident draft was queued

  // Handles /holds/...; other paths are not its business (404).
  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::milter
