// SPDX-License-Identifier: Apache-2.0
// Which SMTP clients' mail is the organisation's own: address ranges (CIDR) a client is in,
// and trusted relays (Exchange Online's outbound connector) whose mail is ours only when it
// also carries proof that cannot come from someone else's tenant. Pure functions over text the
// MTA handed over; no I/O, no logging. Knows nothing of the milter protocol.
#pragma once

#include <string>
#include <vector>

#include "sendguard/rules/recipients.h"

namespace sendguard::milter {

// Whether `address` (IPv4 or IPv6 text, as the MTA gives it: "[...]", "IPv6:", a zone and an
// IPv4-mapped IPv6 address are understood) lies in one of `networks` ("10.0.0.0/8", "::1/128",
// a bare address is its own /32 or /128). Entries that are not a network are skipped
// (the config reader refuses them: NetworkProblem).
bool InNetworks(const std::string& address, const std::vector<std::string>& networks);

// Why `network` is not an address or CIDR range ("" when it is one).
std::string NetworkProblem(const std::string& network);

// An SMTP client that relays mail our own people sent, such as Exchange Online's outbound
// connector. Its address ranges alone prove nothing when it is shared (every Microsoft 365
// tenant sends from the same ranges), so each relay names at least one requirement below;
// every requirement given must hold for a message to count as ours.
struct TrustedRelay {
  std::string name;                            // for logs and --check-config
  std::vector<std::string> networks;           // the relay's client addresses (CIDR)
  // The client certificate's common name, as Postfix gives it in {cert_subject}: only for a
  // certificate Postfix verified (smtpd_tls_ask_ccert, smtpd_tls_CAfile). Any one of these.
  std::vector<std::string> tls_cert_subjects;
  // Microsoft 365 tenant ids (GUIDs): every X-MS-Exchange-CrossTenant-Id header of the
  // message must name one of them, and there must be at least one.
  std::vector<std::string> tenant_ids;
  // The envelope sender's domain must be one of organisation.internal_domains.
  bool internal_senders_only = false;
  // Mail from the relay's networks that fails a requirement: inbound (false: passed per
  // milter.scan) or refused with 550 (true: `not_ours: reject`, so a gateway that is only a
  // smart host does not relay other tenants' mail).
  bool reject_not_ours = false;
};

// Why a relay is not usable ("" when it is): no networks, no requirement besides them, only
// Exchange Online's certificate (the same for every tenant), or a tenant id that is no GUID.
std::string RelayProblem(const TrustedRelay& relay);

// What the MTA told us about one message that bears on whether it is ours.
struct RelayEvidence {
  std::string client_address;            // the SMTP client's address
  std::string cert_subject;              // {cert_subject} ("" = no verified client certificate)
  std::vector<std::string> tenant_ids;   // every X-MS-Exchange-CrossTenant-Id value, in order
  bool tenant_ids_overflow = false;      // more of them than were kept: never ours
  std::string envelope_sender;           // MAIL FROM
};

struct RelayJudgement {
  const TrustedRelay* relay = nullptr;   // the relay the client is in (null: not a relay)
  bool ours = false;                     // every requirement of that relay held
  std::string unmet;                     // the requirements that did not hold, for the log ("tenant_id,cert")
};

// The first relay in `relays` whose networks hold the client, and whether this message meets
// its requirements; `internal_domains` for internal_senders_only. `relays` must outlive it.
RelayJudgement JudgeRelay(const std::vector<TrustedRelay>& relays, const RelayEvidence& evidence,
                          const rules::RecipientDirectory& directory);

}  // namespace sendguard::milter
