// libxml2 adapter for HtmlToText (see html_text.h). The only file that calls libxml2's HTML parser.
#include "html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <cstring>
#include <mutex>

namespace sendguard::scanner {

namespace {

bool IsBlock(const char* n) {
  static constexpr const char* kBlocks[] = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5",
                                            "h6", "table", "ul", "ol", "blockquote", "pre", "hr",
                                            "section", "article", "header", "footer", "dt", "dd", "address"};
  for (const char* b : kBlocks) {
    if (std::strcmp(n, b) == 0) return true;
  }
  return false;
}

void Walk(xmlNode* node, std::string& out, int depth) {
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) out += reinterpret_cast<const char*>(n->content);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE) continue;
    const char* name = reinterpret_cast<const char*>(n->name);
    if (std::strcmp(name, "script") == 0 || std::strcmp(name, "style") == 0 || std::strcmp(name, "head") == 0) {
      continue;
    }
    bool block = IsBlock(name);
    bool cell = std::strcmp(name, "td") == 0 || std::strcmp(name, "th") == 0;
    if (block) out.push_back('\n');
    if (depth < 256) Walk(n->children, out, depth + 1);  // deeper nesting: text beyond is dropped by design
    if (block) out.push_back('\n');
    if (cell) out.push_back('\t');
  }
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  if (html.empty()) return {};
  htmlDocPtr doc = htmlReadMemory(html.data(), static_cast<int>(std::min<size_t>(html.size(), INT32_MAX)),
                                  nullptr, "UTF-8",
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                      HTML_PARSE_NONET | HTML_PARSE_COMPACT);
  if (!doc) return std::string(html);  // unparseable: scan the markup itself rather than nothing
  std::string out;
  out.reserve(html.size() / 2);
  Walk(xmlDocGetRootElement(doc), out, 0);
  xmlFreeDoc(doc);
  return out;
}

}  // namespace sendguard::scanner
