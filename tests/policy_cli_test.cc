// SPDX-License-Identifier: Apache-2.0
// The policy side of the command line: `scan --from/--to` verdicts, reasons, signals and
// explanations; a config file; a bad policy file; `history import` feeding history
// signals; and `replay` over a Maildir and an mbox built here.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli_support.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

namespace fs = std::filesystem;
using testing::CommandRun;
using testing::Sendguard;

class PolicyCliTest : public testing::CliTest {
 protected:
  PolicyCliTest() {
    synth::Rng rng(2024);
    std::string rows = "NHS number\tName\tNeed";
    std::vector<std::string> sheet = {rows};
    for (int i = 0; i < 14; ++i) {
      nhs_.push_back(synth::NhsNumber(rng));
      sheet.push_back(synth::Grouped(nhs_.back(), {3, 3, 4}, ' ') + "\tService user " + std::to_string(i) +
                      "\tmental health assessment, medication review");
    }
    referral_ = synth::MessageWithAttachments("Dear Jo,\r\nPlease find the referrals attached.\r\n",
                                              {{"referrals.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                                synth::Xlsx(sheet)}});
  }
  nlohmann::json ScanJson(const std::string& args) {
    CommandRun r = Sendguard("scan --json " + Common() + " " + args);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    size_t brace = r.out.find('{');
    EXPECT_NE(brace, std::string::npos) << r.out;
    last_output_ = r.out;
    return nlohmann::json::parse(r.out.substr(brace));
  }
  void ExpectNoClearIdentifier(const std::string& out) {
    for (const auto& n : nhs_) {
      EXPECT_EQ(out.find(n), std::string::npos);
      EXPECT_EQ(out.find(synth::Grouped(n, {3, 3, 4}, ' ')), std::string::npos);
    }
  }
  std::vector<std::string> nhs_;
  std::string referral_;
  std::string last_output_;
};

TEST_F(PolicyCliTest, ScanWithEnvelopeGivesVerdictReasonsSignalsAndExplanation) {
  std::string eml = Write("referral.eml", referral_);
  auto j = ScanJson("--internal-domain council.example.gov.uk --from staff@council.example.gov.uk --to j.smith@gmial.com " + eml);
  EXPECT_EQ(j["verdict"], "block");
  ASSERT_FALSE(j["policies"].empty());
  EXPECT_EQ(j["policies"][0], "identifiers-lookalike-block");
  bool lookalike = false;
  for (const auto& s : j["signals"]) {
    for (const char* key : {"type", "recipient", "detail"}) EXPECT_TRUE(s.contains(key)) << key;
    if (s["type"] == "lookalike_domain") {
      lookalike = true;
      EXPECT_EQ(s["recipient"], "j.smith@gmial.com");
      EXPECT_EQ(s["detail"], "looks like gmail.com (1 character different)");
    }
  }
  EXPECT_TRUE(lookalike);
  EXPECT_EQ(j["explanation"],
            "This email contains 14 NHS numbers and health information in 'referrals.xlsx' and is going to someone "
            "outside the organisation (j.smith@gmial.com, which looks like gmail.com). Check the address.");
  ExpectNoClearIdentifier(last_output_);
  // The same message to a colleague: allowed, nothing to explain.
  j = ScanJson("--internal-domain council.example.gov.uk --from staff@council.example.gov.uk --to jo@council.example.gov.uk " + eml);
  EXPECT_EQ(j["verdict"], "allow");
  EXPECT_EQ(j["explanation"], "");
  // Without --from/--to the envelope comes from From/To: someone@example.org is outside.
  j = ScanJson("--internal-domain council.example.gov.uk " + eml);
  EXPECT_EQ(j["sender"], "staff@council.example.gov.uk");
  EXPECT_EQ(j["recipients"][0], "someone@example.org");
  EXPECT_EQ(j["verdict"], "warn");
}

TEST_F(PolicyCliTest, ConfigFileSetsOrganisationLanguageAndPartners) {
  std::string eml = Write("referral.eml", referral_);
  std::string config = Write("sendguard.yaml", R"(organisation:
  name: {en: the council, cy: y cyngor}
  internal_domains: [council.example.gov.uk, council.example.gov.wales]
  partner_domains:
    - domain: nhs.net
      allowed_categories: [BASIC_IDENTIFIERS]
  language_by_sender_domain: {council.example.gov.wales: cy}
)");
  auto j = ScanJson("--config " + config + " --from a@council.example.gov.wales --to j.smith@gmial.com " + eml);
  EXPECT_EQ(j["language"], "cy");
  EXPECT_NE(j["explanation"].get<std::string>().find("14 rhif GIG"), std::string::npos) << j["explanation"];
  EXPECT_NE(j["explanation"].get<std::string>().find("y tu allan i'r cyngor"), std::string::npos) << j["explanation"];
  // Health data to a partner whose agreement covers identifiers only.
  j = ScanJson("--config " + config + " --from a@council.example.gov.uk --to gp@nhs.net " + eml);
  EXPECT_EQ(j["verdict"], "warn");
  EXPECT_EQ(j["policies"][0], "outside-sharing-agreement-warn");
  // --partner-domain replaces the config's partners (and their agreements).
  j = ScanJson("--config " + config + " --partner-domain nhs.net --from a@council.example.gov.uk --to gp@nhs.net " + eml);
  EXPECT_EQ(j["verdict"], "allow");
  std::string bad = Write("bad.yaml", "organisation:\n  internal_domain: [x]\n");
  CommandRun r = Sendguard("scan " + Common() + " --config " + bad + " " + eml);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(bad + ":2: unknown key 'internal_domain'"), std::string::npos) << r.out;
}

TEST_F(PolicyCliTest, PolicyFilesAreCheckedWithFileAndLine) {
  std::string eml = Write("referral.eml", referral_);
  std::string strict = Write("strict.yaml", R"(policies:
  - id: any-nhs-quarantine
    action: quarantine
    when: {findings: {types: [uk.nhs_number]}}
    reason: "{findings}{where}"
)");
  auto j = ScanJson("--policy " + strict + " --internal-domain council.example.gov.uk " + eml);
  EXPECT_EQ(j["verdict"], "quarantine");
  EXPECT_EQ(j["policies"].size(), 1u) << "--policy replaces the shipped policies";
  std::string bad = Write("bad-policy.yaml", "policies:\n  - id: x\n    action: warn\n    when: {signals: [telepathy]}\n    reason: x\n");
  CommandRun r = Sendguard("scan " + Common() + " --policy " + bad + " " + eml);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(bad + ":4: unknown signals 'telepathy'"), std::string::npos) << r.out;
  Write("rules2/policies/p.yaml", "policies:\n  - id: y\n    action: block\n    when: {findings: {types: [no.such_type]}}\n    reason: x\n");
  r = Sendguard("rules check " + std::string(SENDGUARD_RULES_DIR) + " " + (dir_ / "rules2").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("p.yaml:4: unknown information type 'no.such_type'"), std::string::npos) << r.out;
  r = Sendguard("rules check " + std::string(SENDGUARD_RULES_DIR));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("policies ok:"), std::string::npos) << r.out;
}

TEST_F(PolicyCliTest, HistoryImportFeedsFirstTimeAndUnusualRecipientSignals) {
  std::string log = Write("mail.log",
                          "Nov 22 09:00:01 gw postfix/qmgr[1]: AAAA1: from=<staff@council.example.gov.uk>, size=1, nrcpt=3\n"
                          "Nov 22 09:00:02 gw postfix/smtp[2]: AAAA1: to=<gp1@surgery.example>, relay=x, status=sent (250)\n"
                          "Nov 22 09:00:02 gw postfix/smtp[2]: AAAA1: to=<gp2@surgery.example>, relay=x, status=sent (250)\n"
                          "Nov 22 09:00:02 gw postfix/smtp[2]: AAAA1: to=<school@academy.example>, relay=x, status=sent (250)\n"
                          "Nov 22 09:00:03 gw postfix/qmgr[1]: AAAA1: removed\n"
                          "Nov 22 09:10:01 gw postfix/qmgr[1]: BBBB2: from=<staff@council.example.gov.uk>, size=1, nrcpt=1\n"
                          "Nov 22 09:10:02 gw postfix/smtp[2]: BBBB2: to=<jo.smith@gmail.com>, relay=x, status=sent (250)\n"
                          "Nov 22 09:10:03 gw postfix/qmgr[1]: BBBB2: removed\n");
  std::string db = (dir_ / "state.db").string();
  CommandRun r = Sendguard("history import " + Common() + " --internal-domain council.example.gov.uk --db " + db + " " + log);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2 messages recorded (4 recipients)"), std::string::npos) << r.out;
  std::string eml = Write("referral.eml", referral_);
  auto j = ScanJson("--internal-domain council.example.gov.uk --history " + db +
                    " --from staff@council.example.gov.uk --to gp1@surgery.example --to gp2@surgery.example"
                    " --to jo.smith@gmail.com " + eml);
  std::map<std::string, std::string> signals;
  for (const auto& s : j["signals"]) signals[s["type"].get<std::string>() + " " + s["recipient"].get<std::string>()] = s["detail"];
  EXPECT_TRUE(signals.count("unusual_recipient jo.smith@gmail.com")) << j["signals"];
  EXPECT_FALSE(signals.count("first_time_recipient jo.smith@gmail.com"));
  j = ScanJson("--internal-domain council.example.gov.uk --history " + db +
               " --from staff@council.example.gov.uk --to new.person@example.net " + eml);
  EXPECT_TRUE(j["signals"].dump().find("first_time_recipient") != std::string::npos) << j["signals"];
  EXPECT_EQ(j["monitored_verdict"], "warn");
  bool monitor = false;
  for (const auto& m : j["policy_matches"]) monitor |= m["id"] == "first-time-identifiers-monitor" && m["mode"] == "monitor";
  EXPECT_TRUE(monitor) << j["policy_matches"];
  // The state database holds no clear address.
  std::ifstream in(db, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find("jo.smith"), std::string::npos);
}

TEST_F(PolicyCliTest, ReplayCountsByVerdictPolicyAndSignal) {
  // A Maildir of six sent messages and an mbox of two.
  auto message = [&](const std::string& to, const std::string& cc, bool sensitive) {
    std::string m = referral_;
    size_t at = m.find("To: someone@example.org\r\n");
    m.replace(at, 26, "To: " + to + "\r\n" + (cc.empty() ? "" : "Cc: " + cc + "\r\n"));
    if (!sensitive) {
      m = "From: staff@council.example.gov.uk\r\nTo: " + to + "\r\n" + (cc.empty() ? "" : "Cc: " + cc + "\r\n") +
          "Subject: lunch\r\n\r\nSee you at one.\r\n";
    }
    return m;
  };
  Write("Sent/cur/1700000001.M1.gw:2,S", message("jo@council.example.gov.uk", "", true));   // allow
  Write("Sent/cur/1700000002.M1.gw:2,S", message("j.smith@gmial.com", "", true));          // block (lookalike)
  Write("Sent/cur/1700000003.M1.gw:2,S", message("x@example.org", "", true));              // warn
  Write("Sent/cur/1700000004.M1.gw:2,S", message("a@example.org", "", false));             // allow
  Write("Sent/new/1700000005.M1.gw", message("p1@example.org", "p2@example.org, p3@example.org, p4@example.org, p5@example.org", false));  // warn (open CC)
  Write("Sent/tmp/ignored", "not a message");
  fs::create_directories(dir_ / "Sent/tmp");
  std::string mbox = "From staff@council.example.gov.uk Mon Nov 23 09:00:00 2026\n" + message("gp@counci1.example.gov.uk", "", true) +
                     "\nFrom staff@council.example.gov.uk Mon Nov 23 10:00:00 2026\n" +
                     message("b@example.org", "", false) + "\n>From the desk of ...\n";
  Write("archive.mbox", mbox);
  CommandRun r = Sendguard("replay --json " + Common() + " --internal-domain council.example.gov.uk " +
                           (dir_ / "Sent").string() + " " + (dir_ / "archive.mbox").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(j["messages"], 7);
  EXPECT_EQ(j["by_verdict"]["allow"], 3);
  EXPECT_EQ(j["by_verdict"]["warn"], 2);
  EXPECT_EQ(j["by_verdict"]["block"], 2);
  EXPECT_EQ(j["by_policy"]["identifiers-lookalike-block"], 2);
  EXPECT_EQ(j["by_policy"]["open-cc-warn"], 1);
  EXPECT_EQ(j["by_signal"]["lookalike_domain"], 2);
  EXPECT_EQ(j["top_reasons"][0]["policy"], "identifiers-lookalike-block");
  ExpectNoClearIdentifier(r.out);
  // The text report, with --learn: the second message to the same outsider is no longer first-time.
  r = Sendguard("replay --learn " + Common() + " --internal-domain council.example.gov.uk " + (dir_ / "Sent").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("replayed 5 messages"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by verdict (enforced policies):"), std::string::npos);
  EXPECT_NE(r.out.find("top reasons"), std::string::npos);
  r = Sendguard("replay " + Common() + " " + (dir_ / "nowhere").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace sendguard
