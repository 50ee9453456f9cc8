// SPDX-License-Identifier: Apache-2.0
// libxml2 adapter for HtmlToText (see html_text.h). The only file that calls libxml2's HTML
// parser. Deep nesting is flattened before parsing (html_flatten.h) and the tree is walked
// without recursion, so no depth drops text.
#include "html_text.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "c_string.h"
#include "html_flatten.h"

namespace sendguard::scanner {

namespace {

bool Named(const xmlNode* n, const char* name) { return std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0; }

bool Skipped(const xmlNode* n) { return Named(n, "script") || Named(n, "style") || Named(n, "head"); }

bool IsCell(const xmlNode* n) { return n->type == XML_ELEMENT_NODE && n->name && (Named(n, "td") || Named(n, "th")); }

// A cell of a row with other cells (a data table), not the one cell of a layout table
// wrapping a whole message, whose paragraphs stay lines.
bool InDataRow(const xmlNode* cell) {
  if (cell->parent == nullptr) return false;
  int cells = 0;
  for (const xmlNode* c = cell->parent->children; c != nullptr && cells < 2; c = c->next) cells += IsCell(c);
  return cells >= 2;
}

// Elements whose whitespace-only text (the source's indentation) is not content.
bool IsTableFrame(const xmlNode* n) {
  return Named(n, "table") || Named(n, "tbody") || Named(n, "thead") || Named(n, "tfoot") || Named(n, "tr");
}

// Where the walk is: how many cells of data rows are open in each table open around it
// (innermost last). Inside such a cell a row stays one line, so a spreadsheet pasted into
// Outlook (<td><p class=MsoNormal>...</p></td>) keeps its columns.
struct WalkState {
  std::string out;
  std::vector<int> cells{0};
  bool InCell() const { return cells.back() > 0; }
  // A break between blocks: a line break, or a space inside a cell.
  void Break() { out.push_back(InCell() ? ' ' : '\n'); }
};

bool WhitespaceOnly(std::string_view s) { return s.find_first_not_of(" \t\r\n\f") == std::string_view::npos; }

// Text of a node on the way down; true when its children are to be walked.
bool Enter(const xmlNode* n, WalkState& st) {
  if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
    std::string_view text = ViewOf(n->content);
    if (n->parent && n->parent->name && IsTableFrame(n->parent) && WhitespaceOnly(text)) return false;
    if (!st.InCell()) {
      st.out.append(text);
    } else {
      for (char c : text) st.out.push_back(c == '\n' || c == '\r' ? ' ' : c);  // source line breaks are spaces
    }
    return false;
  }
  if (n->type != XML_ELEMENT_NODE || n->name == nullptr || Skipped(n)) return false;
  if (Named(n, "table")) {
    st.out.push_back('\n');
    st.cells.push_back(0);
  } else if (Named(n, "tr")) {
    st.out.push_back('\n');
  } else if (IsHtmlBlock(ViewOf(n->name))) {
    st.Break();
  }
  if (IsCell(n) && InDataRow(n)) ++st.cells.back();
  return true;
}

// Separators after an element's children.
void Leave(const xmlNode* n, WalkState& st) {
  if (n->type != XML_ELEMENT_NODE || n->name == nullptr || Skipped(n)) return;
  if (IsCell(n) && InDataRow(n) && st.cells.back() > 0) --st.cells.back();
  if (Named(n, "table")) {
    if (st.cells.size() > 1) st.cells.pop_back();
    st.out.push_back('\n');
  } else if (Named(n, "tr")) {
    st.out.push_back('\n');
  } else if (IsHtmlBlock(ViewOf(n->name))) {
    st.Break();
  }
  if (IsCell(n)) st.out.push_back('\t');
}

// Depth-first over `first` and its siblings, by the tree's own links (no recursion).
void Walk(xmlNode* first, WalkState& out) {
  const xmlNode* stop = first ? first->parent : nullptr;
  xmlNode* n = first;
  while (n != nullptr) {
    if (Enter(n, out) && n->children) {
      n = n->children;
      continue;
    }
    Leave(n, out);
    while (n->next == nullptr) {  // climb to the nearest ancestor with a next sibling
      n = n->parent;
      if (n == nullptr || n == stop) return;
      Leave(n, out);
    }
    n = n->next;
  }
}

struct CtxtFree {
  void operator()(htmlParserCtxtPtr c) const { htmlFreeParserCtxt(c); }
};
struct DocFree {
  void operator()(htmlDocPtr d) const { xmlFreeDoc(d); }
};

}  // namespace

std::string HtmlToText(std::string_view html, std::string* stopped) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  if (html.empty()) return {};
  std::string flat = FlattenDeepHtml(html);
  std::unique_ptr<htmlParserCtxt, CtxtFree> ctxt(htmlNewParserCtxt());
  if (!ctxt) return StripHtmlTags(html);
  std::unique_ptr<xmlDoc, DocFree> doc(htmlCtxtReadMemory(
      ctxt.get(), flat.data(), static_cast<int>(std::min<size_t>(flat.size(), INT32_MAX)), nullptr, "UTF-8",
      HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT));
  if (!doc) return std::string(html);  // unparseable: scan the markup itself rather than nothing
  WalkState st;
  st.out.reserve(html.size() / 2);
  Walk(xmlDocGetRootElement(doc.get()), st);
  std::string out = std::move(st.out);
  if (ctxt->disableSAX != 0) {
    // libxml2 halted before the end (a limit of its own): what it read, then everything stripped.
    if (stopped) *stopped = FromCString(ctxt->lastError.message, "no reason given by libxml2");
    out += "\n";
    out += StripHtmlTags(html);
  }
  return out;
}

}  // namespace sendguard::scanner
