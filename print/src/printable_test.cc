// SPDX-License-Identifier: Apache-2.0
// The printable document: HTML escapes what it is given, and the PDF reads back (poppler) with
// every word, Welsh accents included, across pages, with ink on every page.
#include "sendguard/print/printable.h"

#include <gtest/gtest.h>
#include <poppler-document.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <memory>

#include "sendguard/common/text.h"

namespace sendguard::print {
namespace {

std::string PageText(poppler::document& d, int i) {
  std::unique_ptr<poppler::page> p(d.create_page(i));
  auto bytes = p->text().to_utf8();
  return std::string(bytes.begin(), bytes.end());
}

TEST(Printable, HtmlEscapesEverything) {
  Document d;
  d.title = "Title <script>";
  d.Heading("A & B").Paragraph("one\n\ntwo<b>").Field("Label", "x\"y").Lines("1 High St\nTown");
  const std::string html = ToHtml(d);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("Title &lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<p>one</p>"), std::string::npos);
  EXPECT_NE(html.find("two&lt;b&gt;"), std::string::npos);
  EXPECT_NE(html.find("1 High St<br>Town"), std::string::npos);
}

TEST(Printable, PdfCarriesEveryWordOverSeveralPages) {
  Document d;
  d.title = "Hysbysiad am dorri data personol";
  d.language = "cy";
  d.footer = "Cyf: INC-2026-0001";
  d.Lines("Mr A Person\n1 Ffordd y Môr\nAberystwyth");
  d.Heading("Beth ddigwyddodd");
  std::string long_text;
  for (int i = 0; i < 400; ++i) long_text += "gair" + std::to_string(i) + " ";
  d.Paragraph(long_text + "\n\nŵyr ŷd dŵr");
  d.Field("Swyddog Diogelu Data", "dpo@example.gov.wales");
  d.Paragraph(std::string("broken \xff utf-8 repaired"));
  auto pdf = ToPdf(d);
  ASSERT_TRUE(pdf.ok()) << pdf.status().message();
  ASSERT_EQ(pdf->rfind("%PDF-", 0), 0u);
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf->data(), static_cast<int>(pdf->size())));
  ASSERT_TRUE(doc);
  ASSERT_GE(doc->pages(), 2);
  std::string all;
  for (int i = 0; i < doc->pages(); ++i) all += PageText(*doc, i) + "\n";
  for (const char* word : {"Hysbysiad", "Ffordd y Môr", "gair0", "gair399", "ŵyr", "ŷd", "dŵr", "dpo@example.gov.wales",
                           "Tudalen 2", "INC-2026-0001", "repaired"}) {
    EXPECT_NE(all.find(word), std::string::npos) << word;
  }
  // Every page has ink: rendered at 40 dpi, some pixels are dark.
  poppler::page_renderer renderer;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> p(doc->create_page(i));
    poppler::image img = renderer.render_page(p.get(), 40, 40);
    ASSERT_TRUE(img.is_valid());
    int dark = 0;
    for (int y = 0; y < img.height(); ++y) {
      const unsigned char* row = reinterpret_cast<const unsigned char*>(img.const_data()) + y * img.bytes_per_row();
      for (int x = 0; x < img.width(); ++x) dark += row[x * 4 + 1] < 128;
    }
    EXPECT_GT(dark, 50) << "page " << i;
  }
}

TEST(Printable, TextWrapsLongParagraphsForEmail) {
  Document d;
  d.title = "T";
  std::string words;
  for (int i = 0; i < 300; ++i) words += "ŵyr" + std::to_string(i) + " ";
  d.Paragraph(words + std::string(200, 'x'));
  const std::string text = ToText(d);
  size_t longest = 0;
  for (auto line : common::Split(text, '\n')) longest = std::max(longest, line.size());
  EXPECT_LE(longest, 120u) << text;  // bytes: 76 characters, some of them two bytes
  EXPECT_NE(text.find("ŵyr299"), std::string::npos);
}

TEST(Printable, TextHasLabelsAndUnderlines) {
  Document d;
  d.title = "Letter";
  d.Heading("What happened").Field("Contact", "");
  const std::string text = ToText(d);
  EXPECT_NE(text.find("Letter\n======"), std::string::npos);
  EXPECT_NE(text.find("What happened\n-------------"), std::string::npos);
  EXPECT_NE(text.find("Contact: –"), std::string::npos);
}

}  // namespace
}  // namespace sendguard::print
