// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the XML inside office documents (libxml2 with entity and depth bounds). The
// input is one member's XML; the first byte picks which member of which format it is, beside
// the members that make the archive that format, so the fuzzer mutates XML, not ZIP framing.
#include <array>

#include "extract_support.h"
#include "extract/extractors.h"

namespace {
struct Layout {
  const char* member;   // the member the input becomes
  const char* marker;   // a member that says which format this is
  const char* marker_content;
};
constexpr const char* kOoxmlTypes =
    "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
constexpr std::array<Layout, 7> kLayouts{{
    {"word/document.xml", "[Content_Types].xml", kOoxmlTypes},
    {"xl/sharedStrings.xml", "[Content_Types].xml", kOoxmlTypes},
    {"xl/worksheets/sheet1.xml", "[Content_Types].xml", kOoxmlTypes},
    {"ppt/slides/slide1.xml", "[Content_Types].xml", kOoxmlTypes},
    {"word/comments.xml", "[Content_Types].xml", kOoxmlTypes},
    {"content.xml", "mimetype", "application/vnd.oasis.opendocument.text"},
    {"content.xml", "mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
}};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  const auto in = fuzz::Select(data, size, kLayouts.size());
  const Layout& l = kLayouts[in.choice];
  std::vector<scanner::ArchiveMember> members;
  members.push_back({l.marker, l.marker_content, false});
  members.push_back({l.member, std::string(in.rest), false});
  fuzz::Extraction x;
  scanner::ExtractOfficeDocument(x.ctx, members, "2");
  return 0;
}
