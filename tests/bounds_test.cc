// SPDX-License-Identifier: Apache-2.0
// Bounds never drop content silently: identifiers behind deep HTML nesting, behind an RTF
// that opens 10,000 groups first, and around an entity-expansion ("billion laughs") payload
// in a DOCX are found, and a scan that skipped anything says which bound it was.
#include <gtest/gtest.h>

#include <set>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/found_hashes.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

class BoundsTest : public ::testing::Test {
 protected:
  BoundsTest() {
    synth::Rng rng(1217);
    for (int i = 0; i < 12; ++i) {
      std::string nhs = synth::NhsNumber(rng);
      spaced_.push_back(synth::Grouped(nhs, {3, 3, 4}, ' '));
      planted_.insert(hasher_.Hex(nhs));
    }
  }
  // Hashes of the distinct NHS numbers found anywhere.
  static std::set<std::string> FoundNhs(const scanner::ScanResult& r) { return testing::FoundHashes(r); }
  static bool HasIncomplete(const scanner::ScanResult& r, const std::string& bound, const std::string& part) {
    for (const auto& i : r.incomplete) {
      if (i.bound == bound && i.part == part) return true;
    }
    return false;
  }
  static std::string Reasons(const scanner::ScanResult& r) {
    std::string all;
    for (const auto& s : r.incomplete_reasons) all += s + "\n";
    return all;
  }
  std::string HtmlBody(int depth) const {
    std::string html = "<html><body>";
    for (int i = 0; i < depth; ++i) html += "<div class=\"x\">";
    for (const auto& n : spaced_) html += "<p>NHS number: " + n + "</p>\n";
    for (int i = 0; i < depth; ++i) html += "</div>";
    return html + "</body></html>";
  }

  common::KeyedHasher hasher_{"bounds"};
  scanner::Scanner scanner_{testing::ShippedRules(), hasher_};
  std::vector<std::string> spaced_;
  std::set<std::string> planted_;
};

const char* kHead = "From: a@council.example.gov.uk\r\nTo: b@example.org\r\nSubject: referral\r\nMIME-Version: 1.0\r\n";

TEST_F(BoundsTest, TwelveNhsNumbersBehindThreeHundredNestedDivsAreFound) {
  std::string m = std::string(kHead) + "Content-Type: text/html; charset=utf-8\r\n\r\n" + HtmlBody(300) + "\r\n";
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(FoundNhs(r), planted_);
  EXPECT_TRUE(r.complete) << Reasons(r);  // flattened, not dropped: nothing left unread
}

TEST_F(BoundsTest, HundredThousandNestedDivsAsAnAttachmentAreFound) {
  auto m = synth::MessageWithAttachments("see attached", {{"page.html", "text/html", HtmlBody(100000)}});
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(FoundNhs(r), planted_);
}

TEST_F(BoundsTest, RtfThatOpensTenThousandGroupsFirstIsReadToTheEnd) {
  std::string rtf = "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}";
  for (int i = 0; i < 10000; ++i) rtf += "{\\b0 ";
  for (const auto& n : spaced_) rtf += "NHS number " + n + "\\par\n";
  for (int i = 0; i < 10000; ++i) rtf += "}";
  rtf += "}";
  scanner::ScanResult r =
      scanner_.ScanMessage(synth::MessageWithAttachments("see attached", {{"letter.rtf", "application/rtf", rtf}}));
  EXPECT_EQ(FoundNhs(r), planted_);
}

// A DOCX whose document.xml declares an entity-expansion payload and references it between
// the paragraphs: the paragraphs are still read, and the scan names the entities.
TEST_F(BoundsTest, DocxWithBillionLaughsStillHasItsOtherTextScannedAndSaysSo) {
  std::string dtd = "<!DOCTYPE w:document [\n<!ENTITY lol \"lol\">\n";
  std::string previous = "lol";
  for (int i = 1; i <= 9; ++i) {
    std::string name = "lol" + std::to_string(i);
    dtd += "<!ENTITY " + name + " \"";
    for (int k = 0; k < 10; ++k) dtd += "&" + previous + ";";
    dtd += "\">\n";
    previous = name;
  }
  dtd += "]>";
  auto para = [](const std::string& text) { return "<w:p><w:r><w:t>" + text + "</w:t></w:r></w:p>"; };
  std::string body;
  for (size_t i = 0; i < spaced_.size(); ++i) {
    body += para("NHS number " + spaced_[i]);
    if (i == 5) body += para("&lol9;");
  }
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" + dtd +
                    "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
                    body + "</w:body></w:document>";
  std::string types =
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
      "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>";
  std::string docx = synth::ZipArchive({{"[Content_Types].xml", types}, {"word/document.xml", xml}});
  scanner::ScanResult r = scanner_.ScanMessage(synth::MessageWithAttachments(
      "see attached",
      {{"report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx}}));
  EXPECT_EQ(FoundNhs(r), planted_);
  EXPECT_FALSE(r.complete);
  EXPECT_TRUE(HasIncomplete(r, "xml_entities", "2/report.docx/document")) << Reasons(r);
}

// Header fields too long for mimetic to parse in linear time are rewritten before it sees
// them (scanner/src/header_guard.h): a huge To: is dropped from mimetic's copy (the walk never
// reads it), a huge Subject is scanned in overlapping pieces, nothing in it is lost.
TEST_F(BoundsTest, HugeHeaderFieldsLoseNothingTheWalkReads) {
  std::string to;
  for (int i = 0; i < 20000; ++i) to += (i ? ", " : "") + std::string("Person <p") + std::to_string(i) + "@example.org>";
  std::string subject;
  for (size_t i = 0; i < spaced_.size(); ++i) {
    subject += std::string(9000 + 977 * i, 'x') + " NHS number " + spaced_[i] + " ";  // across the pieces' cuts
  }
  std::string m = "From: a@council.example.gov.uk\r\nTo: " + to + "\r\nSubject: " + subject +
                  "\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(FoundNhs(r), planted_);
  EXPECT_TRUE(r.complete) << Reasons(r);
}

}  // namespace
}  // namespace sendguard
