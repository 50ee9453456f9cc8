// SPDX-License-Identifier: Apache-2.0
// Fuzz target: libarchive's readers as sendguard drives them (ZIP, tar, 7z, gzip/bzip2/xz
// streams) within the member, ratio and size bounds, then the office-document reading of
// whatever members came out.
#include "extract_support.h"
#include "extract/extractors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  fuzz::Extraction x;
  const auto members = scanner::ReadArchive(x.ctx, fuzz::Bytes(data, size), "2");
  uint64_t total = 0;
  for (const auto& m : members) {
    fuzz::Check(m.data.size() <= x.options.max_member_bytes, "member larger than max_member_bytes");
    total += m.data.size();
  }
  fuzz::Check(members.size() <= x.options.max_archive_members, "more members than max_archive_members");
  scanner::ExtractOfficeDocument(x.ctx, members, "2");
  (void)total;
  return 0;
}
