// SPDX-License-Identifier: Apache-2.0
// The sendguard command line driven as an admin drives it: scan's JSON contract,
// rules check with file:line errors, rules test, and exact-data import feeding a scan.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli_support.h"
#include "sendguard/common/key_ring.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/common/text.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/synth.h"

namespace sendguard {
namespace {

namespace fs = std::filesystem;
using testing::CliTest;
using testing::CommandRun;
using testing::Sendguard;

TEST_F(CliTest, ScanJsonIsOneObjectPerFileWithTheContractFields) {
  auto sample = synth::SampleReferral();
  std::string a = Write("a.eml", sample.raw);
  std::string b = Write("b.eml", "Subject: hello\r\n\r\nnothing to see\r\n");
  CommandRun r = Sendguard("scan --json " + Common() + " " + a + " " + b);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(nlohmann::json::parse(r.out.substr(start, nl - start)));
  }
  ASSERT_EQ(lines.size(), 2u);
  const auto& j = lines[0];
  EXPECT_EQ(j["file"], a);
  EXPECT_EQ(j["complete"], true);
  EXPECT_TRUE(j["incomplete_reasons"].is_array());
  common::KeyedHasher hasher("cli-test-secret");
  bool nhs_found = false;
  for (const auto& f : j["findings"]) {
    for (const char* key : {"type", "confidence", "count", "exact_match", "locations"}) EXPECT_TRUE(f.contains(key)) << key;
    for (const auto& l : f["locations"]) {
      for (const char* key : {"part", "offset", "masked", "hash"}) EXPECT_TRUE(l.contains(key)) << key;
    }
    if (f["type"] == "uk.nhs_number") {
      nhs_found = true;
      EXPECT_EQ(f["confidence"], "high");
      EXPECT_EQ(f["count"], 2);
      EXPECT_EQ(f["locations"][0]["hash"], hasher.Hex(sample.planted[0].normalized));
    }
  }
  EXPECT_TRUE(nhs_found);
  EXPECT_TRUE(lines[1]["findings"].empty());
  // No clear identifier anywhere in the output.
  for (const auto& p : sample.planted) EXPECT_EQ(r.out.find(p.normalized), std::string::npos);
  EXPECT_EQ(r.out.find(sample.planted[0].normalized.substr(0, 3) + " " + sample.planted[0].normalized.substr(3, 3)),
            std::string::npos);
}

// The reasons issue 17 added reach the JSON contract as the others do: a message/partial
// fragment, and a DOCX whose XML declares its own entities.
TEST_F(CliTest, ScanJsonNamesMessagePartialAndXmlEntities) {
  std::string partial = Write("partial.eml",
                              "From: a@council.example.gov.uk\r\nTo: b@example.org\r\nSubject: part 2\r\n"
                              "Content-Type: message/partial; id=\"p.1@example.org\"; number=2; total=3\r\n\r\n"
                              "the middle of a message\r\n");
  std::string xml = "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY a \"x\">]><w:document "
                    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r>"
                    "<w:t>hello &a;</w:t></w:r></w:p></w:body></w:document>";
  std::string docx = Write("dtd.eml", synth::MessageWithAttachments(
                                          "see attached", {{"a.docx", "application/zip",
                                                            synth::ZipArchive({{"word/document.xml", xml}})}}));
  CommandRun r = Sendguard("scan --json " + Common() + " " + partial + " " + docx);
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(nlohmann::json::parse(r.out.substr(start, nl - start)));
  }
  ASSERT_EQ(lines.size(), 2u) << r.out;
  auto names = [](const nlohmann::json& j, const std::string& bound) {
    for (const auto& reason : j["incomplete_reasons"]) {
      if (reason.get<std::string>().rfind(bound + ":", 0) == 0) return true;
    }
    return false;
  };
  EXPECT_EQ(lines[0]["complete"], false);
  EXPECT_TRUE(names(lines[0], "message_partial")) << lines[0].dump();
  EXPECT_EQ(lines[1]["complete"], false);
  EXPECT_TRUE(names(lines[1], "xml_entities")) << lines[1].dump();
}

TEST_F(CliTest, ScanOfAMissingFileFailsButOthersAreStillScanned) {
  std::string a = Write("ok.eml", "Subject: x\r\n\r\nhi\r\n");
  CommandRun r = Sendguard("scan --json " + Common() + " " + (dir_ / "missing.eml").string() + " " + a);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("cannot read"), std::string::npos);
  EXPECT_NE(r.out.find("\"file\":\"" + a + "\""), std::string::npos);
}

TEST_F(CliTest, RulesCheckAcceptsShippedRulesAndRejectsBadOnesWithFileAndLine) {
  CommandRun ok = Sendguard("rules check " + std::string(SENDGUARD_RULES_DIR));
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("rules ok"), std::string::npos);
  std::string bad = Write("bad/types/x.yaml", "id: x\ncategory: OTHER\npatterns: ['\\d{3}(']\nvalidator: none\n");
  CommandRun r = Sendguard("rules check " + (dir_ / "bad").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(bad + ":3: Hyperscan refuses pattern of 'x'"), std::string::npos) << r.out;
}

TEST_F(CliTest, RulesTestRunsEveryExampleAndReportsFailuresByLine) {
  CommandRun ok = Sendguard("rules test " + std::string(SENDGUARD_RULES_DIR));
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find(" passed, 0 failed"), std::string::npos);
  std::string f = Write("ex/types/y.yaml",
                        "id: y\ncategory: OTHER\npatterns: ['Y\\d{4}']\nvalidator: none\nmust_match:\n  - 'Y12'\n"
                        "must_not_match:\n  - 'Y1234'\n");
  CommandRun r = Sendguard("rules test " + (dir_ / "ex").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(f + ":6: y: must_match example not found"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(f + ":8: y: must_not_match example was found"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 passed, 2 failed"), std::string::npos);
}

TEST_F(CliTest, EdmImportStoresOnlyHashesAndScanReportsExactMatches) {
  synth::Rng rng(77);
  std::string csv = "nhs_number,name\n";
  std::vector<std::string> held;
  for (int i = 0; i < 20; ++i) {
    held.push_back(synth::NhsNumber(rng));
    csv += held.back() + ",Person " + std::to_string(i) + "\n";
  }
  std::string file = Write("held.csv", csv);
  CommandRun imp = Sendguard("edm import --type uk.nhs_number " + Common() + " " + file);
  ASSERT_EQ(imp.exit_code, 0) << imp.out;
  EXPECT_NE(imp.out.find("imported 20 values"), std::string::npos) << imp.out;
  EXPECT_NE(imp.out.find("rejected 1 rows"), std::string::npos) << imp.out;  // the header line
  std::ifstream in(dir_ / "edm/uk.nhs_number.hashes");
  std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  common::KeyedHasher hasher("cli-test-secret");
  EXPECT_NE(stored.find(hasher.Hex(held[3])), std::string::npos);
  for (const auto& v : held) EXPECT_EQ(stored.find(v), std::string::npos);
  // A held number with no context at all is now high and flagged exact_match.
  std::string msg = Write("m.eml", "Subject: x\r\n\r\nplease check " + held[3] + " and " + synth::NhsNumber(rng) + "\r\n");
  CommandRun scan = Sendguard("scan --json " + Common() + " " + msg);
  auto j = nlohmann::json::parse(scan.out.substr(0, scan.out.find('\n')));
  bool exact = false;
  for (const auto& f : j["findings"]) {
    if (f["type"] == "uk.nhs_number" && f["exact_match"] == true) {
      exact = true;
      EXPECT_EQ(f["confidence"], "high");
      EXPECT_EQ(f["count"], 1);
    }
  }
  EXPECT_TRUE(exact) << scan.out;
  // Without a secret the import refuses: hashes under a throwaway key would be useless.
  CommandRun nosecret = Sendguard("edm import --type uk.nhs_number " + file);
  EXPECT_EQ(nosecret.exit_code, 2);
}

// Whether `scan --json` of `msg` with `secret` flags `value` as an exact-data match.
bool ExactMatch(const std::string& common, const std::string& msg) {
  CommandRun scan = Sendguard("scan --json " + common + " " + msg);
  auto j = nlohmann::json::parse(scan.out.substr(0, scan.out.find('\n')), nullptr, false);
  if (!j.is_object()) return false;
  for (const auto& f : j["findings"]) {
    if (f["type"] == "uk.nhs_number" && f["exact_match"] == true) return true;
  }
  return false;
}

TEST_F(CliTest, SecretRotationKeepsTheFileModeAndExactDataMatchingUntilTheOldKeyIsRetired) {
  const std::string secret = (dir_ / "ring").string();
  {
    std::ofstream out(secret, std::ios::binary);
    out << std::string(32, '\x5a');
  }
  std::filesystem::permissions(secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                           std::filesystem::perms::group_read);
  const std::string common = "--rules " + std::string(SENDGUARD_RULES_DIR) + " --secret " + secret + " --edm " +
                             (dir_ / "edm-ring").string();
  synth::Rng rng(78);
  const std::string held = synth::NhsNumber(rng);
  const std::string csv = Write("ring.csv", held + "\n");
  ASSERT_EQ(Sendguard("edm import --type uk.nhs_number " + common + " " + csv).exit_code, 0);
  // (Each scan compiles the rules, slow under the sanitizers: the match is checked where the
  // ring changes what it depends on, not before the first rotation.)
  const std::string msg = Write("ring.eml", "Subject: x\r\n\r\nplease check " + held + "\r\n");

  CommandRun listed = Sendguard("secret list --secret " + secret);
  ASSERT_EQ(listed.exit_code, 0) << listed.out;
  const std::string old_id = listed.out.substr(0, 8);
  EXPECT_NE(listed.out.find(old_id + "  sign"), std::string::npos) << listed.out;

  CommandRun rotated = Sendguard("secret rotate --secret " + secret);
  ASSERT_EQ(rotated.exit_code, 0) << rotated.out;
  const std::string new_id = rotated.out.substr(0, 8);
  EXPECT_NE(new_id, old_id);
  EXPECT_NE(rotated.out.find(new_id + "  sign\n" + old_id + "  verify"), std::string::npos) << rotated.out;
  // The file is a ring now, replaced in place with its mode kept, and no key is printed.
  const auto perms = std::filesystem::status(secret).permissions();
  EXPECT_EQ(perms, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | std::filesystem::perms::group_read);
  std::ifstream in(secret);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("sendguard-keyring 1"), std::string::npos);
  // No key is printed, old or new, and no temporary file is left beside the secret.
  auto ring = common::ParseKeyRing(text);
  ASSERT_TRUE(ring.ok()) << ring.status().message();
  ASSERT_EQ(ring->keys.size(), 2u);
  for (const auto& key : ring->keys) EXPECT_EQ(rotated.out.find(common::HexEncode(key)), std::string::npos);
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find(".sendguard-secret."), std::string::npos) << e.path();
  }
  // Exact data imported under the old key still matches while the old key verifies.
  EXPECT_TRUE(ExactMatch(common, msg));

  // The signing key cannot be retired, an unknown id is refused, and neither changes the file.
  EXPECT_EQ(Sendguard("secret retire " + new_id + " --secret " + secret).exit_code, 2);
  CommandRun unknown = Sendguard("secret promote 00000000 --secret " + secret);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("no key 00000000"), std::string::npos) << unknown.out;
  {
    std::ifstream again(secret);
    EXPECT_EQ(std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>()), text);
  }
  // A secret reached through a symbolic link is refused, not replaced by a file.
  const std::string link = (dir_ / "ring-link").string();
  std::filesystem::create_symlink(secret, link);
  CommandRun through_link = Sendguard("secret rotate --secret " + link);
  EXPECT_EQ(through_link.exit_code, 1) << through_link.out;
  EXPECT_NE(through_link.out.find("is a symbolic link"), std::string::npos) << through_link.out;
  EXPECT_TRUE(std::filesystem::is_symlink(link));

  // Retired: the old import no longer matches, until it is imported again under the new key.
  CommandRun retired = Sendguard("secret retire " + old_id + " --secret " + secret);
  ASSERT_EQ(retired.exit_code, 0) << retired.out;
  EXPECT_EQ(retired.out.find(old_id), retired.out.find("retired key " + old_id) + 12) << retired.out;  // not listed
  EXPECT_FALSE(ExactMatch(common, msg));
  ASSERT_EQ(Sendguard("edm import --type uk.nhs_number " + common + " " + csv).exit_code, 0);
  EXPECT_TRUE(ExactMatch(common, msg));

  // Across several hosts: add (verify only), then promote.
  CommandRun added = Sendguard("secret add --secret " + secret);
  ASSERT_EQ(added.exit_code, 0) << added.out;
  EXPECT_NE(added.out.find(new_id + "  sign"), std::string::npos) << added.out;
  const std::string next_id = added.out.substr(added.out.find("  sign\n") + 7, 8);
  EXPECT_NE(added.out.find(next_id + "  verify"), std::string::npos) << added.out;
  CommandRun promoted = Sendguard("secret promote " + next_id + " --secret " + secret);
  ASSERT_EQ(promoted.exit_code, 0) << promoted.out;
  EXPECT_NE(promoted.out.find(next_id + "  sign\n" + new_id + "  verify"), std::string::npos) << promoted.out;

  // A damaged ring is refused with its file and line, and the scan does not run on it.
  const std::string damaged = Write("damaged-ring", "sendguard-keyring 1\nsign 00\n");
  CommandRun refused = Sendguard("secret list --secret " + damaged);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.out.find(damaged + ":2:"), std::string::npos) << refused.out;
  EXPECT_EQ(Sendguard("scan --json --rules " + std::string(SENDGUARD_RULES_DIR) + " --secret " + damaged + " " + msg).exit_code, 2);
}

}  // namespace
}  // namespace sendguard
