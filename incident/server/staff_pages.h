// SPDX-License-Identifier: Apache-2.0
// The staff pages of hold-and-confirm, reached from the notice a sender gets when a message
// is held (no account: the link's token is the permission, checked by the gateway's sendguard-desk, which holds
// the message):
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

namespace sendguard::incident {

struct StaffPages {
  MilterLink desk;                             // url "" = hold pages off
  const common::KeyedHasher* csrf = nullptr;   // keys CSRF tokens

  common::HttpResponse Handle(const common::HttpRequest& request) const;
};

}  // namespace sendguard::incident
