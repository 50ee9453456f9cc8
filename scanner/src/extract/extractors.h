// SPDX-License-Identifier: Apache-2.0
// The individual extractors, one file each, all of the shape: bytes (+ what they are)
// -> text segments with their part path, delivered through the ExtractContext.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "extract_context.h"

namespace sendguard::scanner {

// RTF to text: control words dropped, \par and \line as line breaks, \cell as tab, \'hh and \uN decoded.
std::string RtfToText(std::string_view rtf);

// PDF text via poppler-cpp, page by page; a password-protected PDF is an encrypted_attachment.
void ExtractPdf(ExtractContext& ctx, std::string_view bytes, const std::string& path);

// One member read out of an archive.
struct ArchiveMember {
  std::string name;   // path inside the archive, as stored
  std::string data;   // at most max_member_bytes
  bool encrypted = false;
};

// Reads every regular member of an archive (ZIP, tar, 7z, and gzip/bzip2/xz streams) within
// the bounds; stops and records the bound that was hit.
std::vector<ArchiveMember> ReadArchive(ExtractContext& ctx, std::string_view bytes, const std::string& path);

// OOXML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS) from their archive members; false
// when the members are not an office document (then the caller treats it as a plain archive).
bool ExtractOfficeDocument(ExtractContext& ctx, const std::vector<ArchiveMember>& members, const std::string& path);

}  // namespace sendguard::scanner
