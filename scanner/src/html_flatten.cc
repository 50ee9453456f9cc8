// SPDX-License-Identifier: Apache-2.0
// Deep HTML flattened for the parser, and the tag-stripped fallback (see html_flatten.h).
#include "html_flatten.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <vector>

#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

// One piece of markup starting at a '<'.
struct Tag {
  size_t end = 0;          // one past its '>'
  std::string name;        // lower case; empty for comments, doctypes, processing instructions
  bool closing = false;    // </name>
  bool self_closing = false;
};

bool IsHtmlNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == ':' || c == '_'; }

// Longest tag looked at; a longer one is read as text (bounds the work per '<').
constexpr size_t kMaxTagBytes = 64 * 1024;

// The end of a start or end tag's attributes: the '>' outside quoted values, or npos.
size_t TagEnd(std::string_view h, size_t from) {
  h = h.substr(0, std::min(h.size(), from + kMaxTagBytes));
  for (size_t m = from; m < h.size(); ++m) {
    if (h[m] == '>') return m;
    if (h[m] != '=') continue;
    size_t v = m + 1;
    while (v < h.size() && std::isspace(static_cast<unsigned char>(h[v]))) ++v;
    if (v < h.size() && (h[v] == '"' || h[v] == '\'')) {
      size_t close = h.find(h[v], v + 1);
      if (close == std::string_view::npos) return close;
      m = close;
    }
  }
  return std::string_view::npos;
}

// Reads the markup at h[i] == '<'; false when the '<' is only text.
bool ReadTag(std::string_view h, size_t i, Tag* t) {
  *t = Tag();
  if (i + 1 >= h.size()) return false;
  if (h.compare(i, 4, "<!--") == 0) {
    size_t e = h.find("-->", i + 4);
    t->end = e == std::string_view::npos ? h.size() : e + 3;
    return true;
  }
  if (h[i + 1] == '!' || h[i + 1] == '?') {
    size_t e = h.find('>', i);
    t->end = e == std::string_view::npos ? h.size() : e + 1;
    return true;
  }
  size_t j = i + 1;
  if (h[j] == '/') {
    t->closing = true;
    ++j;
  }
  if (j >= h.size() || !std::isalpha(static_cast<unsigned char>(h[j]))) return false;
  size_t k = j;
  while (k < h.size() && IsHtmlNameChar(h[k])) ++k;
  t->name = common::AsciiLower(h.substr(j, k - j));
  size_t m = TagEnd(h, k);
  if (m == std::string_view::npos) return false;  // never closed: the parser keeps it as text
  t->end = m + 1;
  t->self_closing = m > k && h[m - 1] == '/';
  return true;
}

bool IsVoid(std::string_view n) {
  static constexpr std::string_view kVoid[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
                                               "link", "meta", "param", "source", "track", "wbr"};
  return std::find(std::begin(kVoid), std::end(kVoid), n) != std::end(kVoid);
}

// Elements whose content is raw text up to their end tag.
bool IsRawText(std::string_view n) { return n == "script" || n == "style" || n == "textarea" || n == "title" || n == "xmp"; }

// One past the end tag of the raw-text element `name` whose content starts at `from`.
size_t RawTextEnd(std::string_view h, size_t from, const std::string& name) {
  for (size_t e = h.find("</", from); e != std::string_view::npos; e = h.find("</", e + 2)) {
    if (common::AsciiLower(h.substr(e + 2, name.size())) != name) continue;
    size_t gt = h.find('>', e);
    return gt == std::string_view::npos ? h.size() : gt + 1;
  }
  return h.size();
}

// What a flattened or stripped tag leaves in the text: a tab around a cell (cells may be
// left unclosed), a line break around a block.
std::string_view Separator(const Tag& t) {
  const std::string& name = t.name;
  if (name == "td" || name == "th") return "\t";
  return IsHtmlBlock(name) ? "\n" : "";
}

// Decodes the character reference at t[i] == '&' into `out`; returns the bytes used (0: not one).
size_t DecodeReference(std::string_view t, size_t i, std::string& out) {
  size_t semi = t.substr(0, std::min(t.size(), i + 14)).find(';', i);
  if (semi == std::string_view::npos) return 0;
  std::string body(t.substr(i + 1, semi - i - 1));
  if (body.size() > 1 && body[0] == '#') {
    bool hex = body[1] == 'x' || body[1] == 'X';
    char* end = nullptr;
    unsigned long cp = std::strtoul(body.c_str() + (hex ? 2 : 1), &end, hex ? 16 : 10);
    if (end == nullptr || *end != '\0') return 0;
    common::AppendUtf8(out, static_cast<char32_t>(cp));
    return semi - i + 1;
  }
  static const struct {
    const char* name;
    unsigned long cp;
  } kNamed[] = {{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0}};
  for (const auto& n : kNamed) {
    if (body == n.name) {
      common::AppendUtf8(out, static_cast<char32_t>(n.cp));
      return semi - i + 1;
    }
  }
  return 0;
}

// Pops the innermost open element named in `targets`, with everything inside it, unless an
// element named in `stops` is nearer.
void PopTo(std::vector<std::string>& open, std::initializer_list<std::string_view> targets,
           std::initializer_list<std::string_view> stops) {
  for (size_t k = open.size(); k-- > 0;) {
    if (std::find(stops.begin(), stops.end(), open[k]) != stops.end()) return;
    if (std::find(targets.begin(), targets.end(), open[k]) != targets.end()) {
      open.resize(k);
      return;
    }
  }
}

// Closes what HTML lets a start tag end by itself (an open <p> before a block, the previous
// item, cell, row or definition), so unclosed paragraphs and cells do not count as nesting.
void CloseImplied(std::vector<std::string>& open, const std::string& name) {
  if (!open.empty() && open.back() == "p" && IsHtmlBlock(name)) open.pop_back();
  if (name == "li") PopTo(open, {"li"}, {"ul", "ol"});
  if (name == "td" || name == "th") PopTo(open, {"td", "th"}, {"tr", "table"});
  if (name == "tr") PopTo(open, {"tr"}, {"table"});
  if (name == "dt" || name == "dd") PopTo(open, {"dt", "dd"}, {"dl"});
  if (name == "option") PopTo(open, {"option"}, {"select"});
}

}  // namespace

bool IsHtmlBlock(std::string_view n) {
  static constexpr std::string_view kBlocks[] = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5",
                                                 "h6", "table", "ul", "ol", "blockquote", "pre", "hr",
                                                 "section", "article", "header", "footer", "dt", "dd", "address"};
  return std::find(std::begin(kBlocks), std::end(kBlocks), n) != std::end(kBlocks);
}

std::string FlattenDeepHtml(std::string_view html, size_t max_nesting) {
  if (static_cast<size_t>(std::count(html.begin(), html.end(), '<')) <= max_nesting) return std::string(html);
  std::string out;
  out.reserve(html.size());
  std::vector<std::string> open;  // elements kept nested, innermost last
  size_t excess = 0;              // start tags flattened and not yet ended
  Tag t;
  for (size_t i = 0; i < html.size();) {
    size_t lt = html.find('<', i);
    if (lt == std::string_view::npos) lt = html.size();
    out.append(html.substr(i, lt - i));
    i = lt;
    if (i >= html.size()) break;
    if (!ReadTag(html, i, &t)) {
      out.push_back('<');
      ++i;
      continue;
    }
    size_t end = t.end;
    if (!t.name.empty() && !t.closing && IsRawText(t.name)) end = RawTextEnd(html, t.end, t.name);
    bool keep = true;
    if (t.name.empty() || (!t.closing && (t.self_closing || IsVoid(t.name) || IsRawText(t.name)))) {
      // markup that opens nothing
    } else if (!t.closing) {
      if (excess == 0) CloseImplied(open, t.name);
      if (open.size() < max_nesting) open.push_back(t.name);
      else keep = false, ++excess;
    } else if (excess > 0) {
      keep = false, --excess;
    } else if (auto it = std::find(open.rbegin(), open.rend(), t.name); it != open.rend()) {
      open.erase(std::next(it).base(), open.end());
    }
    if (keep) out.append(html.substr(i, end - i));
    else out.append(Separator(t));
    i = end;
  }
  return out;
}

std::string StripHtmlTags(std::string_view html) {
  std::string out;
  out.reserve(html.size() / 2);
  Tag t;
  for (size_t i = 0; i < html.size();) {
    char c = html[i];
    if (c == '<' && ReadTag(html, i, &t)) {
      i = !t.name.empty() && !t.closing && IsRawText(t.name) && t.name != "title" && t.name != "textarea"
              ? RawTextEnd(html, t.end, t.name)
              : t.end;
      out.append(Separator(t));
      continue;
    }
    if (c == '&') {
      if (size_t used = DecodeReference(html, i, out)) {
        i += used;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

}  // namespace sendguard::scanner
