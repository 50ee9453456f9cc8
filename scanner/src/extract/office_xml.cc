// SPDX-License-Identifier: Apache-2.0
// OOXML (DOCX, XLSX, PPTX) and OpenDocument (ODT, ODS) text, from archive members, with
// libxml2's streaming reader. Rows become lines and cells are tab-separated, so adjacent
// numbers never merge. Entities are never expanded from DTDs (no XXE, no entity bombs): a
// part with a DTD is read without it (xml_entities.h) and marked incomplete (xml_entities);
// a part libxml2 cannot read to its end is marked extract_error with libxml2's reason. The
// pictures stored in the document go to OCR (ocr_extract.h).
#include <libxml/xmlreader.h>

#include <algorithm>
#include <map>

#include "../c_string.h"
#include "extractors.h"
#include "ocr_extract.h"
#include "xml_entities.h"

namespace sendguard::scanner {

namespace {

struct ReaderFree {
  void operator()(xmlTextReaderPtr r) const { xmlFreeTextReader(r); }
};

// What reading one XML part leaves to report.
struct XmlOutcome {
  std::string error;         // why libxml2 stopped before the end ("" when it read it all)
  std::string declarations;  // the DOCTYPE taken out, to scan as text ("" when none)
};

// libxml2's structured error handler: keeps the first message.
void FirstError(void* arg, xmlErrorPtr e) {
  auto* first = static_cast<std::string*>(arg);
  if (first->empty() && e != nullptr) *first = FromCString(e->message, "no reason given by libxml2");
}

// Walks one XML document, calling `on` for each node: (local name, is_end, text or "").
template <typename OnNode>
XmlOutcome WalkXml(std::string_view xml, OnNode&& on) {
  XmlOutcome outcome;
  const std::string clean = WithoutDtd(xml, &outcome.declarations);
  std::unique_ptr<xmlTextReader, ReaderFree> r(xmlReaderForMemory(
      clean.data(), static_cast<int>(std::min<size_t>(clean.size(), INT32_MAX)), nullptr, nullptr,
      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT));
  if (!r) {
    outcome.error = "libxml2 could not start a reader";
    return outcome;
  }
  std::string first_error;
  xmlTextReaderSetStructuredErrorHandler(r.get(), &FirstError, &first_error);
  int rc;
  while ((rc = xmlTextReaderRead(r.get())) == 1) {
    int type = xmlTextReaderNodeType(r.get());
    std::string_view name = ViewOf(xmlTextReaderConstLocalName(r.get()));
    if (type == XML_READER_TYPE_ELEMENT) {
      on(name, false, std::string_view(), r.get());
      if (xmlTextReaderIsEmptyElement(r.get())) on(name, true, std::string_view(), r.get());
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
      on(name, true, std::string_view(), r.get());
    } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
               type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE) {
      on(name, false, ViewOf(xmlTextReaderConstValue(r.get())), r.get());
    }
  }
  if (rc != 0) outcome.error = first_error.empty() ? "no reason given by libxml2" : first_error;
  return outcome;
}

// Emits one XML part's text and reports what its reading left out.
void EmitXml(ExtractContext& ctx, const std::string& part, const std::string& text, const XmlOutcome& outcome) {
  ctx.EmitText(part, text);
  if (!outcome.declarations.empty()) {
    ctx.EmitText(part + "/dtd", common::RepairUtf8(outcome.declarations));
    ctx.Incomplete("xml_entities", part,
                   "declares its own entities (a DTD, which Office never writes; possibly an entity-expansion "
                   "bomb): read without them, references not expanded, declarations scanned as text");
  }
  if (!outcome.error.empty()) {
    ctx.Incomplete("extract_error", part, "XML not read to the end: " + outcome.error);
  }
}

// Word-processing and presentation text: paragraphs on lines, table rows on lines with
// cells tab-separated (a paragraph inside a cell ends with a space, not a line break).
std::string FlowText(std::string_view xml, XmlOutcome* outcome) {
  std::string out;
  int cell_depth = 0;
  *outcome = WalkXml(xml, [&](std::string_view name, bool end, std::string_view text, xmlTextReaderPtr) {
    bool cell = name == "tc" || name == "table-cell";
    if (!text.empty()) {
      out.append(text);
    } else if (cell && !end) {
      ++cell_depth;
    } else if (end && (name == "p" || name == "h") && cell_depth > 0) {
      out.push_back(' ');
    } else if (end && (name == "p" || name == "h" || name == "tr" || name == "table-row" || name == "br")) {
      out.push_back('\n');
    } else if (end && cell) {
      --cell_depth;
      out.push_back('\t');
    } else if (!end && (name == "tab" || name == "s")) {
      out.push_back(name == "tab" ? '\t' : ' ');
    }
  });
  return out;
}

std::vector<std::string> SharedStrings(std::string_view xml, XmlOutcome* outcome) {
  std::vector<std::string> strings;
  bool in_si = false;
  *outcome = WalkXml(xml, [&](std::string_view name, bool end, std::string_view text, xmlTextReaderPtr) {
    if (name == "si" && !end) {
      strings.emplace_back();
      in_si = true;
    } else if (name == "si" && end) {
      in_si = false;
    } else if (in_si && !text.empty()) {
      strings.back().append(text);
    }
  });
  return strings;
}

// The column index of a cell reference ("C5" -> 2), or -1 when it has none.
long ColumnOf(std::string_view ref) {
  long col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z' && col < 100000; ++i) col = col * 26 + (ref[i] - 'A' + 1);
  return i == 0 ? -1 : col - 1;
}

// One worksheet: each <row> a line, each <c> a tab-separated cell (shared, inline or value).
// Excel leaves empty cells out; a cell's reference (r="C5") puts it back in its column, so
// every row's cells line up under the header's.
std::string SheetText(std::string_view xml, const std::vector<std::string>& shared, XmlOutcome* outcome) {
  std::string out;
  std::string cell_type, value;
  bool in_cell = false, first_cell = true;
  long next_col = 0, cell_col = -1;  // column after the last cell written; this cell's column
  *outcome = WalkXml(xml, [&](std::string_view name, bool end, std::string_view text, xmlTextReaderPtr r) {
    if (!text.empty()) {
      if (in_cell) value.append(text);
    } else if (name == "row" && end) {
      out.push_back('\n');
      first_cell = true;
      next_col = 0;
    } else if (name == "c" && !end) {
      xmlChar* t = xmlTextReaderGetAttribute(r, reinterpret_cast<const xmlChar*>("t"));
      cell_type = FromCString(t);
      xmlFree(t);
      xmlChar* ref = xmlTextReaderGetAttribute(r, reinterpret_cast<const xmlChar*>("r"));
      cell_col = ColumnOf(FromCString(ref));
      xmlFree(ref);
      value.clear();
      in_cell = true;
    } else if (name == "c" && end) {
      // Empty columns before this cell (at most a few hundred: a far reference is not padded).
      long gap = cell_col >= next_col && cell_col - next_col <= 256 ? cell_col - next_col : 0;
      out.append(static_cast<size_t>(gap), '\t');
      if (!first_cell) out.push_back('\t');
      first_cell = false;
      next_col = (cell_col >= 0 ? std::max(cell_col, next_col) : next_col) + 1;
      if (cell_type == "s") {
        char* endp = nullptr;
        unsigned long idx = std::strtoul(value.c_str(), &endp, 10);
        if (endp != value.c_str() && idx < shared.size()) out += shared[idx];
      } else {
        out += value;
      }
      in_cell = false;
    }
  });
  return out;
}

const ArchiveMember* Find(const std::vector<ArchiveMember>& members, const std::string& name) {
  for (const auto& m : members) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

// Members under `prefix` ending ".xml", in natural order (sheet2 before sheet10).
std::vector<const ArchiveMember*> Under(const std::vector<ArchiveMember>& members, const std::string& prefix) {
  std::vector<const ArchiveMember*> out;
  for (const auto& m : members) {
    if (m.name.rfind(prefix, 0) == 0 && m.name.size() > 4 && m.name.compare(m.name.size() - 4, 4, ".xml") == 0 &&
        m.name.find('/', prefix.size()) == std::string::npos) {
      out.push_back(&m);
    }
  }
  std::sort(out.begin(), out.end(), [](const ArchiveMember* a, const ArchiveMember* b) {
    return a->name.size() != b->name.size() ? a->name.size() < b->name.size() : a->name < b->name;
  });
  return out;
}

std::string Stem(const std::string& member) {
  size_t slash = member.rfind('/');
  std::string s = member.substr(slash == std::string::npos ? 0 : slash + 1);
  return s.substr(0, s.rfind('.'));
}

// Reads one word-processing or presentation part and emits it as `part`.
void EmitFlow(ExtractContext& ctx, const std::string& part, const ArchiveMember& m) {
  XmlOutcome outcome;
  std::string text = FlowText(m.data, &outcome);
  EmitXml(ctx, part, text, outcome);
}

// The pictures stored in the document (pasted screenshots, scanned forms), read with OCR.
void ExtractPictures(ExtractContext& ctx, const std::vector<ArchiveMember>& members, const std::string& path,
                     const std::string& folder) {
  for (const auto& m : members) {
    if (m.name.rfind(folder, 0) != 0 || m.name.size() == folder.size() || ctx.TimeUp(path)) continue;
    ExtractImage(ctx, m.data, "picture", path + "/" + m.name, false);
  }
}

}  // namespace

bool ExtractOfficeDocument(ExtractContext& ctx, const std::vector<ArchiveMember>& members, const std::string& path) {
  if (Find(members, "word/document.xml")) {
    for (const auto* m : Under(members, "word/")) {
      std::string stem = Stem(m->name);
      if (stem == "document" || stem.rfind("header", 0) == 0 || stem.rfind("footer", 0) == 0 ||
          stem == "footnotes" || stem == "endnotes" || stem == "comments") {
        EmitFlow(ctx, path + "/" + stem, *m);
      }
    }
    ExtractPictures(ctx, members, path, "word/media/");
    return true;
  }
  if (Find(members, "xl/workbook.xml")) {
    std::vector<std::string> shared;
    if (const auto* s = Find(members, "xl/sharedStrings.xml")) {
      XmlOutcome outcome;
      shared = SharedStrings(s->data, &outcome);
      EmitXml(ctx, path + "/sharedStrings", "", outcome);
    }
    for (const auto* m : Under(members, "xl/worksheets/")) {
      if (ctx.TimeUp(path)) break;
      XmlOutcome outcome;
      std::string text = SheetText(m->data, shared, &outcome);
      EmitXml(ctx, path + "/" + Stem(m->name), text, outcome);
    }
    ExtractPictures(ctx, members, path, "xl/media/");
    return true;
  }
  if (Find(members, "ppt/presentation.xml")) {
    for (const auto* m : Under(members, "ppt/slides/")) EmitFlow(ctx, path + "/" + Stem(m->name), *m);
    for (const auto* m : Under(members, "ppt/notesSlides/")) EmitFlow(ctx, path + "/" + Stem(m->name), *m);
    ExtractPictures(ctx, members, path, "ppt/media/");
    return true;
  }
  const ArchiveMember* mimetype = Find(members, "mimetype");
  if (mimetype && mimetype->data.rfind("application/vnd.oasis.opendocument", 0) == 0) {
    const ArchiveMember* manifest = Find(members, "META-INF/manifest.xml");
    if (manifest && manifest->data.find("encryption-data") != std::string::npos) {
      ctx.Note("encrypted_attachment", path, "password-protected OpenDocument file");
      return true;
    }
    if (const auto* content = Find(members, "content.xml")) EmitFlow(ctx, path + "/content", *content);
    ExtractPictures(ctx, members, path, "Pictures/");
    return true;
  }
  return false;
}

}  // namespace sendguard::scanner
