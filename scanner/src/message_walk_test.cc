// SPDX-License-Identifier: Apache-2.0
// Message walk tests: transfer encodings, charsets, encoded words, HTML, nested messages,
// which headers are scanned, part paths, and incomplete results for malformed mail.
#include <gtest/gtest.h>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/message_headers.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "test_support.h"

namespace sendguard::scanner {
namespace {

using testing::CountAtLeast;
using testing::ShippedRules;

class MessageWalkTest : public ::testing::Test {
 protected:
  MessageWalkTest() {
    synth::Rng rng(42);
    nhs_ = synth::NhsNumber(rng);
    spaced_ = synth::Grouped(nhs_, {3, 3, 4}, ' ');
  }
  // Parts in which the planted NHS number was found.
  std::vector<std::string> PartsWithNhs(const ScanResult& r) {
    std::vector<std::string> parts;
    for (const auto& f : r.findings) {
      if (f.type != "uk.nhs_number") continue;
      for (const auto& l : f.locations) {
        if (l.hash == hasher_.Hex(nhs_)) parts.push_back(l.part);
      }
    }
    return parts;
  }
  static std::string B64(const std::string& s) { return synth::Base64(s, /*wrap=*/false); }
  common::KeyedHasher hasher_{testing::kTestSecret};
  Scanner scanner_{ShippedRules(), hasher_};
  std::string nhs_, spaced_;
};

const char* kHead = "From: a@council.example.gov.uk\r\nTo: b@example.org\r\nMIME-Version: 1.0\r\n";

TEST_F(MessageWalkTest, Base64AndQuotedPrintableBodiesAreDecoded) {
  std::string b64 = std::string(kHead) + "Subject: x\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                    B64("NHS number " + spaced_) + "\r\n";
  EXPECT_EQ(PartsWithNhs(scanner_.ScanMessage(b64)), std::vector<std::string>{"1"});
  std::string qp_text = "NHS=20number=20" + nhs_.substr(0, 5) + "=\r\n" + nhs_.substr(5);
  std::string qp = std::string(kHead) + "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
                   qp_text + "\r\n";
  EXPECT_EQ(PartsWithNhs(scanner_.ScanMessage(qp)), std::vector<std::string>{"1"});
}

TEST_F(MessageWalkTest, UuencodedBodiesAreDecoded) {
  // Encode "NHS number <spaced>" by the uuencode rules: 45 bytes a line, length char first.
  std::string text = "NHS number " + spaced_;
  std::string uu = "begin 644 note.txt\r\n";
  for (size_t off = 0; off < text.size(); off += 45) {
    std::string chunk = text.substr(off, 45);
    uu.push_back(static_cast<char>(32 + chunk.size()));
    for (size_t i = 0; i < chunk.size(); i += 3) {
      uint32_t g = 0;
      for (size_t k = 0; k < 3; ++k) g = (g << 8) | (i + k < chunk.size() ? static_cast<unsigned char>(chunk[i + k]) : 0);
      for (int s = 18; s >= 0; s -= 6) {
        uint32_t c = (g >> s) & 63;
        uu.push_back(static_cast<char>(c == 0 ? '`' : 32 + c));
      }
    }
    uu += "\r\n";
  }
  uu += "`\r\nend\r\n";
  std::string m = std::string(kHead) + "Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n" + uu;
  EXPECT_EQ(PartsWithNhs(scanner_.ScanMessage(m)), std::vector<std::string>{"1"});
}

TEST_F(MessageWalkTest, CharsetsAreConvertedToUtf8) {
  // UTF-16 would hide the digits from a byte scanner unless converted.
  std::string text = "NHS number " + nhs_;
  std::string utf16;
  for (char c : text) utf16 += std::string{c, '\0'};
  std::string m = std::string(kHead) + "Content-Type: text/plain; charset=utf-16le\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                  B64(utf16) + "\r\n";
  EXPECT_EQ(PartsWithNhs(scanner_.ScanMessage(m)).size(), 1u);
  // Latin-1 bytes (a pound sign) do not break the scan.
  std::string latin = std::string(kHead) + "Content-Type: text/plain; charset=iso-8859-1\r\n\r\nFee \xA3" "20. NHS no " + nhs_ + "\r\n";
  EXPECT_EQ(PartsWithNhs(scanner_.ScanMessage(latin)).size(), 1u);
}

TEST_F(MessageWalkTest, HtmlEntitiesDecodedAndTableCellsKeptApart) {
  // Entities between the groups; adjacent cells must not merge into one longer number.
  std::string html = "<html><head><style>td{}</style></head><body><p>NHS&nbsp;number&#58; " + nhs_.substr(0, 3) +
                     "&#32;" + nhs_.substr(3, 3) + " " + nhs_.substr(6) + "</p><table><tr><td>" + nhs_.substr(0, 5) +
                     "</td><td>" + nhs_.substr(5) + "</td></tr></table></body></html>";
  std::string m = std::string(kHead) + "Content-Type: text/html; charset=utf-8\r\n\r\n" + html + "\r\n";
  ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(PartsWithNhs(r), std::vector<std::string>{"1"});
  EXPECT_EQ(CountAtLeast(r, "uk.nhs_number", Confidence::kLow), 1u);
}

TEST_F(MessageWalkTest, SubjectIsScannedButTechnicalHeadersAreNot) {
  std::string m = std::string(kHead) + "Subject: =?utf-8?B?" + B64("NHS " + spaced_) + "?=\r\n" +
                  "Message-ID: <" + nhs_ + "@example.org>\r\nX-Ref: NHS " + spaced_ + "\r\n" +
                  "Content-Type: multipart/mixed; boundary=\"" + nhs_ + "\"\r\n\r\n--" + nhs_ +
                  "\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + nhs_ + "--\r\n";
  ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(PartsWithNhs(r), std::vector<std::string>{"subject"});
  EXPECT_TRUE(r.complete);
}

TEST_F(MessageWalkTest, MultipartPathsFilenamesAndNestedMessages) {
  std::string inner = "From: x@example.org\r\nSubject: fwd\r\nContent-Type: text/plain\r\n\r\nNHS number " + spaced_ + "\r\n";
  std::string m = std::string(kHead) +
                  "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                  "--b1\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
                  "--b1\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename*=utf-8''r%C3%A9f%C3%A9rals.csv\r\n\r\n"
                  "name,nhs\r\nA,NHS number " + nhs_ + "\r\n"
                  "--b1\r\nContent-Type: message/rfc822\r\n\r\n" + inner +
                  "--b1--\r\n";
  ScanResult r = scanner_.ScanMessage(m);
  auto parts = PartsWithNhs(r);
  std::sort(parts.begin(), parts.end());
  EXPECT_EQ(parts, (std::vector<std::string>{"2/r\xC3\xA9" "f\xC3\xA9rals.csv", "3/message/1"}));
  EXPECT_TRUE(r.complete) << (r.incomplete_reasons.empty() ? "" : r.incomplete_reasons[0]);
}

TEST_F(MessageWalkTest, MalformedMailIsStillScannedAndMarkedIncomplete) {
  // No closing boundary: what is there is scanned, and the result says the message is truncated.
  std::string truncated = std::string(kHead) + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                          "--b1\r\nContent-Type: text/plain\r\n\r\nNHS number " + spaced_ + "\r\n";
  ScanResult r = scanner_.ScanMessage(truncated);
  EXPECT_EQ(PartsWithNhs(r).size(), 1u);
  EXPECT_FALSE(r.complete);
  ASSERT_FALSE(r.incomplete_reasons.empty());
  EXPECT_EQ(r.incomplete_reasons[0].rfind("truncated_mime:", 0), 0u);
  // A PDF that poppler cannot parse is named, never passed as clean.
  std::string pdf = std::string(kHead) + "Content-Type: application/pdf; name=\"letter.pdf\"\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n";
  ScanResult p = scanner_.ScanMessage(pdf);
  EXPECT_FALSE(p.complete);
  ASSERT_FALSE(p.incomplete.empty());
  EXPECT_EQ(p.incomplete[0].bound, "extract_error");
  EXPECT_EQ(p.incomplete[0].part, "1/letter.pdf");
  // Invalid base64 is decoded as far as it goes and flagged.
  std::string bad64 = std::string(kHead) + "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                      B64("NHS number " + spaced_) + "!!**\r\n";
  ScanResult b = scanner_.ScanMessage(bad64);
  EXPECT_EQ(PartsWithNhs(b).size(), 1u);
  EXPECT_FALSE(b.complete);
}

TEST_F(MessageWalkTest, StageTimingsAddUpToTheTotal) {
  std::string m = std::string(kHead) + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>NHS number " + spaced_ + "</p>\r\n";
  ScanResult r = scanner_.ScanMessage(m);
  const ScanTimings& t = r.timings;
  EXPECT_GT(t.total_ns, 0u);
  EXPECT_GT(t.scan_ns, 0u);
  EXPECT_GT(t.decode_ns, 0u);
  EXPECT_EQ(t.walk_ns + t.decode_ns + t.extract_ns + t.scan_ns + t.confirm_ns, t.total_ns);
}

TEST_F(MessageWalkTest, PlainTextWithoutHeadersIsScannedWhole) {
  ScanResult r = scanner_.ScanMessage("NHS number " + spaced_ + "\n");
  EXPECT_EQ(PartsWithNhs(r), std::vector<std::string>{"1"});
}

}  // namespace
}  // namespace sendguard::scanner

#include "charset.h"

namespace sendguard::scanner {
namespace {

TEST_F(MessageWalkTest, SalutationAndAttachmentsAreSeen) {
  std::string msg = std::string(kHead) +
                    "Subject: referral\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
                    "Content-Type: text/plain\r\n\r\n\r\nDear Mrs. Patel,\r\nPlease see attached.\r\n--b\r\n"
                    "Content-Type: text/csv; name=list.csv\r\nContent-Disposition: attachment; filename=list.csv\r\n\r\n"
                    "a,b\r\n--b--\r\n";
  ScanResult r = scanner_.ScanMessage(msg);
  EXPECT_EQ(r.salutation, "Mrs. Patel");
  EXPECT_EQ(r.attachments, 1u);
  EXPECT_EQ(scanner_.ScanMessage(std::string(kHead) + "\r\nHi John. Here it is.\r\n").salutation, "John");
  EXPECT_EQ(scanner_.ScanMessage(std::string(kHead) + "\r\nAnnwyl Siân,\r\n").salutation, "Siân");
  EXPECT_EQ(scanner_.ScanMessage(std::string(kHead) + "\r\nPlease find.\r\nDear X,\r\n").salutation, "");
  EXPECT_EQ(scanner_.ScanMessage(std::string(kHead) + "\r\n> Dear X,\r\n").salutation, "");
}

TEST_F(MessageWalkTest, ContentDigestIgnoresEncodingBoundariesAndSubjectButNotText) {
  auto build = [&](const std::string& subject, const std::string& boundary, bool b64, const std::string& text) {
    return std::string(kHead) + "Subject: " + subject + "\r\nContent-Type: multipart/mixed; boundary=" + boundary +
           "\r\n\r\n--" + boundary + "\r\nContent-Type: text/plain\r\n" +
           (b64 ? "Content-Transfer-Encoding: base64\r\n\r\n" + B64(text) : "\r\n" + text) + "\r\n--" + boundary +
           "\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=a.csv\r\n\r\nNHS," + spaced_ +
           "\r\n--" + boundary + "--\r\n";
  };
  const std::string text = "Dear Sam,\r\nthe referral  is attached.";
  std::string first = scanner_.ContentDigest(build("referral", "aaa", false, text));
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(first, scanner_.ContentDigest(build("[confirm ABCDE-FGHIJ-KLMNP] referral", "zzz", true, text)));
  EXPECT_EQ(first, scanner_.ContentDigest(build("referral", "q", false, "Dear Sam, the referral is attached.")));
  EXPECT_NE(first, scanner_.ContentDigest(build("referral", "aaa", false, "Dear Sam,\r\nthe referrals are attached.")));
}

TEST(MessageHeadersTest, UnfoldsAndFindsFields) {
  auto fields = ReadHeaders("From: a@x.org\r\nTo: \"B\" <b@y.org>,\r\n  c@z.org\r\nSubject: =?utf-8?Q?Caf=C3=A9?=\r\n\r\nTo: body@no\r\n");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(HeaderValue(fields, "to"), "\"B\" <b@y.org>, c@z.org");
  EXPECT_EQ(DecodeHeaderText(HeaderValue(fields, "SUBJECT")), "Caf\xC3\xA9");
  EXPECT_EQ(HeaderValue(fields, "cc"), "");
}

TEST(CharsetTest, ManyCharsetsConvertCorrectlyPastTheConverterCache) {
  // More distinct names than the per-thread cache keeps: the uncached ones must still work.
  const char* latin[] = {"iso-8859-1", "ISO-8859-15", "windows-1252", "cp1252", "latin1", "iso-8859-2"};
  for (int round = 0; round < 70; ++round) {
    for (const char* cs : latin) EXPECT_EQ(ToUtf8("caf\xE9", cs), "caf\xC3\xA9") << cs;
    EXPECT_EQ(ToUtf8("abc", "x-unknown-charset-" + std::to_string(round)), "abc");  // unknown: repaired as UTF-8
    EXPECT_EQ(ToUtf8("caf\xE9", "x-unknown-charset-" + std::to_string(round)), "caf\xC3\xA9");  // 8-bit: windows-1252
  }
  EXPECT_EQ(ToUtf8(std::string("\x1b$B$3$s\x1b(B", 10), "iso-2022-jp"), "\xE3\x81\x93\xE3\x82\x93");  // stateful
  EXPECT_EQ(ToUtf8(std::string("\x1b$B$3$s\x1b(B", 10), "iso-2022-jp"), "\xE3\x81\x93\xE3\x82\x93");  // state reset
}

}  // namespace
}  // namespace sendguard::scanner
