// SPDX-License-Identifier: Apache-2.0
// sendguard-desk's self-report controls over HTTP, called by sendguard-core:
//   POST /self-reports                     {"email"}: mail that address a link (202 either way)
//   GET  /self-reports/{id}?t=TOKEN        the sends the link lists
//   POST /self-reports/{id}/use?t=TOKEN    {"record_id"}: use the link; the chosen send
//   GET  /scan-records?message_id=ID       the newest record for a Message-ID (the IG API);
//                                          needs the core's bearer token when one is set
//   POST /subject-access                   {"address"}: scan records naming it (as sender or
//                                          recipient) and its recipient history, by keyed hash
// Answers are JSON; records are metadata only (see self_report_desk.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "sendguard/common/http_server.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/milter/config.h"

namespace sendguard::milter {

struct SelfReportEndpoint {
  std::string state_db;
  const common::KeyedHasher* hasher = nullptr;
  const common::SealKey* seal = nullptr;
  std::function<std::shared_ptr<const Config>()> config;  // the live configuration
  std::function<void()> queued;                           // mail was queued

  static bool Owns(const std::string& path);
  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::milter
