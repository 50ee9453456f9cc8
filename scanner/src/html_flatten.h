// SPDX-License-Identifier: Apache-2.0
// HTML kept within what libxml2's HTML parser will read, without losing text: elements
// nested deeper than the parser's limit (256; beyond it the parser stops and drops the rest
// of the document) lose their tags, not their text. Also the plain tag-stripped reading used
// when the parser stops early anyway. No libxml2 here: a small tokenizer only.
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

// Elements kept nested; deeper ones are flattened (well under libxml2's 256).
inline constexpr size_t kMaxHtmlNesting = 200;

// `html` with every start and end tag beyond `max_nesting` open elements replaced by a line
// break (block elements), a tab (table cells) or nothing (inline elements). Returns `html`
// unchanged when it cannot nest that deep.
std::string FlattenDeepHtml(std::string_view html, size_t max_nesting = kMaxHtmlNesting);

// The text of `html` with tags, comments, scripts and styles removed and character
// references decoded (numeric ones, and the common named ones).
std::string StripHtmlTags(std::string_view html);

// True for elements whose start and end begin a new line of text.
bool IsHtmlBlock(std::string_view lower_name);

}  // namespace sendguard::scanner
