// SPDX-License-Identifier: Apache-2.0
// libmagic adapter and type families for mismatch detection (see type_detector.h).
#include "type_detector.h"

#include <magic.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "../c_string.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

std::string Extension(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot + 1 >= name.size()) return {};
  return common::AsciiLower(name.substr(dot + 1));
}

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

FileKind KindFromMime(const std::string& m) {
  if (m == "application/x-empty" || m == "inode/x-empty") return FileKind::kEmpty;
  if (m == "text/html") return FileKind::kHtml;
  if (m == "text/rtf" || m == "application/rtf") return FileKind::kRtf;
  if (m == "text/xml" || m == "application/xml") return FileKind::kXml;
  if (m == "text/csv") return FileKind::kCsv;
  if (m == "application/pdf") return FileKind::kPdf;
  if (m == "application/zip" || StartsWith(m, "application/vnd.openxmlformats-officedocument") ||
      StartsWith(m, "application/vnd.oasis.opendocument") || m == "application/java-archive" ||
      m == "application/epub+zip") {
    return FileKind::kZip;
  }
  if (m == "application/x-tar") return FileKind::kTar;
  if (m == "application/gzip" || m == "application/x-gzip") return FileKind::kGzip;
  if (m == "application/x-bzip2") return FileKind::kBzip2;
  if (m == "application/x-xz") return FileKind::kXz;
  if (m == "application/x-7z-compressed") return FileKind::kSevenZip;
  if (m == "application/x-ole-storage" || m == "application/CDFV2" || m == "application/msword" ||
      m == "application/vnd.ms-excel" || m == "application/vnd.ms-powerpoint" || m == "application/vnd.ms-outlook" ||
      StartsWith(m, "application/CDFV2")) {
    return FileKind::kOle;
  }
  if (StartsWith(m, "image/")) return FileKind::kImage;
  if (m == "application/x-executable" || m == "application/x-dosexec" || m == "application/x-sharedlib" ||
      m == "application/x-pie-executable" || m == "application/x-mach-binary" || m == "application/vnd.microsoft.portable-executable") {
    return FileKind::kExecutable;
  }
  if (StartsWith(m, "text/")) return FileKind::kText;
  if (m == "application/json") return FileKind::kText;
  return FileKind::kUnknown;
}

FileKind KindFromExtension(const std::string& ext) {
  static const struct {
    const char* ext;
    FileKind kind;
  } kTable[] = {
      {"txt", FileKind::kText}, {"log", FileKind::kText}, {"md", FileKind::kText}, {"json", FileKind::kText},
      {"csv", FileKind::kCsv}, {"tsv", FileKind::kCsv}, {"html", FileKind::kHtml}, {"htm", FileKind::kHtml},
      {"xml", FileKind::kXml}, {"rtf", FileKind::kRtf}, {"pdf", FileKind::kPdf}, {"zip", FileKind::kZip},
      {"docx", FileKind::kZip}, {"xlsx", FileKind::kZip}, {"pptx", FileKind::kZip}, {"odt", FileKind::kZip},
      {"ods", FileKind::kZip}, {"odp", FileKind::kZip}, {"tar", FileKind::kTar}, {"gz", FileKind::kGzip},
      {"tgz", FileKind::kGzip}, {"bz2", FileKind::kBzip2}, {"xz", FileKind::kXz}, {"7z", FileKind::kSevenZip},
      {"doc", FileKind::kOle}, {"xls", FileKind::kOle}, {"ppt", FileKind::kOle}, {"msg", FileKind::kOle},
      {"png", FileKind::kImage}, {"jpg", FileKind::kImage}, {"jpeg", FileKind::kImage}, {"gif", FileKind::kImage},
      {"bmp", FileKind::kImage}, {"tif", FileKind::kImage}, {"tiff", FileKind::kImage}, {"webp", FileKind::kImage},
      {"heic", FileKind::kImage}, {"exe", FileKind::kExecutable}, {"dll", FileKind::kExecutable},
      {"msi", FileKind::kExecutable}, {"scr", FileKind::kExecutable}, {"com", FileKind::kExecutable},
  };
  for (const auto& row : kTable) {
    if (ext == row.ext) return row.kind;
  }
  return FileKind::kUnknown;
}

bool Has(std::string_view s, size_t at, std::string_view sig) { return s.size() >= at + sig.size() && s.substr(at, sig.size()) == sig; }

// Signatures that are certain, checked before libmagic (which costs about 100 us a call and
// is most of extraction time on ordinary mail). Anything else goes to libmagic.
bool QuickDetect(std::string_view c, Detected* d) {
  static const struct {
    size_t at;
    std::string_view sig;
    FileKind kind;
    const char* mime;
  } kSignatures[] = {
      {0, "%PDF-", FileKind::kPdf, "application/pdf"},
      {0, std::string_view("PK\x03\x04", 4), FileKind::kZip, "application/zip"},
      {0, "\x1f\x8b", FileKind::kGzip, "application/gzip"},
      {0, "BZh", FileKind::kBzip2, "application/x-bzip2"},
      {0, std::string_view("\xFD" "7zXZ\0", 6), FileKind::kXz, "application/x-xz"},
      {0, "7z\xBC\xAF\x27\x1C", FileKind::kSevenZip, "application/x-7z-compressed"},
      {0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", FileKind::kOle, "application/x-ole-storage"},
      {0, "\x89PNG\r\n\x1a\n", FileKind::kImage, "image/png"},
      {0, "\xFF\xD8\xFF", FileKind::kImage, "image/jpeg"},
      {0, "GIF87a", FileKind::kImage, "image/gif"},
      {0, "GIF89a", FileKind::kImage, "image/gif"},
      {0, "{\\rtf", FileKind::kRtf, "text/rtf"},
      {257, std::string_view("ustar", 5), FileKind::kTar, "application/x-tar"},
  };
  for (const auto& s : kSignatures) {
    if (Has(c, s.at, s.sig)) {
      d->kind = s.kind;
      d->mime = s.mime;
      return true;
    }
  }
  // Plain UTF-8 text with no NUL and no control bytes but white space: text/plain.
  std::string_view head = c.substr(0, 64u << 10);
  for (unsigned char ch : head) {
    if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r' && ch != '\f') || ch == 0x7f) return false;
  }
  size_t cut = head.size();
  while (cut > 0 && head.size() - cut < 4 && (static_cast<unsigned char>(head[cut - 1]) & 0xC0) == 0x80) --cut;
  if (cut > 0 && static_cast<unsigned char>(head[cut - 1]) >= 0xC0) --cut;  // a character split at the window's end
  if (!common::IsValidUtf8(head.substr(0, head.size() == c.size() ? head.size() : cut))) return false;
  std::string_view start = common::Trim(head.substr(0, 512));
  bool html = start.size() >= 5 && (common::AsciiLower(start.substr(0, 14)) == "<!doctype html" ||
                                    common::AsciiLower(start.substr(0, 5)) == "<html");
  d->kind = html ? FileKind::kHtml : FileKind::kText;
  d->mime = html ? "text/html" : "text/plain";
  return true;
}

}  // namespace

TypeDetector::TypeDetector() : cookie_(magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR)) {
  if (!cookie_ || magic_load(static_cast<magic_t>(cookie_), nullptr) != 0) {
    if (cookie_) magic_close(static_cast<magic_t>(cookie_));
    cookie_ = nullptr;  // Detect falls back to "unknown"; the walk reports it as unsupported
  }
}

TypeDetector::~TypeDetector() {
  if (cookie_) magic_close(static_cast<magic_t>(cookie_));
}

Detected TypeDetector::Detect(std::string_view content, const std::string& name) const {
  Detected d;
  if (content.empty()) {
    d.kind = FileKind::kEmpty;
    d.mime = "application/x-empty";
    return d;
  }
  if (QuickDetect(content, &d)) {
    // decided without libmagic
  } else if (cookie_) {
    d.mime = FromCString(magic_buffer(static_cast<magic_t>(cookie_), content.data(), std::min<size_t>(content.size(), 64u << 10)),
                         "application/octet-stream");
    d.mime = d.mime.substr(0, d.mime.find_first_of(",; "));  // "application/x-executable, no program header"
    d.kind = KindFromMime(d.mime);
  } else {
    d.mime = "application/octet-stream";
  }
  if (d.kind == FileKind::kText) {
    std::string ext = Extension(name);
    if (ext == "csv" || ext == "tsv") d.kind = FileKind::kCsv;
    if (ext == "html" || ext == "htm") d.kind = FileKind::kHtml;
  }
  return d;
}

FileKind ClaimedKind(const std::string& name, const std::string& declared_mime) {
  FileKind k = KindFromExtension(Extension(name));
  if (k != FileKind::kUnknown) return k;
  std::string m = common::AsciiLower(declared_mime);
  if (m.empty() || m == "application/octet-stream") return FileKind::kUnknown;
  return KindFromMime(m);
}

const char* FamilyName(FileKind kind) {
  switch (kind) {
    case FileKind::kText: case FileKind::kCsv: case FileKind::kHtml: case FileKind::kXml: case FileKind::kRtf:
      return "text";
    case FileKind::kPdf: return "pdf";
    case FileKind::kZip: return "zip";
    case FileKind::kTar: case FileKind::kGzip: case FileKind::kBzip2: case FileKind::kXz: case FileKind::kSevenZip:
      return "archive";
    case FileKind::kOle: return "ole";
    case FileKind::kImage: return "image";
    case FileKind::kExecutable: return "executable";
    case FileKind::kEmpty: case FileKind::kUnknown: return "unknown";
  }
  return "unknown";
}

bool KindsMismatch(FileKind claimed, FileKind detected) {
  std::string a = FamilyName(claimed), b = FamilyName(detected);
  if (a == "unknown" || b == "unknown") return false;
  return a != b;
}

}  // namespace sendguard::scanner
