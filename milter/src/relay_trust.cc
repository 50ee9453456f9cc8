// SPDX-License-Identifier: Apache-2.0
// Client address ranges and trusted relays (see relay_trust.h).
#include "sendguard/milter/relay_trust.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "sendguard/common/text.h"

namespace sendguard::milter {
namespace {

// `text` as an address of its family; false when it is not one.
bool ParseAddress(std::string text, unsigned char out[16], int* family) {
  if (!text.empty() && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  if (text.rfind("IPv6:", 0) == 0) text = text.substr(5);
  if (const size_t zone = text.find('%'); zone != std::string::npos) text.resize(zone);  // fe80::1%eth0
  *family = text.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  if (inet_pton(*family, text.c_str(), out) != 1) return false;
  // An IPv4 client seen through a dual-stack socket (::ffff:192.0.2.1) is that IPv4 client.
  static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (*family == AF_INET6 && std::memcmp(out, kMapped, 12) == 0) {
    std::memmove(out, out + 12, 4);
    *family = AF_INET;
  }
  return true;
}

// The prefix length after the slash, or -1 when it is not a whole number in 0..width.
int PrefixLength(const std::string& bits, int width) {
  if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos) return -1;
  const int n = std::stoi(bits);
  return n <= width ? n : -1;
}

// A GUID compared as Microsoft writes it in either case, without braces or spaces.
std::string CanonicalTenant(std::string_view id) {
  std::string out = common::AsciiLower(std::string(common::Trim(id)));
  if (out.size() >= 2 && out.front() == '{' && out.back() == '}') out = out.substr(1, out.size() - 2);
  return out;
}

}  // namespace

bool InNetworks(const std::string& address, const std::vector<std::string>& networks) {
  unsigned char addr[16];
  int family = 0;
  if (!ParseAddress(address, addr, &family)) return false;
  for (const auto& net : networks) {
    const size_t slash = net.find('/');
    unsigned char n[16];
    int net_family = 0;
    if (!ParseAddress(net.substr(0, slash), n, &net_family) || net_family != family) continue;
    const int width = family == AF_INET ? 32 : 128;
    const int bits = slash == std::string::npos ? width : PrefixLength(net.substr(slash + 1), width);
    if (bits < 0) continue;
    bool match = true;
    for (int i = 0; i < bits && match; ++i) {
      const int mask = 0x80 >> (i % 8);
      match = (addr[i / 8] & mask) == (n[i / 8] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string NetworkProblem(const std::string& network) {
  const size_t slash = network.find('/');
  unsigned char n[16];
  int family = 0;
  if (!ParseAddress(network.substr(0, slash), n, &family)) {
    return "'" + network + "' is not an IPv4 or IPv6 address or CIDR range (such as 192.0.2.0/24 or 2001:db8::/32)";
  }
  if (slash != std::string::npos && PrefixLength(network.substr(slash + 1), family == AF_INET ? 32 : 128) < 0) {
    return "'" + network + "' has a bad prefix length (0-" + (family == AF_INET ? "32" : "128") + ")";
  }
  return "";
}

std::string RelayProblem(const TrustedRelay& relay) {
  if (relay.networks.empty()) return "a trusted relay needs 'networks': the relay's client addresses";
  if (relay.tls_cert_subjects.empty() && relay.tenant_ids.empty() && !relay.internal_senders_only) {
    return "a trusted relay needs tenant_ids, tls_cert_subjects or internal_senders_only: true besides its networks "
           "(Exchange Online sends every Microsoft 365 customer's mail from the same addresses, so an address range "
           "alone would treat anyone's mail as the organisation's)";
  }
  if (relay.tenant_ids.empty() && !relay.internal_senders_only) {
    for (const auto& name : relay.tls_cert_subjects) {
      const std::string n = common::AsciiLower(name);
      for (const char* shared : {"outlook.com", "office365.us", "outlook.cn", "outlook.de"}) {
        if (rules::DomainMatches(n, shared)) {
          return "'" + name + "' is Exchange Online's certificate, the same for every Microsoft 365 tenant: add "
                 "tenant_ids (or internal_senders_only: true) so that another tenant's mail is not taken for ours";
        }
      }
    }
  }
  for (const auto& id : relay.tenant_ids) {
    const std::string t = CanonicalTenant(id);
    if (t.size() != 36 || t.find_first_not_of("0123456789abcdef-") != std::string::npos) {
      return "tenant id '" + id + "' is not a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47";
    }
  }
  return "";
}

RelayJudgement JudgeRelay(const std::vector<TrustedRelay>& relays, const RelayEvidence& e,
                          const rules::RecipientDirectory& directory) {
  RelayJudgement j;
  const auto relay = std::find_if(relays.begin(), relays.end(),
                                  [&](const TrustedRelay& r) { return InNetworks(e.client_address, r.networks); });
  if (relay == relays.end()) return j;
  j.relay = &*relay;
  auto unmet = [&](const char* what) { j.unmet += (j.unmet.empty() ? "" : ",") + std::string(what); };
  if (!relay->tls_cert_subjects.empty()) {
    const bool named = !e.cert_subject.empty() &&
                       std::any_of(relay->tls_cert_subjects.begin(), relay->tls_cert_subjects.end(), [&](const std::string& s) {
                         return common::AsciiLower(s) == common::AsciiLower(e.cert_subject);
                       });
    if (!named) unmet("tls_cert_subject");
  }
  if (!relay->tenant_ids.empty()) {
    // Every stamp must be ours: Exchange Online stamps the tenant the message came from, so a
    // message from another tenant carries that tenant's id even beside a forged copy of ours.
    bool all_ours = !e.tenant_ids.empty() && !e.tenant_ids_overflow;
    for (const auto& seen : e.tenant_ids) {
      all_ours = all_ours && std::any_of(relay->tenant_ids.begin(), relay->tenant_ids.end(), [&](const std::string& t) {
                   return CanonicalTenant(t) == CanonicalTenant(seen);
                 });
    }
    if (!all_ours) unmet("tenant_id");
  }
  if (relay->internal_senders_only) {
    const std::string domain = rules::DomainOf(e.envelope_sender);
    const bool internal = !domain.empty() && std::any_of(directory.internal.begin(), directory.internal.end(),
                                                         [&](const std::string& d) { return rules::DomainMatches(domain, d); });
    if (!internal) unmet("internal_sender");
  }
  j.ours = j.unmet.empty();
  return j;
}

}  // namespace sendguard::milter
