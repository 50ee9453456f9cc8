// SPDX-License-Identifier: Apache-2.0
// Client networks and trusted relays: ranges matched and checked, each relay requirement met
// and missed, and the config's trusted_relays read, refused with file:line and described.
#include "sendguard/milter/relay_trust.h"

#include <gtest/gtest.h>

#include "sendguard/milter/config.h"

namespace sendguard::milter {
namespace {

const char* kOurs = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const char* kTheirs = "11111111-2222-3333-4444-555555555555";

TEST(RelayTrustTest, NetworksMatchAddressesOfTheirFamilyOnly) {
  EXPECT_TRUE(InNetworks("40.107.22.5", {"40.107.0.0/16"}));
  EXPECT_FALSE(InNetworks("40.108.22.5", {"40.107.0.0/16"}));
  EXPECT_TRUE(InNetworks("::ffff:40.107.22.5", {"40.107.0.0/16"}));
  EXPECT_TRUE(InNetworks("[IPv6:2a01:111:f400::1]", {"2a01:111:f400::/48"}));
  EXPECT_FALSE(InNetworks("2a01:111:f401::1", {"2a01:111:f400::/48"}));
  EXPECT_TRUE(InNetworks("127.0.0.2", {"127.0.0.2"}));
  EXPECT_FALSE(InNetworks("127.0.0.3", {"127.0.0.2"}));
  EXPECT_FALSE(InNetworks("not an address", {"0.0.0.0/0"}));
  EXPECT_FALSE(InNetworks("10.0.0.1", {"10.0.0.0/33", "bad"}));  // refused by the config; never a match
}

TEST(RelayTrustTest, NetworkProblemsAreNamed) {
  EXPECT_EQ(NetworkProblem("192.0.2.0/24"), "");
  EXPECT_EQ(NetworkProblem("2001:db8::/32"), "");
  EXPECT_EQ(NetworkProblem("192.0.2.7"), "");
  EXPECT_NE(NetworkProblem("192.0.2.0/33").find("bad prefix length"), std::string::npos);
  EXPECT_NE(NetworkProblem("192.0.2.0/"), "");
  EXPECT_NE(NetworkProblem("192.0.2.0/2x"), "");
  EXPECT_NE(NetworkProblem("300.0.2.0/24").find("not an IPv4 or IPv6"), std::string::npos);
  EXPECT_NE(NetworkProblem("outlook.com"), "");
}

TrustedRelay Exo() {
  TrustedRelay r;
  r.name = "exchange-online";
  r.networks = {"127.0.0.2/32"};
  r.tenant_ids = {kOurs};
  return r;
}

rules::RecipientDirectory Directory() {
  rules::RecipientDirectory d;
  d.internal = {"council.example.gov.uk"};
  return d;
}

TEST(RelayTrustTest, TenantIdMustBeOursOnEveryStamp) {
  const std::vector<TrustedRelay> relays = {Exo()};
  auto judge = [&](std::vector<std::string> ids, bool overflow = false) {
    return JudgeRelay(relays, {"127.0.0.2", "", std::move(ids), overflow, "<a@council.example.gov.uk>"}, Directory());
  };
  EXPECT_TRUE(judge({kOurs}).ours);
  EXPECT_TRUE(judge({std::string(" {") + "0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0" + "} "}).ours) << "case and braces";
  EXPECT_FALSE(judge({}).ours) << "no stamp";
  EXPECT_FALSE(judge({kTheirs}).ours);
  EXPECT_FALSE(judge({kOurs, kTheirs}).ours) << "a forged copy of ours beside the real stamp";
  EXPECT_FALSE(judge({kOurs}, /*overflow=*/true).ours);
  EXPECT_EQ(judge({kTheirs}).unmet, "tenant_id");
  EXPECT_EQ(judge({kTheirs}).relay, &relays[0]);
  // Not a relay at all: the caller falls back to internal_networks.
  EXPECT_EQ(JudgeRelay(relays, {"127.0.0.3", "", {kOurs}, false, ""}, Directory()).relay, nullptr);
}

TEST(RelayTrustTest, CertificateAndSenderDomainRequirements) {
  TrustedRelay r = Exo();
  r.tenant_ids.clear();
  r.tls_cert_subjects = {"mail.protection.outlook.com"};
  r.internal_senders_only = true;
  const std::vector<TrustedRelay> relays = {r};
  auto judge = [&](const std::string& cert, const std::string& sender) {
    return JudgeRelay(relays, {"127.0.0.2", cert, {}, false, sender}, Directory());
  };
  EXPECT_TRUE(judge("MAIL.protection.outlook.com", "<s.okafor@council.example.gov.uk>").ours);
  EXPECT_TRUE(judge("mail.protection.outlook.com", "<s.okafor@social.council.example.gov.uk>").ours) << "a subdomain";
  EXPECT_EQ(judge("", "<s.okafor@council.example.gov.uk>").unmet, "tls_cert_subject");
  EXPECT_EQ(judge("mail.protection.outlook.com", "<x@example.org>").unmet, "internal_sender");
  EXPECT_EQ(judge("other.example", "<>").unmet, "tls_cert_subject,internal_sender");
  EXPECT_EQ(judge("mail.protection.outlook.com", "<x@evilcouncil.example.gov.uk>").unmet, "internal_sender");
}

TEST(RelayTrustTest, ConfigReadsRelaysAndDefaultsWarnToHold) {
  auto c = ParseConfig(std::string("milter:\n  trusted_relays:\n    - name: exo\n      networks: [40.107.0.0/16, \"2a01:111:f400::/48\"]\n"
                                   "      tenant_ids: [") + kOurs + "]\n", "r.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->milter.trusted_relays.size(), 1u);
  EXPECT_EQ(c->milter.trusted_relays[0].name, "exo");
  EXPECT_EQ(c->milter.trusted_relays[0].networks.size(), 2u);
  EXPECT_EQ(c->warn_mode, WarnMode::kHoldAndConfirm) << "a relay turns a 5xx into a bounce: hold by default";
  const std::string described = DescribeConfig(*c);
  EXPECT_NE(described.find("trusted_relays:"), std::string::npos) << described;
  EXPECT_NE(described.find(kOurs), std::string::npos) << described;
  EXPECT_NE(described.find("mode: hold_and_confirm"), std::string::npos) << described;
  // Described, then read again: the same.
  auto again = ParseConfig(described, "described.yaml");
  ASSERT_TRUE(again.ok()) << again.status().message() << described;
  EXPECT_EQ(again->milter.trusted_relays[0].tenant_ids, c->milter.trusted_relays[0].tenant_ids);

  auto chosen = ParseConfig(std::string("warn: {mode: reject_and_confirm}\nmilter:\n  trusted_relays:\n    - networks: [10.0.0.0/8]\n"
                                        "      internal_senders_only: true\n"), "r.yaml");
  ASSERT_TRUE(chosen.ok()) << chosen.status().message();
  EXPECT_EQ(chosen->warn_mode, WarnMode::kRejectAndConfirm) << "the admin's choice stands";
  EXPECT_EQ(ParseConfig("", "e.yaml")->warn_mode, WarnMode::kRejectAndConfirm);
}

TEST(RelayTrustTest, ConfigRefusesBadRelaysWithFileAndLine) {
  auto bad_cidr = ParseConfig("milter:\n  internal_networks:\n    - 127.0.0.0/8\n    - 10.0.0.0/40\n", "n.yaml");
  ASSERT_FALSE(bad_cidr.ok());
  EXPECT_NE(bad_cidr.status().message().find("n.yaml:4: internal_networks: '10.0.0.0/40' has a bad prefix length"),
            std::string::npos) << bad_cidr.status().message();
  auto range_only = ParseConfig("milter:\n  trusted_relays:\n    - name: exo\n      networks: [40.107.0.0/16]\n", "r.yaml");
  ASSERT_FALSE(range_only.ok());
  EXPECT_NE(range_only.status().message().find("r.yaml:3: trusted relay 'exo': a trusted relay needs tenant_ids"),
            std::string::npos) << range_only.status().message();
  auto bad_net = ParseConfig("milter:\n  trusted_relays:\n    - networks: [40.107.0.0/16, exchange.example]\n"
                             "      internal_senders_only: true\n", "r.yaml");
  ASSERT_FALSE(bad_net.ok());
  EXPECT_NE(bad_net.status().message().find("r.yaml:3: networks: 'exchange.example' is not an IPv4"), std::string::npos)
      << bad_net.status().message();
  auto bad_tenant = ParseConfig("milter:\n  trusted_relays:\n    - networks: [40.107.0.0/16]\n      tenant_ids: [contoso]\n", "r.yaml");
  ASSERT_FALSE(bad_tenant.ok());
  EXPECT_NE(bad_tenant.status().message().find("is not a GUID"), std::string::npos) << bad_tenant.status().message();
  auto shared_cert = ParseConfig("milter:\n  trusted_relays:\n    - networks: [40.107.0.0/16]\n"
                                 "      tls_cert_subjects: [mail.protection.outlook.com]\n", "r.yaml");
  ASSERT_FALSE(shared_cert.ok());
  EXPECT_NE(shared_cert.status().message().find("the same for every Microsoft 365 tenant"), std::string::npos)
      << shared_cert.status().message();
  auto cert_and_tenant = ParseConfig(std::string("milter:\n  trusted_relays:\n    - networks: [40.107.0.0/16]\n"
                                                 "      tls_cert_subjects: [mail.protection.outlook.com]\n      tenant_ids: [") +
                                         kOurs + "]\n      not_ours: reject\n", "r.yaml");
  ASSERT_TRUE(cert_and_tenant.ok()) << cert_and_tenant.status().message();
  EXPECT_TRUE(cert_and_tenant->milter.trusted_relays[0].reject_not_ours);
  EXPECT_NE(DescribeConfig(*cert_and_tenant).find("not_ours: reject"), std::string::npos);
  auto bad_not_ours = ParseConfig("milter:\n  trusted_relays:\n    - networks: [40.107.0.0/16]\n      internal_senders_only: true\n"
                                  "      not_ours: drop\n", "r.yaml");
  ASSERT_FALSE(bad_not_ours.ok());
  EXPECT_NE(bad_not_ours.status().message().find("r.yaml:5: not_ours must be"), std::string::npos) << bad_not_ours.status().message();
  auto unknown = ParseConfig("milter:\n  trusted_relays:\n    - networks: [40.107.0.0/16]\n      internal_senders_only: true\n"
                             "      tennant_ids: []\n", "r.yaml");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("r.yaml:5:"), std::string::npos) << unknown.status().message();
}

}  // namespace
}  // namespace sendguard::milter
