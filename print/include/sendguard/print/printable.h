// SPDX-License-Identifier: Apache-2.0
// A printable document: a title, then headings, paragraphs, labelled fields and address
// blocks, in one language; rendered as a self-contained HTML page (no script, inline style)
// and as an A4 PDF. Text is plain UTF-8 (escaped here, never markup from the caller).
#pragma once

#include <string>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::print {

struct Block {
  enum class Kind { kHeading, kParagraph, kField, kLines };
  Kind kind = Kind::kParagraph;
  std::string label;  // kField: the label; otherwise unused
  std::string text;   // kLines: one line per '\n' (an address); kParagraph: '\n\n' starts a new paragraph
};

struct Document {
  std::string title;
  std::string language = "en";  // the HTML lang and the PDF's language hint (en, cy)
  std::string footer;           // printed at the foot of every PDF page, e.g. the reference
  std::vector<Block> blocks;

  Document& Heading(std::string text) { return Add(Block::Kind::kHeading, "", std::move(text)); }
  Document& Paragraph(std::string text) { return Add(Block::Kind::kParagraph, "", std::move(text)); }
  Document& Field(std::string label, std::string text) { return Add(Block::Kind::kField, std::move(label), std::move(text)); }
  Document& Lines(std::string text) { return Add(Block::Kind::kLines, "", std::move(text)); }

 private:
  Document& Add(Block::Kind kind, std::string label, std::string text) {
    blocks.push_back({kind, std::move(label), std::move(text)});
    return *this;
  }
};

std::string ToHtml(const Document& doc);

// The PDF's bytes; Internal if cairo fails. Invalid UTF-8 is repaired first, never rejected.
Result<std::string> ToPdf(const Document& doc);

// The document as plain text (an email's body): headings underlined, fields as "Label: text".
std::string ToText(const Document& doc);

}  // namespace sendguard::print
