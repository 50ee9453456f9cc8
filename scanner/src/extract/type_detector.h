// SPDX-License-Identifier: Apache-2.0
// What a part really is, from its content (libmagic), and what its name or declared type
// claims it is. One TypeDetector per thread (libmagic cookies are not thread-safe).
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

enum class FileKind {
  kUnknown, kEmpty, kText, kCsv, kHtml, kXml, kRtf, kPdf, kZip, kTar, kGzip, kBzip2, kXz,
  kSevenZip, kOle, kImage, kExecutable,
};

struct Detected {
  FileKind kind = FileKind::kUnknown;
  std::string mime;  // libmagic's MIME type, e.g. "application/zip"
};

class TypeDetector {
 public:
  TypeDetector();
  ~TypeDetector();
  TypeDetector(const TypeDetector&) = delete;
  TypeDetector& operator=(const TypeDetector&) = delete;

  // Detects from the first bytes of `content`; `name` refines text kinds (".csv").
  Detected Detect(std::string_view content, const std::string& name) const;

 private:
  void* cookie_;  // magic_t
};

// The kind a file name's extension claims, or the declared MIME type when there is none.
FileKind ClaimedKind(const std::string& name, const std::string& declared_mime);

// True when the claim and the content are of different families (a ".txt" that is a ZIP,
// a ".pdf" that is a program). Unknown claims never mismatch.
bool KindsMismatch(FileKind claimed, FileKind detected);

// "text", "pdf", "zip", "archive", "ole", "image", "executable" or "unknown".
const char* FamilyName(FileKind kind);

}  // namespace sendguard::scanner
