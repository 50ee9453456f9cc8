// SPDX-License-Identifier: Apache-2.0
// Fuzz target: HTML to text (libxml2's HTML parser after the deep-nesting flattener) and the
// tag-stripped reading used when the parser stops early. Input is treated as UTF-8 after the
// charset layer, as the message walk hands it over.
#include "fuzz_support.h"
#include "html_flatten.h"
#include "html_text.h"
#include "sendguard/common/text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  const std::string html = common::RepairUtf8(fuzz::Bytes(data, size));
  std::string stopped;
  const std::string text = scanner::HtmlToText(html, &stopped);
  fuzz::Check(common::IsValidUtf8(text), "HtmlToText gave invalid UTF-8");
  const std::string flat = scanner::FlattenDeepHtml(html);
  fuzz::Check(common::IsValidUtf8(scanner::StripHtmlTags(flat)), "StripHtmlTags gave invalid UTF-8");
  return 0;
}
