// SPDX-License-Identifier: Apache-2.0
// Fuzz target: one attachment through ExtractBytes as the message walk hands it over: type
// detection by content, the claimed type from the name, and every extractor reached from it
// (archives and what they hold, office documents, PDF, RTF, HTML, CSV, text). The first byte
// picks the name and declared type, so the same bytes are tried under each claim.
#include <array>

#include "extract_support.h"
#include "extract/extractors.h"

namespace {
struct Claim {
  const char* name;
  const char* mime;
};
constexpr std::array<Claim, 12> kClaims{{
    {"list.csv", "text/csv"},
    {"letter.html", "text/html"},
    {"notes.rtf", "application/rtf"},
    {"report.pdf", "application/pdf"},
    {"files.zip", "application/zip"},
    {"referral.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {"caseload.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {"minutes.odt", "application/vnd.oasis.opendocument.text"},
    {"export.tar.gz", "application/gzip"},
    {"notes.txt", "text/plain"},
    {"forwarded.eml", "message/rfc822"},
    {"", "application/octet-stream"},
}};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  const auto in = fuzz::Select(data, size, kClaims.size());
  fuzz::Extraction x;
  const Claim& c = kClaims[in.choice];
  scanner::ExtractBytes(x.ctx, in.rest, c.name, c.mime, in.choice % 2 ? "windows-1252" : "utf-8", "2", 1);
  return 0;
}
