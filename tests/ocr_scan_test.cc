// SPDX-License-Identifier: Apache-2.0
// Pictures read with OCR through the whole scan, on documents rendered by the generator
// (tests/synth/ocr_docs*.cc: referral forms, spreadsheet screenshots, bank-details forms,
// scanned letters, clean and with a scanned look): recall at medium or high confidence per
// kind, format and resolution; no false positive in the real-mail corpus's pictures; the
// modes, the bounds by name, the cache and the tiny-picture rule.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/ocr_docs.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

using testing::ShippedRules;

std::string MimeOf(const std::string& format) {
  if (format == "pdf") return "application/pdf";
  if (format == "jpeg") return "image/jpeg";
  if (format == "tiff") return "image/tiff";
  return "image/" + format;
}

std::string Mail(const std::vector<synth::RenderedDoc>& docs) {
  std::vector<synth::Attachment> atts;
  for (const auto& d : docs) atts.push_back({d.file_name, MimeOf(d.format), d.bytes});
  return synth::MessageWithAttachments("Please see the attached scan.", atts);
}

// An HTML message showing `png` inline (Content-ID, as Outlook pastes a screenshot).
std::string InlinePictureMail(const std::string& png) {
  return "From: staff@council.example.gov.uk\r\nTo: someone@example.org\r\nSubject: Screenshot\r\n"
         "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"=_rel\"\r\n\r\n"
         "--=_rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>See below</p><img src=\"cid:image001\">\r\n"
         "--=_rel\r\nContent-Type: image/png; name=\"image001.png\"\r\nContent-Disposition: inline; filename=\"image001.png\"\r\n"
         "Content-ID: <image001>\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
         synth::Base64(png) + "\r\n--=_rel--\r\n";
}

// Time enough on a loaded machine (CI runs two tests at once on two cores): these tests are
// about what is read and how it is named; the time bounds are tested on their own.
scanner::ScanOptions Unhurried() {
  scanner::ScanOptions o;
  o.time_budget_ms = 300'000;
  o.ocr.message_ms = 240'000;
  o.ocr.image_ms = 60'000;
  return o;
}

struct Tally {
  int tp = 0, fn = 0, fp = 0;
  int invented = 0;  // of fp, values of a type none of whose drawn values was missed
  double Recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / (tp + fn); }
};

class OcrScanTest : public ::testing::Test {
 protected:
  // Identifier values found at medium or high confidence in text read from pictures.
  std::set<std::pair<std::string, std::string>> FoundByOcr(const scanner::ScanResult& r) {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& f : r.findings) {
      if (f.kind != "identifier" || f.confidence < rules::Confidence::kMedium) continue;
      for (const auto& l : f.locations) {
        if (scanner::FromOcr(l.part)) out.insert({f.type, l.hash});
      }
    }
    return out;
  }
  // The same, with each value's masked form.
  std::set<std::tuple<std::string, std::string, std::string>> FoundByOcrMasked(const scanner::ScanResult& r) {
    std::set<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& f : r.findings) {
      if (f.kind != "identifier" || f.confidence < rules::Confidence::kMedium) continue;
      for (const auto& l : f.locations) {
        if (scanner::FromOcr(l.part)) out.insert({f.type, l.hash, l.masked});
      }
    }
    return out;
  }
  // The last four digits of a value or of its masked form (a mask shows at most those).
  static std::string Tail(const std::string& value) {
    std::string tail;
    for (auto it = value.rbegin(); it != value.rend() && tail.size() < 4; ++it) {
      if (std::isdigit(static_cast<unsigned char>(*it))) tail.insert(tail.begin(), *it);
    }
    return tail;
  }
  const scanner::Finding* FindingOf(const scanner::ScanResult& r, const std::string& type) {
    for (const auto& f : r.findings) {
      if (f.type == type) return &f;
    }
    return nullptr;
  }
  bool IncompleteBy(const scanner::ScanResult& r, const std::string& bound) {
    for (const auto& i : r.incomplete) {
      if (i.bound == bound) return true;
    }
    return false;
  }
  common::KeyedHasher hasher_{"ocr-scan"};
};

TEST_F(OcrScanTest, RecallOnRenderedDocumentsCleanAndNoisy) {
  scanner::Scanner scanner(ShippedRules(), hasher_, Unhurried());
  std::map<std::string, Tally> by_group;
  Tally clean, noisy;
  // SENDGUARD_OCR_SEED measures another corpus (the assertions hold for the default one).
  const char* seed = std::getenv("SENDGUARD_OCR_SEED");
  const auto corpus = synth::MakeOcrCorpus(seed != nullptr ? std::strtoull(seed, nullptr, 10) : 2027, 6);
  // The types the generator labels every value of (it also draws dates of birth, postcodes,
  // phone numbers and addresses, which it does not list): a value of these not drawn is a
  // false positive.
  std::set<std::string> labelled;
  for (const auto& doc : corpus) {
    for (const auto& p : doc.planted) labelled.insert(p.type);
  }
  for (const auto& doc : corpus) {
    scanner::ScanResult r = scanner.ScanMessage(Mail({doc}));
    EXPECT_TRUE(r.complete) << doc.file_name << ": " << (r.incomplete_reasons.empty() ? "" : r.incomplete_reasons[0]);
    EXPECT_GE(r.ocr.read, 1u) << doc.file_name;
    auto found = FoundByOcr(r);
    std::set<std::pair<std::string, std::string>> planted;
    for (const auto& p : doc.planted) planted.insert({p.type, hasher_.Hex(p.normalized)});
    Tally t;
    for (const auto& p : planted) (found.count(p) ? t.tp : t.fn)++;
    // A value found that was not drawn is a misreading of a drawn one when it ends in the
    // same four digits as a value of its type drawn on the page (an NI number with a
    // letter read wrong, a suffix not read, an account number beside another row's sort
    // code: types with no check digit take them); otherwise it was invented.
    std::set<std::pair<std::string, std::string>> drawn_tails;
    for (const auto& p : doc.planted) drawn_tails.insert({p.type, Tail(p.normalized)});
    for (const auto& [type, hash, masked] : FoundByOcrMasked(r)) {
      if (planted.count({type, hash}) || !labelled.count(type)) continue;
      ++t.fp;
      if (!drawn_tails.count({type, Tail(masked)})) ++t.invented;
    }
    if (std::getenv("OCR_DEBUG") != nullptr) {
      std::printf("%s\n", doc.file_name.c_str());
      for (const auto& p : doc.planted) std::printf("  planted %s %s %s\n", p.type.c_str(), p.normalized.c_str(), found.count({p.type, hasher_.Hex(p.normalized)}) ? "FOUND" : "missed");
      for (const auto& f : r.findings) {
        for (const auto& l : f.locations) {
          if (scanner::FromOcr(l.part) && labelled.count(f.type) && !planted.count({f.type, l.hash})) std::printf("  extra %s %s conf=%d\n", f.type.c_str(), l.masked.c_str(), static_cast<int>(f.confidence));
        }
      }
    }
    for (Tally* g : {&by_group[doc.kind + " " + doc.format + " " + std::to_string(doc.dpi) + (doc.noisy ? " noisy" : " clean")],
                     doc.noisy ? &noisy : &clean}) {
      g->tp += t.tp, g->fn += t.fn, g->fp += t.fp, g->invented += t.invented;
    }
  }
  std::printf("%-52s %5s %5s %5s %8s\n", "kind format dpi look", "tp", "fn", "fp", "recall");
  for (const auto& [group, t] : by_group) {
    std::printf("%-52s %5d %5d %5d %7.1f%%\n", group.c_str(), t.tp, t.fn, t.fp, 100 * t.Recall());
  }
  std::printf("%-52s %5d %5d %5d %7.1f%%  (invented %d)\n", "ALL clean", clean.tp, clean.fn, clean.fp, 100 * clean.Recall(), clean.invented);
  std::printf("%-52s %5d %5d %5d %7.1f%%  (invented %d)\n", "ALL noisy", noisy.tp, noisy.fn, noisy.fp, 100 * noisy.Recall(), noisy.invented);
  EXPECT_GT(clean.tp + clean.fn, 100);
  EXPECT_GT(noisy.tp + noisy.fn, 100);
  EXPECT_GE(clean.Recall(), 0.95);
  EXPECT_GE(noisy.Recall(), 0.85);
  // Recognition errors must not invent identifiers: a checksum still decides, and a value of a
  // type without one that was not drawn stands for a drawn value read wrong.
  EXPECT_EQ(clean.invented + noisy.invented, 0) << "values found by OCR where none of their type was missed";
}

TEST_F(OcrScanTest, NoFalsePositiveInTheRealMailCorpusPictures) {
  scanner::ScanOptions all = Unhurried();
  all.ocr.mode = scanner::OcrMode::kAll;  // inline pictures too
  scanner::Scanner scanner(ShippedRules(), hasher_, all);
  const std::filesystem::path dir = SENDGUARD_REAL_MAIL_DIR;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  uint32_t pictures = 0, tiny = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (raw.find("image/") == std::string::npos && raw.find("IMAGE/") == std::string::npos) continue;
    scanner::ScanResult r = scanner.ScanMessage(raw);
    pictures += r.ocr.read + r.ocr.not_read;
    tiny += r.ocr.tiny_skipped;
    EXPECT_TRUE(FoundByOcr(r).empty()) << entry.path().filename() << ": an identifier found in a picture";
  }
  std::printf("real-mail pictures: %u read or refused, %u tiny\n", pictures, tiny);
  EXPECT_GT(pictures + tiny, 0u);
}

TEST_F(OcrScanTest, TheFindingSaysItCameFromOcrAndWhichPage) {
  scanner::Scanner scanner(ShippedRules(), hasher_, Unhurried());
  const synth::RenderedDoc pdf = synth::ImageOnlyPdf(7, 3, false);
  scanner::ScanResult r = scanner.ScanMessage(Mail({pdf}));
  std::set<std::string> parts;
  for (const auto& f : r.findings) {
    for (const auto& l : f.locations) {
      std::string picture;
      int page = 0;
      if (scanner::FromOcr(l.part, &picture, &page)) {
        EXPECT_EQ(picture, "2/" + pdf.file_name);
        EXPECT_GE(page, 1);
        EXPECT_LE(page, 3);
        parts.insert(l.part);
      }
    }
  }
  EXPECT_EQ(parts.size(), 3u) << "every page of the image-only PDF read, each named";
  EXPECT_EQ(r.ocr.read, 3u);

  const synth::RenderedDoc tiff = synth::MultiPageTiff(8, 2);
  r = scanner.ScanMessage(Mail({tiff}));
  EXPECT_EQ(r.ocr.read, 2u);
  EXPECT_FALSE(FoundByOcr(r).empty());
  bool page2 = false;
  for (const auto& f : r.findings) {
    for (const auto& l : f.locations) page2 = page2 || l.part == "2/" + tiff.file_name + "#page-2.ocr";
  }
  EXPECT_TRUE(page2);
}

TEST_F(OcrScanTest, PicturesInsideOfficeDocumentsAndArchives) {
  scanner::Scanner scanner(ShippedRules(), hasher_, Unhurried());
  const synth::RenderedDoc form = synth::MakeOcrCorpus(11, 1).front();
  ASSERT_EQ(form.format == "pdf", false);
  const std::string document =
      "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r>"
      "<w:t>Scanned form below</w:t></w:r></w:p></w:body></w:document>";
  const std::string docx = synth::ZipArchive({{"[Content_Types].xml", "<Types/>"},
                                              {"word/document.xml", document},
                                              {"word/media/image1." + form.format, form.bytes}});
  const std::string zip = synth::ZipArchive({{"scans/" + form.file_name, form.bytes}});
  scanner::ScanResult r = scanner.ScanMessage(synth::MessageWithAttachments(
      "Attached.", {{"referral.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx},
                    {"scans.zip", "application/zip", zip}}));
  std::set<std::string> parts;
  for (const auto& f : r.findings) {
    for (const auto& l : f.locations) {
      if (scanner::FromOcr(l.part)) parts.insert(l.part);
    }
  }
  EXPECT_TRUE(parts.count("2/referral.docx/word/media/image1." + form.format + "#ocr")) << ::testing::PrintToString(parts);
  EXPECT_TRUE(parts.count("3/scans.zip/scans/" + form.file_name + "#ocr")) << ::testing::PrintToString(parts);
  // The same picture twice in one message is recognised once.
  EXPECT_EQ(r.ocr.read, 2u);
  EXPECT_EQ(r.ocr.cached, 1u);
}

TEST_F(OcrScanTest, ModesOffAttachmentsAndAll) {
  const synth::RenderedDoc shot = synth::MakeOcrCorpus(12, 1).at(1);
  const std::string png = shot.format == "png" ? shot.bytes : synth::SignatureLogoPng();
  const std::string inline_mail = InlinePictureMail(png);
  scanner::ScanOptions o = Unhurried();
  {
    scanner::Scanner scanner(ShippedRules(), hasher_, o);  // the default: attachments
    scanner::ScanResult r = scanner.ScanMessage(inline_mail);
    EXPECT_EQ(r.ocr.read, 0u);
    const auto* image = FindingOf(r, "unscanned_image");
    ASSERT_NE(image, nullptr);
    EXPECT_NE(image->locations[0].masked.find("inline"), std::string::npos);
  }
  {
    // Apple Mail's attachments say "inline" with no Content-ID: they are attachments, read.
    std::string apple = inline_mail;
    apple.erase(apple.find("Content-ID: <image001>\r\n"), std::string("Content-ID: <image001>\r\n").size());
    scanner::Scanner scanner(ShippedRules(), hasher_, o);
    EXPECT_EQ(scanner.ScanMessage(apple).ocr.read, 1u);
  }
  o.ocr.mode = scanner::OcrMode::kAll;
  {
    scanner::Scanner scanner(ShippedRules(), hasher_, o);
    scanner::ScanResult r = scanner.ScanMessage(inline_mail);
    EXPECT_EQ(r.ocr.read, 1u);
    EXPECT_EQ(FindingOf(r, "unscanned_image"), nullptr);
  }
  o.ocr.mode = scanner::OcrMode::kOff;
  {
    scanner::Scanner scanner(ShippedRules(), hasher_, o);
    scanner::ScanResult r = scanner.ScanMessage(Mail({shot}));
    EXPECT_EQ(r.ocr.read, 0u);
    EXPECT_TRUE(FoundByOcr(r).empty());
  }
}

TEST_F(OcrScanTest, BoundsMakeTheScanIncompleteByName) {
  const auto docs = synth::MakeOcrCorpus(13, 1);
  std::vector<synth::RenderedDoc> pictures;
  for (const auto& d : docs) {
    if (d.format != "pdf" && pictures.size() < 3) pictures.push_back(d);
  }
  ASSERT_EQ(pictures.size(), 3u);
  auto scan = [&](auto set) {
    scanner::ScanOptions o = Unhurried();
    set(o.ocr);
    scanner::Scanner scanner(ShippedRules(), hasher_, o);
    return scanner.ScanMessage(Mail(pictures));
  };
  scanner::ScanResult r = scan([](scanner::OcrOptions& o) { o.max_images = 1; });
  EXPECT_TRUE(IncompleteBy(r, "max_ocr_images"));
  EXPECT_EQ(r.ocr.read, 1u);
  EXPECT_EQ(r.ocr.not_read, 2u);
  r = scan([](scanner::OcrOptions& o) { o.max_pixels = 10'000; });
  EXPECT_TRUE(IncompleteBy(r, "max_ocr_pixels"));
  EXPECT_EQ(r.ocr.read, 0u);
  r = scan([](scanner::OcrOptions& o) { o.image_ms = 1; o.cache_bytes = 0; });
  EXPECT_TRUE(IncompleteBy(r, "ocr_image_time"));
  EXPECT_FALSE(r.complete);
  r = scan([](scanner::OcrOptions& o) { o.max_pages = 1; });
  EXPECT_TRUE(r.complete);  // single pictures
  scanner::ScanOptions o = Unhurried();
  o.ocr.max_pages = 2;
  scanner::Scanner scanner(ShippedRules(), hasher_, o);
  r = scanner.ScanMessage(Mail({synth::ImageOnlyPdf(14, 4, false)}));
  EXPECT_TRUE(IncompleteBy(r, "max_ocr_pages"));
  EXPECT_EQ(r.ocr.read, 2u);
  o.ocr.languages = "eng+tlh";
  scanner::Scanner missing(ShippedRules(), hasher_, o);
  r = missing.ScanMessage(Mail({pictures[0]}));
  EXPECT_TRUE(IncompleteBy(r, "ocr_unavailable"));
}

TEST_F(OcrScanTest, TheSameLogoIsReadOnceAndTrackingPixelsAreSkipped) {
  scanner::Scanner scanner(ShippedRules(), hasher_, Unhurried());
  const std::string logo = synth::SignatureLogoPng();
  uint32_t read = 0, cached = 0, tiny = 0;
  for (int i = 0; i < 5; ++i) {
    scanner::ScanResult r = scanner.ScanMessage(synth::MessageWithAttachments(
        "Kind regards", {{"logo.png", "image/png", logo}, {"pixel.gif", "image/gif", synth::TrackingPixelGif()}}));
    read += r.ocr.read;
    cached += r.ocr.cached;
    tiny += r.ocr.tiny_skipped;
    EXPECT_TRUE(r.complete);
  }
  EXPECT_EQ(read, 5u);
  EXPECT_GE(cached, 4u);  // the first may already be in the process's cache from another test
  EXPECT_EQ(tiny, 5u);
}

}  // namespace
}  // namespace sendguard
