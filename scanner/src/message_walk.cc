// mimetic adapter for the message walk (see message_walk.h). mimetic exceptions are caught
// here; a message mimetic cannot make sense of is still scanned as raw text.
#include "message_walk.h"

#include <mimetic/mimetic.h>

#include <vector>

#include "charset.h"
#include "html_text.h"
#include "mime_words.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

template <typename Field>
Params ParamsOf(const Field& field) {
  Params out;
  for (const auto& p : field.paramList()) out.emplace_back(p.name(), p.value());
  return out;
}

// True when `raw` starts like a mail message (a header line or an mbox "From " line).
bool LooksLikeMessage(std::string_view raw) {
  if (raw.rfind("From ", 0) == 0) return true;
  size_t colon = raw.find(':');
  size_t eol = raw.find('\n');
  if (colon == std::string_view::npos || (eol != std::string_view::npos && colon > eol)) return false;
  for (size_t i = 0; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(raw[i]);
    if (c <= 32 || c >= 127) return false;
  }
  return colon > 0;
}

class Walker {
 public:
  Walker(std::string_view root, const ScanOptions& options, ScanResult& result, const PartSink& sink)
      : root_(root), options_(options), result_(result), sink_(sink) {}

  // Parses `raw` as a whole message (headers and body) whose parts are named under `prefix`.
  void WalkEntityBytes(std::string_view raw, const std::string& prefix, uint32_t depth) {
    if (depth > options_.max_depth) {
      result_.AddIncomplete("max_depth: nesting deeper than " + std::to_string(options_.max_depth) + " at " +
                            (prefix.empty() ? "message" : prefix));
      return;
    }
    std::string copy(raw);  // mimetic wants bidirectional iterators over stable storage
    try {
      mimetic::MimeEntity entity(copy.begin(), copy.end());
      ScanHumanHeaders(entity, prefix);
      Visit(entity, prefix, "", depth);
    } catch (const std::exception& e) {
      result_.AddIncomplete("mime_parse_error: " + std::string(e.what()) + " at " + (prefix.empty() ? "message" : prefix));
      sink_(prefix + "raw", common::RepairUtf8(raw));
    }
  }

 private:
  void ScanHumanHeaders(const mimetic::MimeEntity& e, const std::string& prefix) {
    static constexpr const char* kHuman[] = {"subject", "comments", "keywords", "content-description"};
    for (const auto& field : e.header()) {
      std::string name = common::AsciiLower(std::string(field.name()));
      for (const char* h : kHuman) {
        if (name == h) Emit(prefix + name, DecodeEncodedWords(field.value()));
      }
    }
  }

  void Emit(const std::string& part, const std::string& text) {
    if (!text.empty()) sink_(part, text);
  }

  void Visit(mimetic::MimeEntity& e, const std::string& prefix, const std::string& section, uint32_t depth) {
    if (++parts_ > options_.max_parts) {
      result_.AddIncomplete("max_parts: more than " + std::to_string(options_.max_parts) + " MIME parts");
      return;
    }
    const mimetic::Header& h = e.header();
    std::string type = "text", subtype = "plain";
    if (h.hasField("Content-Type")) {
      type = common::AsciiLower(std::string(h.contentType().type()));
      subtype = common::AsciiLower(std::string(h.contentType().subtype()));
      if (type.empty()) type = "text", subtype = "plain";
    }
    if (type == "multipart") {
      VisitMultipart(e, prefix, section, depth);
      return;
    }
    std::string name = section.empty() ? "1" : section;
    std::string path = prefix + name;
    std::string filename = DecodeParameter(ParamsOf(h.contentDisposition()), "filename");
    if (filename.empty()) filename = DecodeParameter(ParamsOf(h.contentType()), "name");
    if (!filename.empty()) {
      Emit(path + "/filename", filename);
      path += "/" + filename;
    }
    if (type == "message" && (subtype == "rfc822" || subtype == "global")) {
      VisitAttachedMessage(e, prefix + name + "/message/", path, depth + 1);
      return;
    }
    std::string body = DecodeTransfer(e, path);
    if (type == "text") {
      std::string text = ToUtf8(body, h.contentType().param("charset"));
      if (subtype == "html") text = HtmlToText(text);
      Emit(path, text);
      return;
    }
    result_.AddIncomplete("unsupported_part: " + path + " (" + type + "/" + subtype + ") not scanned");
  }

  // An attached message: mimetic has usually parsed it into the single child entity;
  // when it has not (an encoded attachment), parse the decoded bytes.
  void VisitAttachedMessage(mimetic::MimeEntity& e, const std::string& prefix, const std::string& path, uint32_t depth) {
    if (depth > options_.max_depth) {
      result_.AddIncomplete("max_depth: nesting deeper than " + std::to_string(options_.max_depth) + " at " + prefix);
      return;
    }
    auto& parts = e.body().parts();
    if (!parts.empty()) {
      ScanHumanHeaders(*parts.front(), prefix);
      Visit(*parts.front(), prefix, "", depth);
      return;
    }
    WalkEntityBytes(DecodeTransfer(e, path), prefix, depth);
  }

  void VisitMultipart(mimetic::MimeEntity& e, const std::string& prefix, const std::string& section, uint32_t depth) {
    std::string boundary = e.header().contentType().param("boundary");
    if (!boundary.empty() && root_.find("--" + boundary + "--") == std::string_view::npos) {
      result_.AddIncomplete("truncated_mime: multipart " + (section.empty() ? std::string("message") : prefix + section) +
                            " has no closing boundary");
    }
    auto& parts = e.body().parts();
    if (parts.empty()) {
      // No boundary found: scan the body as text rather than skip it.
      Emit(prefix + (section.empty() ? "1" : section), ToUtf8(e.body(), ""));
      return;
    }
    if (depth + 1 > options_.max_depth) {
      result_.AddIncomplete("max_depth: multipart nesting deeper than " + std::to_string(options_.max_depth));
      return;
    }
    int i = 0;
    for (mimetic::MimeEntity* child : parts) {
      ++i;
      Visit(*child, prefix, section.empty() ? std::to_string(i) : section + "." + std::to_string(i), depth + 1);
    }
  }

  std::string DecodeTransfer(const mimetic::MimeEntity& e, const std::string& path) {
    const std::string& body = e.body();
    std::string cte;
    if (e.header().hasField("Content-Transfer-Encoding")) {
      cte = common::AsciiLower(common::Trim(std::string(e.header().contentTransferEncoding().mechanism())));
    }
    if (cte == "base64") {
      size_t bad = 0;
      std::string out = DecodeBase64(body, &bad);
      if (bad > 0) result_.AddIncomplete("invalid_base64: " + std::to_string(bad) + " stray characters in " + path);
      return out;
    }
    if (cte == "quoted-printable") return DecodeQuotedPrintable(body);
    return body;
  }

  std::string_view root_;
  const ScanOptions& options_;
  ScanResult& result_;
  const PartSink& sink_;
  uint32_t parts_ = 0;
};

}  // namespace

void WalkMessage(std::string_view raw, const ScanOptions& options, ScanResult& result, const PartSink& sink) {
  if (raw.size() > options.max_message_bytes) {
    result.AddIncomplete("max_message_bytes: only the first " + std::to_string(options.max_message_bytes) + " of " +
                         std::to_string(raw.size()) + " bytes scanned");
    raw = raw.substr(0, options.max_message_bytes);
  }
  if (raw.empty()) return;
  if (!LooksLikeMessage(raw)) {
    sink("1", common::RepairUtf8(raw));
    return;
  }
  Walker(raw, options, result, sink).WalkEntityBytes(raw, "", 0);
}

}  // namespace sendguard::scanner
