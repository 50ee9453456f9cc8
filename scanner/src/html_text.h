// SPDX-License-Identifier: Apache-2.0
// HTML to plain text for scanning (libxml2's HTML parser): entities decoded, script and
// style dropped, block elements and table rows on their own lines, cells tab-separated
// so adjacent numbers in a table never merge; inside a cell of a row with several cells a
// block is a space, so the row stays one line. Inline elements (span, b, font, a ...) never break text. Nesting of any
// depth keeps its text.
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

// The text of `utf8_html`. If libxml2 stops before the end of the document, `*stopped`
// (when given) says why, and the whole document with its tags stripped follows the text
// read so far, so nothing goes unscanned.
std::string HtmlToText(std::string_view utf8_html, std::string* stopped = nullptr);

}  // namespace sendguard::scanner
