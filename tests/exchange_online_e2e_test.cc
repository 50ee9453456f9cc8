// SPDX-License-Identifier: Apache-2.0
// sendguard as the smart host behind Exchange Online's outbound connector, end to end: swaks ->
// a relay Postfix standing in for Exchange Online (its client bound to 127.0.0.2, TLS with a
// client certificate, relayhost = the gateway) -> the gateway Postfix with sendguard-milter ->
// a sink. The relay's address is not in internal_networks: its mail is outbound only through
// milter.trusted_relays. Shows: clean mail from the relay is outbound and delivered; warned mail
// is held by default and the sender gets the hold notice; with reject_and_confirm the relay
// bounces to the sender with sendguard's reason (the NDR); mail from the relay's address
// without the tenant id or certificate is inbound (skipped with milter.scan: outbound).
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <regex>

#include "e2e/council_mail.h"
#include "e2e/no_identifiers.h"
#include "e2e/postfix_harness.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

using testing::MilterDaemon;
using testing::PostfixInstance;

const char* kOurTenant = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const char* kOtherTenant = "11111111-2222-3333-4444-555555555555";
const char* kSender = "s.okafor@council.example.gov.uk";
const char* kOutside = "j.smith@example.org";

// A test CA, the gateway's server certificate and the relay's client certificate (CN
// relay.exo.test), in `dir`.
void MakeCertificates(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string d = dir.string();
  std::string out;
  const std::string ca = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + d + "/ca.key -out " + d +
                         "/ca.pem -days 2 -subj /CN=sendguard-test-ca 2>&1";
  ASSERT_EQ(testing::Shell(ca, &out), 0) << out;
  for (const std::string name : {"gw.sendguard.test", "relay.exo.test"}) {
    const std::string base = d + "/" + name;
    ASSERT_EQ(testing::Shell("openssl req -newkey rsa:2048 -nodes -keyout " + base + ".key -out " + base + ".csr -subj /CN=" +
                                 name + " 2>&1 && openssl x509 -req -in " + base + ".csr -CA " + d + "/ca.pem -CAkey " + d +
                                 "/ca.key -CAcreateserial -out " + base + ".pem -days 2 2>&1",
                             &out),
              0)
        << out;
  }
  testing::Shell("chmod 0755 " + d + " && chmod 0644 " + d + "/*");
}

class ExchangeOnlineE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "Postfix's master must start as root (CI runs the test command as root)";
    synth::Rng rng(static_cast<uint64_t>(::testing::UnitTest::GetInstance()->random_seed()) + 2165);
    for (int i = 0; i < 12; ++i) nhs_.push_back(synth::NhsNumber(rng));
    certs_ = std::filesystem::temp_directory_path() / ("sendguard-exo-certs-" + std::to_string(::getpid()));
    MakeCertificates(certs_);
  }
  void TearDown() override {
    relay_.reset();
    gateway_.reset();
    milter_.reset();
    if (!HasFailure()) std::filesystem::remove_all(certs_);
  }

  // The gateway (milter + Postfix) and the relay. `relay_yaml` is the one trusted relay's
  // requirement lines; `warn_yaml` the warn section's extra lines ("" = the default mode).
  void Start(const std::string& relay_yaml, const std::string& warn_yaml = "") {
    const int gateway_port = testing::FreePort();
    const std::string c = certs_.string();
    milter_ = std::make_unique<MilterDaemon>(
        "exo",
        "organisation:\n  name: {en: the council, cy: y cyngor}\n  internal_domains: [council.example.gov.uk]\n"
        "warn:\n  notify_from: sendguard@council.example.gov.uk\n  link_base_url: http://127.0.0.1:1\n" + warn_yaml,
        // Hold notices come back in from 127.0.0.1, the one internal address; the relay's
        // 127.0.0.2 is outbound only as a trusted relay.
        "  smtp_url: smtp://127.0.0.1:" + std::to_string(gateway_port) +
            "\n  internal_networks: [127.0.0.1/32]\n  trusted_relays:\n    - name: exchange-online\n"
            "      networks: [127.0.0.2/32]\n" + relay_yaml);
    gateway_ = std::make_unique<PostfixInstance>(
        milter_->PostfixSpec(),
        "smtpd_tls_security_level = may\nsmtpd_tls_cert_file = " + c + "/gw.sendguard.test.pem\nsmtpd_tls_key_file = " + c +
            "/gw.sendguard.test.key\nsmtpd_tls_ask_ccert = yes\nsmtpd_tls_CAfile = " + c + "/ca.pem\nsmtpd_tls_loglevel = 2\n"
            "milter_helo_macros = {tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}\n",
        gateway_port, "gateway");
    relay_ = std::make_unique<PostfixInstance>(
        "",
        "myhostname = relay.exo.test\ndefault_transport = smtp\nrelay_transport = smtp\n"
        "relayhost = [127.0.0.1]:" + std::to_string(gateway_port) + "\nsmtp_bind_address = 127.0.0.2\n"
        // The organisation's own mailboxes (where Exchange Online puts an NDR) are the relay's sink.
        "transport_maps = inline:{ council.example.gov.uk=sink }\n"
        "smtp_tls_security_level = encrypt\nsmtp_tls_cert_file = " + c + "/relay.exo.test.pem\nsmtp_tls_key_file = " + c +
            "/relay.exo.test.key\n",
        0, "relay");
  }

  std::string Marker(const std::string& name) { return name + "-" + std::to_string(::getpid()) + "-end"; }

  // Sends through the relay as Outlook would through Exchange Online, stamped with `tenants`.
  void SendThroughRelay(const std::string& marker, bool sensitive, const std::vector<std::string>& tenants) {
    std::string stamps;
    for (const auto& t : tenants) stamps += "X-MS-Exchange-CrossTenant-Id: " + t + "\r\n";
    auto sent = relay_->Send(kSender, {kOutside}, stamps + testing::CouncilMessage(marker, kOutside, nhs_, sensitive));
    ASSERT_TRUE(sent.queued) << sent.transcript << relay_->Log();
  }

  // Messages holding `text` in `where`'s sink, waiting (both queues flushed) up to 30 s for `want`.
  std::vector<std::string> WaitFor(PostfixInstance& where, const std::string& text, size_t want = 1) {
    std::vector<std::string> got;
    for (int i = 0; i < 60 && got.size() < want; ++i) {
      relay_->Flush(1);
      gateway_->Flush(1);
      got = where.Delivered(text);
      if (got.size() < want) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return got;
  }

  std::string Everything() { return "\n-- milter:\n" + milter_->Log() + "\n-- gateway:\n" + gateway_->Log() + "\n-- relay:\n" + relay_->Log(); }

  std::vector<std::string> nhs_;
  std::filesystem::path certs_;
  std::unique_ptr<MilterDaemon> milter_;
  std::unique_ptr<PostfixInstance> gateway_, relay_;
};

TEST_F(ExchangeOnlineE2eTest, CleanMailFromOurTenantIsOutboundAndDelivered) {
  Start(std::string("      tenant_ids: [") + kOurTenant + "]\n");
  const std::string marker = Marker("clean");
  ASSERT_NO_FATAL_FAILURE(SendThroughRelay(marker, /*sensitive=*/false, {kOurTenant}));
  auto got = WaitFor(*gateway_, "X-Test-Id: " + marker);
  ASSERT_EQ(got.size(), 1u) << Everything();
  EXPECT_NE(got[0].find(std::string("X-Sink-Recipients: ") + kOutside), std::string::npos) << got[0];
  // Scanned as outbound: to an outside recipient, the neutral header only; not "skipped".
  EXPECT_NE(got[0].find("X-Sendguard: checked"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("skipped; direction=inbound"), std::string::npos) << got[0];
  // It came from the relay's address, over TLS.
  EXPECT_NE(got[0].find("127.0.0.2"), std::string::npos) << got[0];
  EXPECT_NE(milter_->Log().find("direction=outbound verdict=allow"), std::string::npos) << milter_->Log();
  EXPECT_NE(milter_->Metrics().find("sendguard_messages_total{direction=\"outbound\",verdict=\"allow\""), std::string::npos)
      << milter_->Metrics();
}

TEST_F(ExchangeOnlineE2eTest, WarnedMailIsHeldByDefaultAndTheSenderGetsTheNotice) {
  Start(std::string("      tenant_ids: [") + kOurTenant + "]\n");
  const std::string marker = Marker("held");
  ASSERT_NO_FATAL_FAILURE(SendThroughRelay(marker, /*sensitive=*/true, {kOurTenant}));
  // The notice reaches the sender (through the gateway, from its own loopback address).
  auto notice = WaitFor(*gateway_, "Not sent yet: please confirm or cancel \"referrals");
  ASSERT_EQ(notice.size(), 1u) << Everything();
  EXPECT_NE(notice[0].find(std::string("X-Sink-Recipients: ") + kSender), std::string::npos) << notice[0];
  EXPECT_NE(notice[0].find("12 NHS numbers"), std::string::npos) << notice[0];
  EXPECT_TRUE(std::regex_search(notice[0], std::regex(R"(/staff/hold/[0-9a-f]{32}\?t=[0-9a-f]{32})"))) << notice[0];
  testing::ExpectNoNhsNumber(notice[0], nhs_, "notice");
  // Held: not delivered, and the relay was told 250 (no bounce to the sender).
  EXPECT_TRUE(gateway_->Delivered("X-Test-Id: " + marker).empty()) << Everything();
  EXPECT_TRUE(relay_->Delivered("X-Test-Id: " + marker).empty()) << "no NDR in hold mode" << Everything();
  EXPECT_NE(relay_->Log().find("status=sent"), std::string::npos) << relay_->Log();
  EXPECT_NE(milter_->Log().find("direction=outbound verdict=warn"), std::string::npos) << milter_->Log();
  EXPECT_NE(milter_->Log().find("incident=HELD"), std::string::npos) << milter_->Log();
  testing::ExpectNoNhsNumber(milter_->Log(), nhs_, "milter log");
}

TEST_F(ExchangeOnlineE2eTest, RejectAndConfirmBecomesAnNdrFromTheRelayCarryingTheReason) {
  Start(std::string("      tenant_ids: [") + kOurTenant + "]\n", "  mode: reject_and_confirm\n");
  const std::string marker = Marker("ndr");
  ASSERT_NO_FATAL_FAILURE(SendThroughRelay(marker, /*sensitive=*/true, {kOurTenant}));
  // The relay got a 5xx and bounced to the sender's mailbox (its sink): the NDR.
  auto ndr = WaitFor(*relay_, "X-Test-Id: " + marker);
  ASSERT_EQ(ndr.size(), 1u) << Everything();
  EXPECT_NE(ndr[0].find(std::string("X-Sink-Recipients: ") + kSender), std::string::npos) << ndr[0];
  EXPECT_NE(ndr[0].find("Undelivered Mail Returned to Sender"), std::string::npos) << ndr[0];
  EXPECT_NE(ndr[0].find("said: 550"), std::string::npos) << ndr[0];
  EXPECT_NE(ndr[0].find("12 NHS numbers"), std::string::npos) << ndr[0];
  EXPECT_TRUE(std::regex_search(ndr[0], std::regex(R"(\[confirm [0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}\])"))) << ndr[0];
  EXPECT_TRUE(gateway_->Delivered("X-Test-Id: " + marker).empty()) << Everything();
  // The NDR quotes the returned message: the identifiers are the sender's own text, but
  // sendguard's own reason carries none.
  const size_t reason_end = ndr[0].find("Content-Description: Undelivered Message");
  testing::ExpectNoNhsNumber(ndr[0].substr(0, reason_end), nhs_, "NDR reason");
}

TEST_F(ExchangeOnlineE2eTest, MailFromTheRelayWithoutOurTenantIdIsInbound) {
  Start(std::string("      tenant_ids: [") + kOurTenant + "]\n");
  int n = 0;
  for (const auto& tenants : std::vector<std::vector<std::string>>{{kOtherTenant}, {}, {kOurTenant, kOtherTenant}}) {
    const std::string marker = Marker("foreign" + std::to_string(n++));
    ASSERT_NO_FATAL_FAILURE(SendThroughRelay(marker, /*sensitive=*/true, tenants));
    auto got = WaitFor(*gateway_, "X-Test-Id: " + marker);
    // Not ours: inbound, so not scanned (milter.scan: outbound) and not held.
    ASSERT_EQ(got.size(), 1u) << Everything();
    EXPECT_NE(got[0].find("X-Sendguard-Scan: skipped; direction=inbound"), std::string::npos) << got[0];
  }
  EXPECT_TRUE(gateway_->Delivered("Not sent yet").empty()) << Everything();
  EXPECT_NE(milter_->Log().find("relay=exchange-online not the organisation's: unmet=tenant_id"), std::string::npos)
      << milter_->Log();
  EXPECT_EQ(milter_->Log().find("direction=outbound"), std::string::npos) << milter_->Log();
}

TEST_F(ExchangeOnlineE2eTest, NotOursRejectRefusesAnotherTenantsMail) {
  // A gateway that is only the smart host need not relay other tenants' mail at all.
  Start(std::string("      tenant_ids: [") + kOurTenant + "]\n      not_ours: reject\n");
  const std::string theirs = Marker("theirs"), ours = Marker("ours");
  ASSERT_NO_FATAL_FAILURE(SendThroughRelay(theirs, /*sensitive=*/false, {kOtherTenant}));
  ASSERT_NO_FATAL_FAILURE(SendThroughRelay(ours, /*sensitive=*/false, {kOurTenant}));
  auto ndr = WaitFor(*relay_, "X-Test-Id: " + theirs);
  ASSERT_EQ(ndr.size(), 1u) << Everything();
  // Postfix folds the reply over lines in the NDR.
  const std::string unfolded = std::regex_replace(ndr[0], std::regex(R"(\s+)"), " ");
  EXPECT_NE(unfolded.find("said: 550 5.7.1 this gateway relays only its own organisation's mail"), std::string::npos) << ndr[0];
  EXPECT_EQ(WaitFor(*gateway_, "X-Test-Id: " + ours).size(), 1u) << Everything();
  EXPECT_TRUE(gateway_->Delivered("X-Test-Id: " + theirs).empty()) << Everything();
  EXPECT_NE(milter_->Log().find("unmet=tenant_id action=reject"), std::string::npos) << milter_->Log();
}

TEST_F(ExchangeOnlineE2eTest, TheVerifiedClientCertificateNamesTheRelay) {
  // Postfix passes {cert_subject} (a HELO-stage macro, sent though sendguard skips HELO) only
  // for a certificate it verified against smtpd_tls_CAfile.
  Start("      tls_cert_subjects: [relay.exo.test]\n");
  const std::string marker = Marker("cert");
  ASSERT_NO_FATAL_FAILURE(SendThroughRelay(marker, /*sensitive=*/false, {}));
  auto got = WaitFor(*gateway_, "X-Test-Id: " + marker);
  ASSERT_EQ(got.size(), 1u) << Everything();
  // What OPERATIONS.md tells the admin to look for: the verified certificate and its name.
  EXPECT_TRUE(std::regex_search(gateway_->Log(), std::regex(R"(Trusted TLS connection established from \S*\[127\.0\.0\.2\])")))
      << gateway_->Log();
  EXPECT_NE(gateway_->Log().find("subject_CN=relay.exo.test, issuer=sendguard-test-ca"), std::string::npos) << gateway_->Log();
  EXPECT_NE(got[0].find("X-Sendguard: checked"), std::string::npos) << got[0];
  EXPECT_NE(milter_->Log().find("direction=outbound verdict=allow"), std::string::npos) << milter_->Log();
}

TEST_F(ExchangeOnlineE2eTest, AnotherCertificateNameIsNotOurRelay) {
  Start("      tls_cert_subjects: [other-relay.exo.test]\n");
  const std::string marker = Marker("othercert");
  ASSERT_NO_FATAL_FAILURE(SendThroughRelay(marker, /*sensitive=*/false, {}));
  auto got = WaitFor(*gateway_, "X-Test-Id: " + marker);
  ASSERT_EQ(got.size(), 1u) << Everything();
  EXPECT_NE(got[0].find("X-Sendguard-Scan: skipped; direction=inbound"), std::string::npos) << got[0];
  EXPECT_NE(milter_->Log().find("unmet=tls_cert_subject"), std::string::npos) << milter_->Log();
}

}  // namespace
}  // namespace sendguard
