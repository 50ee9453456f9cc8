// SPDX-License-Identifier: Apache-2.0
// The staff pages for reporting an email sent to the wrong person (no account):
//   GET  /staff/report                 asks for the sender's own work address
//   POST /staff/report                 email, csrf: the gateway (sendguard-desk) mails that address a link
//                                      (the page says the same whether or not it was sent)
//   GET  /staff/report/{id}?t=TOKEN    the sends of the last week; choose one, say what happened
//   POST /staff/report/{id}            t, csrf, record_id, name, note: files the breach draft; or
//                                      general=1, type, aware, name, note: a breach that was not
//                                      one of those emails (post, a lost device, a look at a record)
// The link is signed, single-use and expires in a day (sendguard-desk checks it, and holds the
// scan records). GET never changes anything; forms carry CSRF tokens (double-submit on the
// request form, keyed to the link on the list).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "milter_link.h"
#include "sendguard/common/http_server.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/incident/incident_service.h"

namespace sendguard::incident {

struct SelfReportPages {
  MilterLink desk;                            // url "" = self-report pages off
  const common::KeyedHasher* csrf = nullptr;  // keys CSRF tokens
  IncidentService* service = nullptr;
  bool secure_cookies = false;

  static bool Owns(const std::string& path);
  common::HttpResponse Handle(const common::HttpRequest& request) const;

 private:
  common::HttpResponse FileGeneralReport(const std::string& lang, const std::string& path, const std::string& t,
                                         const std::vector<std::pair<std::string, std::string>>& form) const;
};

}  // namespace sendguard::incident
