// SPDX-License-Identifier: Apache-2.0
// Header blocks rewritten so mimetic parses them in linear time (see header_guard.h). The
// structure followed is mimetic's own: a header block ends at an empty line or at the first
// line that is not a field; a multipart's parts lie between lines starting "--boundary" (the
// first boundary parameter of the first Content-Type), up to the closing one; an attached
// message's body is a message.
#include "header_guard.h"

#include <cctype>
#include <vector>

#include "mime_readings.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

// Overlap between the pieces of a cut human header, so an identifier across a cut is whole in one.
constexpr size_t kPieceOverlap = 128;

// One line of `s` from `pos`: its text without the line break, and the position after it.
struct Line {
  std::string_view text;  // without "\r\n" or "\n"
  std::string_view whole;  // with it
};

Line LineAt(std::string_view s, size_t pos) {
  size_t eol = s.find('\n', pos);
  size_t end = eol == std::string_view::npos ? s.size() : eol + 1;
  std::string_view whole = s.substr(pos, end - pos);
  std::string_view text = whole;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return {text, whole};
}

// True when mimetic reads `line` as the start of a field: printable characters, optional
// blanks, then ':'.
bool IsFieldStart(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && line[i] > 32 && line[i] < 127 && line[i] != ':') ++i;
  if (i == 0) return false;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == ':';
}

bool IsHuman(const std::string& name) {
  return name == "subject" || name == "comments" || name == "keywords" || name == "content-description";
}

bool IsStructural(const std::string& name) { return name.rfind("content-", 0) == 0 || name == "mime-version"; }

// A long human header as pieces of at most kMaxHeaderField bytes, overlapping, cut at white space.
void AppendPieces(std::string_view name, std::string_view value, std::string& out) {
  const size_t room = kMaxHeaderField - name.size() - 4;
  for (size_t start = 0; start < value.size();) {
    size_t end = std::min(value.size(), start + room);
    if (end < value.size()) {
      size_t space = value.find_last_of(" \t", end);
      if (space != std::string_view::npos && space > start + room / 2) end = space;
    }
    out.append(name).append(": ").append(value.substr(start, end - start)).append("\r\n");
    if (end >= value.size()) break;
    start = end > start + kPieceOverlap ? end - kPieceOverlap : end;
  }
}

class Guard {
 public:
  Guard(uint32_t max_depth, bool* cut) : max_depth_(max_depth), cut_(cut) {}

  // Appends the guarded copy of one entity (header block and body) to `out`.
  void Entity(std::string_view e, uint32_t depth, std::string& out) {
    if (depth > max_depth_) {
      out.append(e);
      return;
    }
    std::string content_type;
    size_t pos = Header(e, out, &content_type);
    std::string_view body = e.substr(pos);
    std::string type = MediaType(content_type);
    std::string boundary = type.rfind("multipart/", 0) == 0 ? FirstBoundary(content_type) : "";
    if (!boundary.empty()) {
      Multipart(body, "--" + boundary, depth, out);
    } else if (type == "message/rfc822") {  // mimetic parses only this one as a message (others: walked later)
      Entity(body, depth + 1, out);
    } else {
      out.append(body);
    }
  }

 private:
  // Copies the header block at the start of `e` field by field; returns where the body starts.
  size_t Header(std::string_view e, std::string& out, std::string* content_type) {
    size_t pos = 0;
    while (pos < e.size()) {
      Line first = LineAt(e, pos);
      if (first.text.empty()) {  // the empty line that ends the block
        out.append(first.whole);
        return pos + first.whole.size();
      }
      if (!IsFieldStart(first.text)) {  // mimetic: the body starts here, without an empty line
        if (first.text.size() > kMaxHeaderField) out.append("\r\n");
        return pos;
      }
      size_t end = pos + first.whole.size();
      while (end < e.size() && (e[end] == ' ' || e[end] == '\t')) end += LineAt(e, end).whole.size();
      Field(e.substr(pos, end - pos), out, content_type);
      pos = end;
    }
    return pos;
  }

  // Copies one field (its folded lines), dropping, cutting or splitting it when long.
  void Field(std::string_view raw, std::string& out, std::string* content_type) {
    size_t colon = raw.find(':');
    std::string name = common::AsciiLower(common::Trim(raw.substr(0, colon)));
    if (name == "content-type" && content_type->empty()) *content_type = Unfold(raw.substr(colon + 1));
    if (raw.size() <= kMaxHeaderField) {
      out.append(raw);
      return;
    }
    if (IsHuman(name)) {
      AppendPieces(common::Trim(raw.substr(0, colon)), Unfold(raw.substr(colon + 1)), out);
    } else if (IsStructural(name)) {
      out.append(raw.substr(0, kMaxHeaderField)).append("\r\n");
      *cut_ = true;
    }
    // Any other long field (To, Cc, Received, References...) is not read by the walk: dropped.
  }

  static std::string Unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
      if (c != '\r' && c != '\n') out.push_back(c);
    }
    return std::string(common::Trim(out));
  }

  // Copies a multipart body: preamble and delimiter lines as they are, each part guarded.
  void Multipart(std::string_view body, const std::string& delimiter, uint32_t depth, std::string& out) {
    size_t pos = 0, part_start = std::string_view::npos;
    while (pos < body.size()) {
      Line line = LineAt(body, pos);
      if (line.text.substr(0, delimiter.size()) == delimiter) {
        if (part_start != std::string_view::npos) Entity(body.substr(part_start, pos - part_start), depth + 1, out);
        else out.append(body.substr(0, pos));  // the preamble
        out.append(line.whole);
        pos += line.whole.size();
        if (line.text.substr(delimiter.size(), 2) == "--") {  // closing: the rest is the epilogue
          out.append(body.substr(pos));
          return;
        }
        part_start = pos;
        continue;
      }
      pos += line.whole.size();
    }
    if (part_start == std::string_view::npos) out.append(body);  // no delimiter line: all preamble
    else Entity(body.substr(part_start), depth + 1, out);       // unclosed: the last part runs to the end
  }

  uint32_t max_depth_;
  bool* cut_;
};

}  // namespace

std::string GuardHeaders(std::string_view raw, uint32_t max_depth, bool* cut) {
  *cut = false;
  std::string out;
  out.reserve(raw.size());
  Guard(max_depth, cut).Entity(raw, 0, out);
  return out;
}

}  // namespace sendguard::scanner
