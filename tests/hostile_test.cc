// SPDX-License-Identifier: Apache-2.0
// Hostile attachments, generated here: a zip bomb, 30-deep nested archives, a 1,000-deep
// multipart, overlapping-entry ZIPs (stored, and Fifield's deflate bomb built byte by byte in
// tests/synth/hostile_zip.cc, once so that libarchive fails with no message), a bomb member
// before a CSV (in a ZIP and in a tar.gz), a corrupt XLSX, a PDF poppler rejects, a 100 MB
// attachment. Each must end within its time budget, never crash, and never come back as a
// complete, clean scan; the process's peak memory stays under the bound in OPERATIONS.md.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <optional>
#include <set>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/synth/attachments.h"
#include "sendguard/synth/hostile.h"
#include "sendguard/synth/synth.h"
#include "sendguard/testing/shipped_rules.h"

namespace sendguard {
namespace {

using synth::Attachment;

constexpr uint32_t kBudgetMs = 5000;

class HostileTest : public ::testing::Test {
 protected:
  static std::shared_ptr<const scanner::CompiledRules> Rules() { return testing::ShippedRules(); }
  static scanner::ScanOptions Options() {
    scanner::ScanOptions o;
    o.time_budget_ms = kBudgetMs;
    return o;
  }
  // Scans and checks the common promises: in time, and not complete-and-clean.
  scanner::ScanResult ScanHostile(const std::string& raw) {
    auto start = std::chrono::steady_clock::now();
    scanner::ScanResult r = scanner_.ScanMessage(raw);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(ms, kBudgetMs * kSlowdown + 2000) << "over the time budget";
    EXPECT_FALSE(r.complete) << "a hostile input came back complete";
    return r;
  }
  static bool HasBound(const scanner::ScanResult& r, const std::string& bound) {
    for (const auto& i : r.incomplete) {
      if (i.bound == bound) return true;
    }
    return false;
  }
  // The detail of the first `bound` recorded on exactly `part`, or nullopt.
  static std::optional<std::string> DetailOf(const scanner::ScanResult& r, const std::string& bound,
                                             const std::string& part) {
    for (const auto& i : r.incomplete) {
      if (i.bound == bound && i.part == part) return i.detail;
    }
    return std::nullopt;
  }
  // Distinct NHS numbers found in parts starting with `part_prefix`.
  static std::set<std::string> NhsIn(const scanner::ScanResult& r, const std::string& part_prefix) {
    std::set<std::string> hashes;
    for (const auto& f : r.findings) {
      if (f.type != "uk.nhs_number") continue;
      for (const auto& l : f.locations) {
        if (l.part.rfind(part_prefix, 0) == 0) hashes.insert(l.hash);
      }
    }
    return hashes;
  }
#ifdef SENDGUARD_SANITIZED
  static constexpr int kSlowdown = 4;
#else
  static constexpr int kSlowdown = 1;
#endif
  common::KeyedHasher hasher_{"hostile"};
  scanner::Scanner scanner_{Rules(), hasher_, Options()};
};

TEST_F(HostileTest, ZipBombStopsAtTheCompressionRatio) {
  std::string bomb = synth::ZipArchive({{"zeros.txt", std::string(64u << 20, '0')}});
  ASSERT_LT(bomb.size(), 2u << 20);  // small file, huge expansion
  auto r = ScanHostile(synth::MessageWithAttachments("see attached", {{"data.zip", "application/zip", bomb}}));
  EXPECT_TRUE(HasBound(r, "max_compression_ratio"));
  bool named = false;
  for (const auto& f : r.findings) {
    if (f.type == "scan_incomplete") {
      for (const auto& l : f.locations) named |= l.part == "2/data.zip/zeros.txt";
    }
  }
  EXPECT_TRUE(named);
}

TEST_F(HostileTest, ThirtyDeepNestedArchivesStopAtMaxDepth) {
  std::string inner = synth::ZipArchive({{"bottom.txt", "NHS number 083 016 6130"}});
  for (int i = 0; i < 30; ++i) inner = synth::ZipArchive({{"level" + std::to_string(i) + ".zip", inner}});
  auto r = ScanHostile(synth::MessageWithAttachments("see attached", {{"deep.zip", "application/zip", inner}}));
  EXPECT_TRUE(HasBound(r, "max_depth"));
}

TEST_F(HostileTest, ThousandDeepMultipartStopsAtMaxDepth) {
  std::string m = "From: a@b.org\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
  for (int i = 0; i < 1000; ++i) {
    m += "--b" + std::to_string(i) + "\r\nContent-Type: multipart/mixed; boundary=b" + std::to_string(i + 1) + "\r\n\r\n";
  }
  m += "--b1000\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
  for (int i = 1000; i >= 0; --i) m += "--b" + std::to_string(i) + "--\r\n";
  auto r = ScanHostile(m);
  EXPECT_TRUE(HasBound(r, "max_depth"));
}

// A ZIP whose central directory lists the same stored data many times over.
std::string OverlappingZip(int entries, size_t data_size) {
  auto le16 = [](std::string& s, uint32_t v) { s.push_back(char(v & 0xff)); s.push_back(char((v >> 8) & 0xff)); };
  auto le32 = [&](std::string& s, uint32_t v) { le16(s, v & 0xffff); le16(s, v >> 16); };
  std::string data(data_size, 'A');
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xFFFFFFFFu;
  std::string z;
  le32(z, 0x04034b50); le16(z, 10); le16(z, 0); le16(z, 0); le16(z, 0); le16(z, 0);
  le32(z, crc); le32(z, static_cast<uint32_t>(data_size)); le32(z, static_cast<uint32_t>(data_size));
  le16(z, 5); le16(z, 0); z += "a.txt"; z += data;
  size_t cd_start = z.size();
  for (int i = 0; i < entries; ++i) {
    std::string name = "f" + std::to_string(i) + ".txt";
    le32(z, 0x02014b50); le16(z, 20); le16(z, 10); le16(z, 0); le16(z, 0); le16(z, 0); le16(z, 0);
    le32(z, crc); le32(z, static_cast<uint32_t>(data_size)); le32(z, static_cast<uint32_t>(data_size));
    le16(z, static_cast<uint32_t>(name.size())); le16(z, 0); le16(z, 0); le16(z, 0); le16(z, 0); le32(z, 0);
    le32(z, 0);  // every entry points at the same local header
    z += name;
  }
  size_t cd_size = z.size() - cd_start;
  le32(z, 0x06054b50); le16(z, 0); le16(z, 0); le16(z, static_cast<uint32_t>(entries));
  le16(z, static_cast<uint32_t>(entries)); le32(z, static_cast<uint32_t>(cd_size));
  le32(z, static_cast<uint32_t>(cd_start)); le16(z, 0);
  return z;
}

TEST_F(HostileTest, OverlappingEntryZipIsBounded) {
  auto r = ScanHostile(synth::MessageWithAttachments(
      "see attached", {{"overlap.zip", "application/zip", OverlappingZip(5000, 64 * 1024)}}));
  EXPECT_TRUE(HasBound(r, "max_compression_ratio") || HasBound(r, "max_archive_members") || HasBound(r, "extract_error"));
}

// Fifield's overlapping-entry bomb: 600 entries share one deflate kernel (about 64 KB,
// some 600 MB inflated). Every entry is valid alone; their compressed data overlap.
TEST_F(HostileTest, OverlappingDeflateZipBombStopsAtTheOverlap) {
  std::string bomb = synth::OverlappingDeflateZip(600, 1'000'000);
  ASSERT_LT(bomb.size(), 70u << 10);
  auto r = ScanHostile(synth::MessageWithAttachments("see attached", {{"bomb.zip", "application/zip", bomb}}));
  auto detail = DetailOf(r, "extract_error", "2/bomb.zip");
  ASSERT_TRUE(detail.has_value());
  EXPECT_NE(detail->find("overlap"), std::string::npos) << *detail;
  EXPECT_LT(r.bytes_scanned, 8u << 20);  // stopped at the second entry, not after hundreds of megabytes
}

// The same bomb whose first local header claims an encrypted central directory: libarchive
// fails there and leaves archive_error_string NULL (this crashed every scan and the milter).
TEST_F(HostileTest, OverlappingZipOnWhichLibarchiveFailsSilentlyIsNamedNotCrashed) {
  std::string bomb = synth::OverlappingDeflateZip(600, 1'000'000, 0x2041);
  auto r = ScanHostile(synth::MessageWithAttachments("see attached", {{"bomb.zip", "application/zip", bomb}}));
  auto detail = DetailOf(r, "extract_error", "2/bomb.zip");
  ASSERT_TRUE(detail.has_value());
  EXPECT_NE(detail->find("no reason given by libarchive"), std::string::npos) << *detail;
}

// A bomb member stops alone: the CSV stored after it in the same ZIP is still scanned.
TEST_F(HostileTest, RatioBoundInOneZipMemberStopsThatMemberOnly) {
  synth::Rng rng(17);
  std::string csv = "name,nhs\r\n";
  std::set<std::string> planted;
  for (int i = 0; i < 12; ++i) {
    std::string nhs = synth::NhsNumber(rng);
    planted.insert(hasher_.Hex(nhs));
    csv += "Patient " + std::to_string(i) + ",NHS number " + synth::Grouped(nhs, {3, 3, 4}, ' ') + "\r\n";
  }
  std::string zip = synth::ZipArchive({{"zeros.txt", std::string(64u << 20, '0')}, {"list.csv", csv}});
  auto r = ScanHostile(synth::MessageWithAttachments("see attached", {{"data.zip", "application/zip", zip}}));
  EXPECT_TRUE(DetailOf(r, "max_compression_ratio", "2/data.zip/zeros.txt").has_value());
  EXPECT_EQ(NhsIn(r, "2/data.zip/list.csv"), planted);
}

// In one compressed stream (tar.gz) the CSV cannot be reached without inflating the bomb:
// the archive ends there, and says so.
TEST_F(HostileTest, RatioBoundInACompressedStreamEndsTheArchiveWithAReason) {
  std::string tgz = synth::TarGz({{"zeros.txt", std::string(64u << 20, '0')}, {"list.csv", "NHS number 083 016 6130"}});
  auto r = ScanHostile(synth::MessageWithAttachments("see attached", {{"data.tgz", "application/gzip", tgz}}));
  EXPECT_TRUE(HasBound(r, "max_compression_ratio"));
}

TEST_F(HostileTest, CorruptXlsxAndUnparseablePdfAreNamedPerPart) {
  std::string xlsx = synth::Xlsx({"NHS number\t083 016 6130", "more\tcells"});
  std::string corrupt = xlsx.substr(0, xlsx.size() / 2);
  std::string pdf = "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nxref\ngarbage\n%%EOF";
  auto r = ScanHostile(synth::MessageWithAttachments(
      "see attached", {{"broken.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", corrupt},
                       {"broken.pdf", "application/pdf", pdf}}));
  std::set<std::string> parts;
  for (const auto& i : r.incomplete) {
    if (i.bound == "extract_error") parts.insert(i.part.substr(0, i.part.find('/', 2)));
  }
  EXPECT_EQ(parts, (std::set<std::string>{"2/broken.xlsx", "3/broken.pdf"}));
}

TEST_F(HostileTest, HundredMegabyteAttachmentIsScannedUpToTheBoundsWithinBudget) {
  std::string big(100u << 20, 'x');
  big.replace(1000, 25, " NHS number 083 016 6130 ");
  auto r = ScanHostile(synth::MessageWithAttachments("see attached", {{"big.txt", "text/plain", big}}));
  EXPECT_TRUE(HasBound(r, "max_message_bytes"));
}

TEST_F(HostileTest, PeakMemoryStaysUnderTheDocumentedBound) {
  // Runs last in this binary (gtest runs tests in order): the peak covers every case above.
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  long peak_mib = usage.ru_maxrss / 1024;
  std::printf("peak resident memory: %ld MiB\n", peak_mib);
#ifndef SENDGUARD_SANITIZED
  EXPECT_LT(peak_mib, 1536);
#endif
}

}  // namespace
}  // namespace sendguard
