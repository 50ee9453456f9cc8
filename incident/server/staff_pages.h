// SPDX-License-Identifier: Apache-2.0
// The staff pages of hold-and-confirm, reached from the notice a sender gets when a message
// is held (no account: the link's token is the permission). On one gateway the core asks that
// gateway's sendguard-desk, which holds the message and checks the token. With several
// gateways (a shared PostgreSQL store) the core reads the hold there itself, checks the token
// with the deployment key, and records the answer for a gateway's release worker to carry out
// (sendguard/holds/shared_holds.h); a hold not in the store is asked of the desk as before:
//   GET  /staff/hold/{id}?t=TOKEN[&action=cancel]  what was found, to whom; Confirm / Cancel forms
//   POST /staff/hold/{id}/confirm                   t, csrf, reason, text, scope=all|except_flagged
//   POST /staff/hold/{id}/cancel                    t, csrf
// GET never changes anything (mail scanners open links). Forms carry a CSRF token bound to the
// hold and the link.
#pragma once

#include <string>

#include "milter_link.h"
#include "sendguard/common/http_server.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/holds/shared_holds.h"

namespace sendguard::incident {

struct StaffPages {
  MilterLink desk;                             // url "" = no desk (hold pages off unless shared below)
  const common::KeyedHasher* csrf = nullptr;   // keys CSRF tokens
  // Several gateways: holds in the shared store (`shared_store`, one connection per request),
  // asked first. Null: the desk only.
  const holds::SharedHolds* shared = nullptr;
  std::string shared_store;

  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::incident
