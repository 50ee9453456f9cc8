// SPDX-License-Identifier: Apache-2.0
// Self-reports of a misdirected email, the milter's side. A member of staff asks for a link;
// it is mailed to their own (internal) address, signed, single-use and expiring in a day, and
// shows their sends of the last week from the scan records (time, recipient domains, verdict,
// masked findings; never content). Using the link returns the chosen record for
// sendguard-core to file as a breach draft. The IG API looks records up by Message-ID.
#pragma once

#include <nlohmann/json.hpp>

#include <ctime>
#include <optional>
#include <string>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/sealed.h"
#include "sendguard/common/sql.h"
#include "sendguard/milter/config.h"
#include "sendguard/milter/scan_records.h"

namespace sendguard::milter {

// A scan record as the core and the CLI see it: unix time, queue id, keyed Message-ID hash,
// verdict, outcome, masked findings, recipient domains (unique, in order).
nlohmann::json ScanRecordSummary(const ScanRecord& r);

std::string SelfReportLinkToken(const common::KeyedHasher& hasher, const std::string& id);

// What a link request or use came to: an HTTP status and a JSON body.
struct SelfReportOutcome {
  int http_status = 200;
  nlohmann::json body;
};

class SelfReportDesk {
 public:
  static constexpr int kLinkHours = 24;
  static constexpr int kListDays = 7;
  // At most this many links to one address an hour: the form cannot be used to flood a mailbox.
  static constexpr int kLinksPerHour = 3;

  SelfReportDesk(common::SqlDb& db, const common::KeyedHasher& hasher, const common::SealKey& key)
      : db_(db), hasher_(hasher), key_(key) {}

  // Queues the link to `sender` when it is an address at one of the organisation's own
  // domains, and it has had fewer than kLinksPerHour in the last hour. The answer does not say
  // whether it was sent (no probing for addresses).
  SelfReportOutcome RequestLink(const std::string& sender, const Config& config, std::time_t now);
  // The sends behind a valid link, newest first.
  SelfReportOutcome List(const std::string& id, const std::string& token, std::time_t now);
  // Uses the link (once) for one of those sends: the record's summary and the reporter's
  // address. record_id 0 uses it for a report of something else: the address alone.
  SelfReportOutcome Use(const std::string& id, const std::string& token, int64_t record_id, std::time_t now);
  // The newest record for a Message-ID (the IG API's self-report), or nullopt.
  std::optional<nlohmann::json> Lookup(const std::string& message_id);

 private:
  // The sender hash behind a valid, unused, unexpired link; or the refusal.
  std::optional<std::string> Check(const std::string& id, const std::string& token, std::time_t now, SelfReportOutcome* refused);
  // The reporter's address hashes under every key of the secret's ring (with `stored`, the
  // link's own), so a link lists the sends recorded before a rotation too.
  std::vector<std::string> SenderHashes(const std::string& id, const std::string& stored);

  common::SqlDb& db_;
  const common::KeyedHasher& hasher_;
  const common::SealKey& key_;
};

}  // namespace sendguard::milter
