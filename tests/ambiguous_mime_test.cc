// SPDX-License-Identifier: Apache-2.0
// A reading for every reader: where a message can be read more than one way, the
// identifiers under each reading are found (broken multipart read as text, two boundary
// parameters, two Content-Type or Content-Transfer-Encoding headers, an encoded multipart,
// preamble and epilogue), and a message/partial fragment makes the scan incomplete.
#include <gtest/gtest.h>

#include <set>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/found_hashes.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

class AmbiguousMimeTest : public ::testing::Test {
 protected:
  AmbiguousMimeTest() {
    synth::Rng rng(2046);
    for (int i = 0; i < 12; ++i) {
      std::string nhs = synth::NhsNumber(rng);
      text_ += "Patient " + std::to_string(i) + ", NHS number " + synth::Grouped(nhs, {3, 3, 4}, ' ') + "\r\n";
      planted_.insert(hasher_.Hex(nhs));
    }
  }
  static std::set<std::string> FoundNhs(const scanner::ScanResult& r) { return testing::FoundHashes(r); }
  static std::string Reasons(const scanner::ScanResult& r) {
    std::string all;
    for (const auto& s : r.incomplete_reasons) all += s + "\n";
    return all;
  }
  // The planted text as a base64 text/plain part (readable only once decoded).
  std::string EncodedPart() const {
    return "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
           synth::Base64(text_) + "\r\n";
  }
  static std::string Head() {
    return "From: a@council.example.gov.uk\r\nTo: b@example.org\r\nSubject: list\r\nMIME-Version: 1.0\r\n";
  }

  common::KeyedHasher hasher_{"ambiguous"};
  scanner::Scanner scanner_{testing::ShippedRules(), hasher_};
  std::string text_;
  std::set<std::string> planted_;
};

TEST_F(AmbiguousMimeTest, MultipartWithoutDelimiterLinesIsReadAsText) {
  std::string m = Head() + "Content-Type: multipart/mixed; boundary=\"never-used\"\r\n\r\n" + text_;
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(FoundNhs(r), planted_);
  EXPECT_TRUE(r.complete) << Reasons(r);  // every byte was read, as text
}

TEST_F(AmbiguousMimeTest, EveryBoundaryParameterIsAReading) {
  // Under "aa" the encoded part is only text inside part 1; under "bb" it is a part of its own.
  std::string m = Head() + "Content-Type: multipart/mixed; boundary=\"aa\"; boundary=\"bb\"\r\n\r\n" +
                  "--aa\r\nContent-Type: text/plain\r\n\r\nhello\r\n--bb\r\n" + EncodedPart() + "--bb--\r\n--aa--\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(m)), planted_);
  // The same with the parameters the other way round.
  std::string swapped = Head() + "Content-Type: multipart/mixed; boundary=\"bb\"; boundary=\"aa\"\r\n\r\n" +
                        "--aa\r\n" + EncodedPart() + "--bb\r\nContent-Type: text/plain\r\n\r\nhello\r\n--bb--\r\n--aa--\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(swapped)), planted_);
}

TEST_F(AmbiguousMimeTest, ReadingsOfANestedPartAreWalkedToo) {
  // The two-boundary multipart one level down, and a forwarded message with two Content-Types.
  std::string inner = "Content-Type: multipart/mixed; boundary=\"aa\"; boundary=\"bb\"\r\n\r\n"
                      "--aa\r\nContent-Type: text/plain\r\n\r\nhello\r\n--bb\r\n" + EncodedPart() + "--bb--\r\n--aa--\r\n";
  std::string m = Head() + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\n"
                           "Content-Type: text/plain\r\n\r\nsee the list\r\n--o\r\n" + inner + "--o--\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(m)), planted_);
  std::string forwarded = Head() + "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\n--o\r\n"
                                   "Content-Type: message/rfc822\r\nContent-Type: text/plain\r\n"
                                   "Content-Transfer-Encoding: base64\r\n\r\n" + synth::Base64(text_) + "\r\n--o--\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(forwarded)), planted_);
}

TEST_F(AmbiguousMimeTest, EveryContentTypeHeaderIsAReading) {
  std::string m = Head() + "Content-Type: text/plain\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n" +
                  "--zz\r\n" + EncodedPart() + "--zz--\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(m)), planted_);
}

TEST_F(AmbiguousMimeTest, EveryTransferEncodingHeaderIsAReading) {
  std::string m = Head() + "Content-Type: text/plain\r\nContent-Transfer-Encoding: 7bit\r\n"
                           "Content-Transfer-Encoding: base64\r\n\r\n" + synth::Base64(text_) + "\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(m)), planted_);
  // The same inside a part of a multipart.
  std::string nested = Head() + "Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n--p\r\n"
                                "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n" + synth::Base64(text_) + "\r\n--p--\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(nested)), planted_);
}

TEST_F(AmbiguousMimeTest, Base64EncodedMultipartIsDecodedAndSplit) {
  std::string inner = "--b\r\nContent-Type: text/plain\r\n\r\n" + text_ + "--b--\r\n";
  std::string m = Head() + "Content-Type: multipart/mixed; boundary=\"b\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
                  synth::Base64(inner) + "\r\n";
  EXPECT_EQ(FoundNhs(scanner_.ScanMessage(m)), planted_);
}

TEST_F(AmbiguousMimeTest, PreambleAndEpilogueAreScanned) {
  size_t half = text_.find("Patient 6");
  std::string m = Head() + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" + text_.substr(0, half) +
                  "--b\r\nContent-Type: text/plain\r\n\r\nsee below\r\n--b--\r\n" + text_.substr(half);
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(FoundNhs(r), planted_);
  EXPECT_TRUE(r.complete) << Reasons(r);
}

TEST_F(AmbiguousMimeTest, MessagePartialFragmentIsScannedAndMarkedIncomplete) {
  std::string m = Head() + "Content-Type: message/partial; id=\"frag.1@example.org\"; number=2; total=3\r\n\r\n" + text_;
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(FoundNhs(r), planted_);  // what the fragment shows is still scanned
  EXPECT_FALSE(r.complete);
  ASSERT_FALSE(r.incomplete.empty());
  EXPECT_EQ(r.incomplete[0].bound, "message_partial");
  EXPECT_EQ(r.incomplete[0].part, "1");
  // The first fragment of an unknown number is not whole either.
  std::string first = Head() + "Content-Type: message/partial; id=\"frag.2@example.org\"; number=1\r\n\r\n"
                               "Subject: inner\r\nContent-Type: text/plain\r\n\r\n" + text_;
  scanner::ScanResult f = scanner_.ScanMessage(first);
  EXPECT_EQ(FoundNhs(f), planted_);
  EXPECT_FALSE(f.complete);
  // "1 of 1" is a whole message: read as one, complete.
  std::string whole = Head() + "Content-Type: message/partial; id=\"frag.3@example.org\"; number=1; total=1\r\n\r\n"
                               "Subject: inner\r\nContent-Type: text/plain\r\n\r\n" + text_;
  scanner::ScanResult w = scanner_.ScanMessage(whole);
  EXPECT_EQ(FoundNhs(w), planted_);
  EXPECT_TRUE(w.complete) << Reasons(w);
}

TEST_F(AmbiguousMimeTest, UnambiguousMailHasNoExtraReadings) {
  std::string m = Head() + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n" + EncodedPart() + "--b--\r\n";
  scanner::ScanResult r = scanner_.ScanMessage(m);
  EXPECT_EQ(FoundNhs(r), planted_);
  EXPECT_TRUE(r.complete) << Reasons(r);
  for (const auto& f : r.findings) {
    for (const auto& l : f.locations) EXPECT_EQ(l.part.find("0."), std::string::npos) << l.part;
  }
}

}  // namespace
}  // namespace sendguard
