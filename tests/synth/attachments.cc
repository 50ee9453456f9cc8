// SPDX-License-Identifier: Apache-2.0
// In-memory attachment builders (see attachments.h).
#include "sendguard/synth/attachments.h"

#include "sendguard/synth/synth.h"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <stdexcept>

namespace sendguard::synth {

namespace {

std::string Write(const Files& files, const char* format, const char* filter, const std::string& password) {
  struct archive* a = archive_write_new();
  archive_write_set_format_by_name(a, format);
  if (filter) archive_write_add_filter_by_name(a, filter);
  if (!password.empty()) {
    archive_write_set_options(a, "zip:encryption=zipcrypt");
    archive_write_set_passphrase(a, password.c_str());
  }
  std::string out;
  auto append = [](struct archive*, void* ctx, const void* data, size_t n) -> la_ssize_t {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), n);
    return static_cast<la_ssize_t>(n);
  };
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open(a, &out, nullptr, append, nullptr) != ARCHIVE_OK) {
    const char* why = archive_error_string(a);  // may be NULL
    throw std::runtime_error(why ? why : "libarchive cannot open a writer");
  }
  for (const auto& [name, content] : files) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, content.data(), content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out.push_back(c);
  }
  return out;
}

std::vector<std::string> SplitTabs(const std::string& row) {
  std::vector<std::string> cells;
  size_t start = 0;
  for (size_t i = 0; i <= row.size(); ++i) {
    if (i == row.size() || row[i] == '\t') {
      cells.push_back(row.substr(start, i - start));
      start = i + 1;
    }
  }
  return cells;
}

const char* kContentTypesHead =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">";

}  // namespace

std::string ZipArchive(const Files& files, const std::string& password) { return Write(files, "zip", nullptr, password); }
std::string TarGz(const Files& files) { return Write(files, "pax", "gzip", ""); }
std::string TarXz(const Files& files) { return Write(files, "pax", "xz", ""); }
std::string SevenZip(const Files& files) { return Write(files, "7zip", nullptr, ""); }
std::string Gzip(const std::string& name, const std::string& content) { return Write({{name, content}}, "raw", "gzip", ""); }

std::string Docx(const std::vector<std::string>& paragraphs) {
  std::string body;
  for (const auto& p : paragraphs) body += "<w:p><w:r><w:t xml:space=\"preserve\">" + Escape(p) + "</w:t></w:r></w:p>";
  return ZipArchive({
      {"[Content_Types].xml", std::string(kContentTypesHead) +
                                  "<Override PartName=\"/word/document.xml\" ContentType=\"application/"
                                  "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
      {"word/document.xml",
       "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
       "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" + body + "</w:body></w:document>"},
  });
}

// A spreadsheet column's letters: 0 -> "A", 25 -> "Z", 26 -> "AA".
std::string ColumnName(size_t c) {
  std::string name;
  for (size_t n = c + 1; n > 0; n = (n - 1) / 26) name.insert(name.begin(), static_cast<char>('A' + (n - 1) % 26));
  return name;
}

std::string Xlsx(const std::vector<std::string>& rows) {
  std::string shared, sheet;
  int shared_count = 0, r = 0;
  for (const auto& row : rows) {
    ++r;
    sheet += "<row r=\"" + std::to_string(r) + "\">";
    auto cells = SplitTabs(row);
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty()) continue;  // as Excel does: an empty cell is not written at all
      std::string ref = " r=\"" + ColumnName(c) + std::to_string(r) + "\"";
      if (c == 0) {
        shared += "<si><t>" + Escape(cells[c]) + "</t></si>";
        sheet += "<c" + ref + " t=\"s\"><v>" + std::to_string(shared_count++) + "</v></c>";
      } else {
        sheet += "<c" + ref + " t=\"inlineStr\"><is><t>" + Escape(cells[c]) + "</t></is></c>";
      }
    }
    sheet += "</row>";
  }
  const char* ns = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";
  return ZipArchive({
      {"[Content_Types].xml", std::string(kContentTypesHead) + "</Types>"},
      {"xl/workbook.xml", std::string("<workbook ") + ns + "><sheets><sheet name=\"Referrals\" sheetId=\"1\"/></sheets></workbook>"},
      {"xl/sharedStrings.xml", std::string("<sst ") + ns + ">" + shared + "</sst>"},
      {"xl/worksheets/sheet1.xml", std::string("<worksheet ") + ns + "><sheetData>" + sheet + "</sheetData></worksheet>"},
  });
}

std::string Pptx(const std::vector<std::string>& slides) {
  Files files = {{"[Content_Types].xml", std::string(kContentTypesHead) + "</Types>"},
                 {"ppt/presentation.xml", "<p:presentation xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"/>"}};
  for (size_t i = 0; i < slides.size(); ++i) {
    files.push_back({"ppt/slides/slide" + std::to_string(i + 1) + ".xml",
                     "<p:sld xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" "
                     "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><p:txBody><a:p><a:r><a:t>" +
                         Escape(slides[i]) + "</a:t></a:r></a:p></p:txBody></p:sld>"});
  }
  return ZipArchive(files);
}

namespace {
std::string OpenDocument(const char* mimetype, const std::string& body) {
  return ZipArchive({
      {"mimetype", mimetype},
      {"META-INF/manifest.xml", "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>"},
      {"content.xml",
       "<office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
       "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
       "xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\"><office:body>" + body +
           "</office:body></office:document-content>"},
  });
}
}  // namespace

std::string Odt(const std::vector<std::string>& paragraphs) {
  std::string body = "<office:text>";
  for (const auto& p : paragraphs) body += "<text:p>" + Escape(p) + "</text:p>";
  return OpenDocument("application/vnd.oasis.opendocument.text", body + "</office:text>");
}

std::string Ods(const std::vector<std::string>& rows) {
  std::string body = "<office:spreadsheet><table:table table:name=\"Sheet1\">";
  for (const auto& row : rows) {
    body += "<table:table-row>";
    for (const auto& cell : SplitTabs(row)) body += "<table:table-cell><text:p>" + Escape(cell) + "</text:p></table:table-cell>";
    body += "</table:table-row>";
  }
  return OpenDocument("application/vnd.oasis.opendocument.spreadsheet", body + "</table:table></office:spreadsheet>");
}

std::string Pdf(const std::vector<std::string>& lines, bool encrypted) {
  std::string content = "BT /F1 11 Tf 72 760 Td 14 TL\n";
  for (const auto& l : lines) {
    std::string esc;
    for (char c : l) {
      if (c == '(' || c == ')' || c == '\\') esc.push_back('\\');
      esc.push_back(c);
    }
    content += "(" + esc + ") Tj T*\n";
  }
  content += "ET\n";
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  if (encrypted) {
    // RC4 40-bit standard handler; /O and /U do not correspond to an empty user password.
    objects.push_back("<< /Filter /Standard /V 1 /R 2 /O <" + std::string(64, 'A') + "> /U <" + std::string(64, 'B') +
                      "> /P -44 >>");
  }
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R";
  if (encrypted) pdf += " /Encrypt 6 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]";
  pdf += " >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

std::string Rtf(const std::vector<std::string>& paragraphs) {
  std::string out = "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}{\\*\\generator sendguard;}\\f0\\fs22 ";
  for (const auto& p : paragraphs) out += p + "\\par\n";
  return out + "}";
}

std::string EncryptedOfficeContainer() {
  // Compound File Binary header (512 bytes) followed by a directory sector naming the
  // streams Office writes for an encrypted package.
  std::string cfb(1536, '\0');
  const unsigned char magic[] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};
  std::copy(magic, magic + 8, cfb.begin());
  cfb[0x18] = 0x3E; cfb[0x1A] = 0x03; cfb[0x1C] = static_cast<char>(0xFE); cfb[0x1D] = static_cast<char>(0xFF);
  cfb[0x1E] = 0x09; cfb[0x20] = 0x06;
  auto utf16 = [](const char* s) {
    std::string o;
    for (; *s; ++s) o += std::string{*s, '\0'};
    return o;
  };
  std::string names = utf16("Root Entry") + std::string(2, '\0') + utf16("EncryptionInfo") + std::string(2, '\0') +
                      utf16("EncryptedPackage");
  cfb.replace(512, names.size(), names);
  return cfb;
}

std::string Png() {
  const unsigned char png[] = {0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
                               0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
                               0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
                               0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00,
                               0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82};
  return std::string(reinterpret_cast<const char*>(png), sizeof png);
}

std::string MessageWithAttachments(const std::string& body, const std::vector<Attachment>& attachments) {
  std::string m = "From: staff@council.example.gov.uk\r\nTo: someone@example.org\r\nSubject: Documents\r\n"
                  "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_att\"\r\n\r\n"
                  "--=_att\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
  for (const auto& a : attachments) {
    m += "--=_att\r\nContent-Type: " + a.content_type + "; name=\"" + a.filename +
         "\"\r\nContent-Disposition: attachment; filename=\"" + a.filename +
         "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Base64(a.bytes);
  }
  return m + "--=_att--\r\n";
}

}  // namespace sendguard::synth
