// SPDX-License-Identifier: Apache-2.0
// Builds real attachment files in memory for tests and benchmarks: archives (libarchive's
// writer), office documents (their XML inside a ZIP), PDFs (assembled object by object),
// RTF, and MIME messages carrying them. Nothing is copied from elsewhere.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sendguard::synth {

using Files = std::vector<std::pair<std::string, std::string>>;  // (path inside, content)

// Archive formats libarchive writes. `password` (ZIP only) encrypts every member.
std::string ZipArchive(const Files& files, const std::string& password = "");
std::string TarGz(const Files& files);
std::string TarXz(const Files& files);
std::string SevenZip(const Files& files);
std::string Gzip(const std::string& name, const std::string& content);

// Office documents with one paragraph / row per line of text; rows of an XLSX are cells
// split on '\t'; the first column uses shared strings, the others inline strings; every
// cell carries its reference (r="B2") and empty cells are left out, as Excel writes them.
std::string Docx(const std::vector<std::string>& paragraphs);
std::string Xlsx(const std::vector<std::string>& rows);
std::string Pptx(const std::vector<std::string>& slides);
std::string Odt(const std::vector<std::string>& paragraphs);
std::string Ods(const std::vector<std::string>& rows);

// A one-page PDF showing each line; `encrypted` adds a standard security handler whose
// user password is not empty, so readers cannot open it.
std::string Pdf(const std::vector<std::string>& lines, bool encrypted = false);
std::string Rtf(const std::vector<std::string>& paragraphs);

// A compound-file (OLE) header with an EncryptionInfo stream name: what Office writes
// for a password-protected DOCX or XLSX.
std::string EncryptedOfficeContainer();

// A small valid PNG image.
std::string Png();

struct Attachment {
  std::string filename;
  std::string content_type;
  std::string bytes;
};

// A multipart/mixed message with a text body and base64-encoded attachments.
std::string MessageWithAttachments(const std::string& body, const std::vector<Attachment>& attachments);

}  // namespace sendguard::synth
