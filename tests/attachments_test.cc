// SPDX-License-Identifier: Apache-2.0
// Attachments: for every format, an identifier placed inside is found with the right part
// path and offset; encrypted content, mismatched types and images are reported.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

using synth::Attachment;

using testing::ShippedRules;

class AttachmentsTest : public ::testing::Test {
 protected:
  AttachmentsTest() {
    synth::Rng rng(2024);
    nhs_ = synth::NhsNumber(rng);
    line_ = "NHS number " + synth::Grouped(nhs_, {3, 3, 4}, ' ');
  }
  struct Where {
    std::string part;
    uint64_t offset;
  };
  // Where the planted NHS number was found (at high confidence).
  std::vector<Where> Found(const scanner::ScanResult& r) {
    std::vector<Where> out;
    for (const auto& f : r.findings) {
      if (f.type != "uk.nhs_number" || f.confidence != rules::Confidence::kHigh) continue;
      for (const auto& l : f.locations) {
        if (l.hash == hasher_.Hex(nhs_)) out.push_back({l.part, l.offset});
      }
    }
    return out;
  }
  const scanner::Finding* FindingOf(const scanner::ScanResult& r, const std::string& type) {
    for (const auto& f : r.findings) {
      if (f.type == type) return &f;
    }
    return nullptr;
  }
  scanner::ScanResult Scan(const std::vector<Attachment>& atts) {
    return scanner_.ScanMessage(synth::MessageWithAttachments("Please see attached.", atts));
  }
  common::KeyedHasher hasher_{"attachments"};
  scanner::Scanner scanner_{ShippedRules(), hasher_};
  std::string nhs_, line_;
};

TEST_F(AttachmentsTest, OfficeDocumentsGiveTextWithPartPathsAndOffsets) {
  const std::string ooxml = "application/vnd.openxmlformats-officedocument.";
  auto r = Scan({{"letter.docx", ooxml + "wordprocessingml.document", synth::Docx({"Referral", line_})},
                 {"referrals.xlsx", ooxml + "spreadsheetml.sheet", synth::Xlsx({"Name\tNHS number", "A Person\t" + nhs_})},
                 {"deck.pptx", ooxml + "presentationml.presentation", synth::Pptx({"Title", line_})},
                 {"note.odt", "application/vnd.oasis.opendocument.text", synth::Odt({"Hello", line_})},
                 {"list.ods", "application/vnd.oasis.opendocument.spreadsheet", synth::Ods({"NHS number", nhs_})}});
  auto found = Found(r);
  ASSERT_EQ(found.size(), 5u) << (r.incomplete_reasons.empty() ? "" : r.incomplete_reasons[0]);
  std::map<std::string, uint64_t> at;
  for (const auto& w : found) at[w.part] = w.offset;
  EXPECT_EQ(at.at("2/letter.docx/document"), std::string("Referral\nNHS number ").size());
  EXPECT_EQ(at.at("3/referrals.xlsx/sheet1"), std::string("Name\tNHS number\nA Person\t").size());
  EXPECT_EQ(at.at("4/deck.pptx/slide2"), std::string("NHS number ").size());
  EXPECT_EQ(at.at("5/note.odt/content"), std::string("Hello\nNHS number ").size());
  EXPECT_EQ(at.at("6/list.ods/content"), std::string("NHS number \t\n").size());
  EXPECT_TRUE(r.complete) << r.incomplete_reasons[0];
}

TEST_F(AttachmentsTest, PdfRtfCsvAndHtmlAttachments) {
  auto r = Scan({{"letter.pdf", "application/pdf", synth::Pdf({"Dear colleague,", line_})},
                 {"memo.rtf", "application/rtf", synth::Rtf({"Memo", line_})},
                 {"export.csv", "text/csv", "name,nhs\nA," + nhs_ + "\n"},
                 {"page.html", "text/html", "<p>" + line_ + "</p>"}});
  std::set<std::string> parts;
  for (const auto& w : Found(r)) parts.insert(w.part);
  // A PDF page with under ocr.pdf_text_min_chars characters of text is read as a picture too
  // (a scan with a stamp is not a text layer): OCR finds the number again, on page 1.
  EXPECT_EQ(parts, (std::set<std::string>{"2/letter.pdf", "2/letter.pdf#page-1.ocr", "3/memo.rtf", "4/export.csv",
                                          "5/page.html"}));
  EXPECT_TRUE(r.complete) << r.incomplete_reasons[0];
}

TEST_F(AttachmentsTest, ArchivesAreOpenedRecursivelyWithPathsThatShowWhereThingsCameFrom) {
  std::string inner_zip = synth::ZipArchive({{"Q3/list.xlsx", synth::Xlsx({"NHS number\t" + nhs_})}});
  auto r = Scan({{"referrals.zip", "application/zip", inner_zip},
                 {"export.tar.gz", "application/gzip", synth::TarGz({{"data/notes.txt", line_}})},
                 {"bundle.7z", "application/x-7z-compressed", synth::SevenZip({{"a/b.txt", line_}})},
                 {"notes.txt.gz", "application/gzip", synth::Gzip("notes.txt", line_)},
                 {"nested.zip", "application/zip", synth::ZipArchive({{"inner.zip", inner_zip}})}});
  std::set<std::string> parts;
  for (const auto& w : Found(r)) parts.insert(w.part);
  EXPECT_EQ(parts, (std::set<std::string>{"2/referrals.zip/Q3/list.xlsx/sheet1", "3/export.tar.gz/data/notes.txt",
                                          "4/bundle.7z/a/b.txt", "5/notes.txt.gz/notes.txt",
                                          "6/nested.zip/inner.zip/Q3/list.xlsx/sheet1"}));
  EXPECT_TRUE(r.complete) << r.incomplete_reasons[0];
}

TEST_F(AttachmentsTest, EncryptedContentIsReportedNotSkippedSilently) {
  auto r = Scan({{"secret.zip", "application/zip", synth::ZipArchive({{"list.txt", line_}}, "pa55word")},
                 {"locked.pdf", "application/pdf", synth::Pdf({line_}, /*encrypted=*/true)},
                 {"locked.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  synth::EncryptedOfficeContainer()}});
  const auto* f = FindingOf(r, "encrypted_attachment");
  ASSERT_NE(f, nullptr);
  std::set<std::string> parts;
  for (const auto& l : f->locations) parts.insert(l.part);
  EXPECT_EQ(parts, (std::set<std::string>{"2/secret.zip/list.txt", "3/locked.pdf", "4/locked.docx"}));
  EXPECT_EQ(f->count, 3u);
  EXPECT_TRUE(Found(r).empty());
}

// The first bytes of a 64-bit ELF executable header.
std::string Elf() {
  std::string h = std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(9, '\0');
  h += std::string("\x02\x00\x3e\x00\x01\x00\x00\x00", 8);
  return h + std::string(200, '\0');
}

TEST_F(AttachmentsTest, TypeMismatchAndImagesAreFindings) {
  auto r = Scan({{"notes.txt", "text/plain", synth::ZipArchive({{"x.txt", line_}})},
                 {"logo.png", "image/png", synth::Png()},
                 {"report.pdf", "application/pdf", Elf()}});
  const auto* mismatch = FindingOf(r, "type_mismatch");
  ASSERT_NE(mismatch, nullptr);
  std::set<std::string> parts;
  for (const auto& l : mismatch->locations) parts.insert(l.part);
  EXPECT_EQ(parts, (std::set<std::string>{"2/notes.txt", "4/report.pdf"}));
  // The ZIP behind the .txt name is still opened and scanned.
  ASSERT_EQ(Found(r).size(), 1u);
  EXPECT_EQ(Found(r)[0].part, "2/notes.txt/x.txt");
  // A 1x1 picture cannot hold text: skipped by the size rule, and counted.
  EXPECT_EQ(FindingOf(r, "unscanned_image"), nullptr);
  EXPECT_EQ(r.ocr.tiny_skipped, 1u);
  // With OCR off every picture is said to be unread.
  scanner::ScanOptions off;
  off.ocr.mode = scanner::OcrMode::kOff;
  scanner::Scanner no_ocr(ShippedRules(), hasher_, off);
  auto r2 = no_ocr.ScanMessage(synth::MessageWithAttachments("Please see attached.", {{"logo.png", "image/png", synth::Png()}}));
  const auto* image = FindingOf(r2, "unscanned_image");
  ASSERT_NE(image, nullptr);
  EXPECT_EQ(image->count, 1u);
  EXPECT_NE(image->locations[0].masked.find("image/png"), std::string::npos);
  EXPECT_NE(image->locations[0].masked.find("OCR off"), std::string::npos);
}

}  // namespace
}  // namespace sendguard
