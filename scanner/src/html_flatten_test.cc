// SPDX-License-Identifier: Apache-2.0
// FlattenDeepHtml keeps every piece of text while capping the nesting the parser sees;
// StripHtmlTags is the parser-free reading used when libxml2 stops early.
#include "html_flatten.h"

#include <gtest/gtest.h>

#include "html_text.h"

namespace sendguard::scanner {
namespace {

TEST(HtmlFlattenTest, DeepNestingLosesTagsNotText) {
  std::string html;
  for (int i = 0; i < 500; ++i) html += "<div><span>";
  html += "<table><tr><td>943 476</td><td>5919</td></tr></table>tail";
  for (int i = 0; i < 500; ++i) html += "</span></div>";
  html += "<p>after</p>";
  std::string flat = FlattenDeepHtml(html, 50);
  EXPECT_NE(flat.find("943 476\t\t5919\t"), std::string::npos);  // cells still kept apart
  EXPECT_NE(flat.find("tail"), std::string::npos);
  EXPECT_NE(flat.find("<p>after</p>"), std::string::npos);  // back within the cap: tags kept
  EXPECT_EQ(FlattenDeepHtml("<p>short</p>", 50), "<p>short</p>");
  std::string text = HtmlToText(html);
  EXPECT_NE(text.find("943 476\t\t5919"), std::string::npos);
  EXPECT_NE(text.find("after"), std::string::npos);
}

TEST(HtmlFlattenTest, ScriptsAndQuotedAttributesDoNotConfuseTheTokenizer) {
  std::string html = "<div title=\"a > b\"><script>if (a < b) x = '</div>';</script>NHS</div>";
  EXPECT_EQ(StripHtmlTags(html), "\nNHS\n");
}

TEST(HtmlFlattenTest, StrippedTextDecodesCharacterReferences) {
  EXPECT_EQ(StripHtmlTags("<td>9&#52;3&#x20;476</td>&nbsp;&amp;&bogus;"), "\t943 476\t\xC2\xA0&&bogus;");
}

TEST(HtmlFlattenTest, UnclosedParagraphsItemsAndCellsAreNotNesting) {
  // 1,000 rows of unclosed cells, as HTML allows: nothing deep, so nothing is flattened.
  std::string html = "<table>";
  for (int i = 0; i < 1000; ++i) html += "<tr><td>" + std::to_string(i) + "<td>x<li>item<p>para";
  html += "</table>";
  EXPECT_EQ(FlattenDeepHtml(html, 50), html);
}

}  // namespace
}  // namespace sendguard::scanner
