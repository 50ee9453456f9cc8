// HTML to plain text for scanning (libxml2's HTML parser): entities decoded, script and
// style dropped, block elements and table rows on their own lines, cells tab-separated
// so adjacent numbers in a table never merge.
#pragma once

#include <string>
#include <string_view>

namespace sendguard::scanner {

std::string HtmlToText(std::string_view utf8_html);

}  // namespace sendguard::scanner
