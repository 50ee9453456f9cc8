// SPDX-License-Identifier: Apache-2.0
// Mail the milter sends itself (the notice to a sender whose message is held), queued in the
// state database, sealed, before the MTA is answered, and sent later by the outbox thread:
// a milter callback must never wait on SMTP into the MTA it is filtering for.
#pragma once

#include <ctime>
#include <string>
#include <vector>

#include "sendguard/common/sealed.h"
#include "sendguard/common/smtp_client.h"
#include "sendguard/common/sql.h"

namespace sendguard::milter {

// A plain-text notice from sendguard (`from`) to one member of staff: headers (auto-generated,
// dated `at`, Message-ID <`id`@sendguard>) and `text` with CRLF line ends.
std::string NoticeMessage(const std::string& from, const std::string& to, const std::string& subject, const std::string& id,
                          std::time_t at, const std::string& text);

class MailOutbox {
 public:
  MailOutbox(common::SqlDb& db, const common::SealKey& key) : db_(db), key_(key) {}

  Status Enqueue(const std::string& id, const std::string& from, const std::vector<std::string>& to,
                 const std::string& message, std::time_t now);
  struct Item {
    std::string id;
    int attempts = 0;
    common::SmtpSend send;  // url left empty: the sender fills it in
  };
  Result<std::vector<Item>> Due(std::time_t now, int limit);
  Status Sent(const std::string& id, std::time_t now);
  Status RetryLater(const std::string& id, int attempts, std::time_t next, const std::string& error);
  // Sent rows older than `before` are deleted (their content is gone already).
  Status Prune(std::time_t before);

 private:
  common::SqlDb& db_;
  const common::SealKey& key_;
};

}  // namespace sendguard::milter
