// SPDX-License-Identifier: Apache-2.0
// mimetic adapter for the message walk (see message_walk.h). mimetic exceptions are caught
// here; a message mimetic cannot make sense of is still scanned as raw text.
#include "message_walk.h"

#include <mimetic/mimetic.h>

#include <vector>

#include "charset.h"
#include "clock.h"
#include "header_guard.h"
#include "mime_readings.h"
#include "mime_words.h"
#include "salutation.h"
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

// The body of a raw entity: what follows its header block's empty line ("" when none).
std::string_view BodyOf(std::string_view raw) {
  for (size_t pos = 0; pos < raw.size();) {
    size_t eol = raw.find('\n', pos);
    if (eol == std::string_view::npos) return {};
    std::string_view line = raw.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line == "\r") return raw.substr(pos);
  }
  return {};
}

// An entity written back as bytes: its fields as parsed, an empty line, its body.
std::string EntityText(const mimetic::MimeEntity& e);

// An entity's body as bytes, rebuilt from what mimetic parsed: a multipart's preamble, parts
// between delimiter lines and epilogue; an attached message's message; a leaf's raw body.
// (mimetic's own writer adds fields, so it is not used.)
std::string BodyText(const mimetic::MimeEntity& e) {
  const mimetic::Body& b = e.body();
  if (b.parts().empty()) return b.preamble() + std::string(b) + b.epilogue();  // a split-less multipart keeps all in the preamble
  const mimetic::ContentType& ct = e.header().contentType();
  if (common::AsciiLower(std::string(ct.type())) != "multipart") return EntityText(*b.parts().front());
  const std::string delimiter = "--" + std::string(ct.param("boundary"));
  std::string out = b.preamble() + "\r\n";
  for (const mimetic::MimeEntity* part : b.parts()) out += delimiter + "\r\n" + EntityText(*part) + "\r\n";
  return out + delimiter + "--\r\n" + b.epilogue();
}

std::string EntityText(const mimetic::MimeEntity& e) {
  std::string out;
  for (const auto& f : e.header()) out += std::string(f.name()) + ": " + std::string(f.value()) + "\r\n";
  return out + "\r\n" + BodyText(e);
}

// A section's child path: "2" + "0" -> "2.0"; the top level's is the child alone.
std::string Child(const std::string& section, const std::string& child) {
  return section.empty() ? child : section + "." + child;
}

bool IsSignature(const std::string& mime) {
  return mime == "application/pkcs7-signature" || mime == "application/x-pkcs7-signature" ||
         mime == "application/pgp-signature";
}

bool IsEncryptedMail(const std::string& mime) {
  return mime == "application/pkcs7-mime" || mime == "application/x-pkcs7-mime" || mime == "application/pgp-encrypted";
}

// Shown in the body rather than attached: a part with a Content-ID (an HTML body's <img
// src="cid:...">: a pasted screenshot, a signature logo) that is not marked as an attachment.
// "Content-Disposition: inline" alone is not enough: Apple Mail sends real attachments so, and
// a sender could mark a picture so to keep it from OCR.
bool ShownInline(const mimetic::Header& h) {
  if (!h.hasField("Content-ID")) return false;
  return !h.hasField("Content-Disposition") ||
         common::AsciiLower(std::string(h.contentDisposition().type())) != "attachment";
}

class Walker {
 public:
  Walker(std::string_view root, ExtractContext& ctx) : root_(root), ctx_(ctx) {}

  // Parses `raw` as a whole message (headers and body) whose parts are named under `prefix`.
  void WalkEntityBytes(std::string_view raw, const std::string& prefix, uint32_t depth) {
    if (depth > ctx_.options.max_depth) {
      ctx_.Incomplete("max_depth", prefix, "nested deeper than " + std::to_string(ctx_.options.max_depth));
      return;
    }
    bool cut = false;
    std::string copy = GuardHeaders(raw, ctx_.options.max_depth, &cut);  // stable storage, linear to parse
    if (cut) {
      ctx_.Incomplete("max_header_bytes", prefix, "a Content-* header longer than " + std::to_string(kMaxHeaderField) +
                                                      " bytes was cut");
    }
    try {
      // Built, then loaded: when mimetic's parser throws (the standard library under it can)
      // from the constructor, the parts it had made are never freed, a leak per malformed
      // message (found by fuzzing; tests/data/fuzz/message/); a constructed entity frees them.
      mimetic::MimeEntity entity;
      entity.load(copy.begin(), copy.end());
      ScanHumanHeaders(entity, prefix);
      Visit(entity, prefix, "", depth, BodyOf(raw));
    } catch (const std::exception& e) {
      ctx_.Incomplete("mime_parse_error", prefix, std::string(e.what()) + "; raw text scanned instead");
      ctx_.EmitText(prefix + "raw", common::RepairUtf8(raw));
    }
  }

 private:
  void ScanHumanHeaders(const mimetic::MimeEntity& e, const std::string& prefix) {
    static constexpr const char* kHuman[] = {"subject", "comments", "keywords", "content-description"};
    for (const auto& field : e.header()) {
      std::string name = common::AsciiLower(std::string(field.name()));
      for (const char* h : kHuman) {
        if (name == h) ctx_.EmitText(prefix + name, DecodeEncodedWords(field.value()));
      }
    }
  }

  // One entity: the walk's own reading, then every other reading a client might show.
  // `raw_body` is the entity's body as received when known (the top of a parse).
  void Visit(mimetic::MimeEntity& e, const std::string& prefix, const std::string& section, uint32_t depth,
             std::string_view raw_body = {}) {
    if (ctx_.TimeUp(prefix + section)) return;
    if (++parts_ > ctx_.options.max_parts) {
      ctx_.Incomplete("max_parts", "", "more than " + std::to_string(ctx_.options.max_parts) + " MIME parts");
      return;
    }
    VisitReading(e, prefix, section, depth);
    VisitOtherReadings(e, prefix, section, depth, raw_body);
  }

  // Walks each other reading of an ambiguous entity (mime_readings.h) as a new entity, its
  // parts named under "<section>.0.<k>/" (k = 2, 3, ...; "0.<k>/" at the top).
  void VisitOtherReadings(mimetic::MimeEntity& e, const std::string& prefix, const std::string& section,
                          uint32_t depth, std::string_view raw_body) {
    std::vector<HeaderField> fields;
    for (const auto& f : e.header()) fields.push_back({std::string(f.name()), std::string(f.value())});
    WalkedAs walked;
    walked.multipart = common::AsciiLower(std::string(e.header().contentType().type())) == "multipart";
    walked.split = !e.body().parts().empty();
    auto body = [&]() { return raw_body.empty() ? BodyText(e) : std::string(raw_body); };
    bool more = false;
    std::vector<std::string> readings = OtherReadings(fields, walked, body, ctx_.options.max_readings_per_part, &more);
    int k = 1;
    for (const auto& reading : readings) {
      WalkEntityBytes(reading, prefix + Child(section, "0." + std::to_string(++k)) + "/", depth + 1);
    }
    if (more) {
      ctx_.Incomplete("max_readings", prefix + (section.empty() ? "1" : section),
                      "more than " + std::to_string(ctx_.options.max_readings_per_part) +
                          " readings of one ambiguous part; the rest not scanned");
    }
  }

  // The walk's own reading of one entity (mimetic's: first Content-Type and encoding).
  void VisitReading(mimetic::MimeEntity& e, const std::string& prefix, const std::string& section, uint32_t depth) {
    const mimetic::Header& h = e.header();
    std::string type = "text", subtype = "plain";
    if (h.hasField("Content-Type")) {
      type = common::AsciiLower(std::string(h.contentType().type()));
      subtype = common::AsciiLower(std::string(h.contentType().subtype()));
      if (type.empty()) type = "text", subtype = "plain";
    }
    std::string mime = type + "/" + subtype;
    if (type == "multipart") {
      VisitMultipart(e, prefix, section, depth);
      return;
    }
    std::string name = section.empty() ? "1" : section;
    std::string path = prefix + name;
    if (type == "message" && (subtype == "rfc822" || subtype == "global")) {
      VisitAttachedMessage(e, prefix + name + "/message/", path, depth + 1);
      return;
    }
    if (type == "message" && subtype == "partial") {
      VisitPartial(e, path, depth);
      return;
    }
    if (IsSignature(mime)) return;  // a signature carries no content of its own
    if (IsEncryptedMail(mime)) {
      ctx_.Note("encrypted_attachment", path, "encrypted email content (" + mime + ")");
      return;
    }
    std::string filename = DecodeParameter(ParamsOf(h.contentDisposition()), "filename");
    if (filename.empty()) filename = DecodeParameter(ParamsOf(h.contentType()), "name");
    if (!filename.empty()) {
      if (prefix.empty()) ++ctx_.result.attachments;
      ctx_.EmitText(path + "/filename", filename);
      path += "/" + filename;
    }
    ScanTimings& t = ctx_.result.timings;
    uint64_t start = NowNs();
    std::string body = DecodeTransfer(e, path);
    if (!ctx_.ChargeExtracted(body.size(), path)) return;
    std::string charset = h.contentType().param("charset");
    if (filename.empty() && type == "text" && (subtype == "plain" || subtype == "html")) {
      // The message's own text: no need to ask libmagic what it is.
      std::string text = ToUtf8(body, charset);
      if (subtype == "html") text = HtmlText(ctx_, text, path);
      t.decode_ns += NowNs() - start;
      if (prefix.empty() && ctx_.result.salutation.empty()) ctx_.result.salutation = FindSalutation(text);
      ctx_.EmitText(path, text);
      return;
    }
    uint64_t decoded = NowNs();
    t.decode_ns += decoded - start;
    uint64_t scanned_before = t.scan_ns + t.confirm_ns;
    ctx_.inline_part = ShownInline(h);
    ExtractBytes(ctx_, body, filename, mime, charset, path, depth);
    ctx_.inline_part = false;
    uint64_t inner = t.scan_ns + t.confirm_ns - scanned_before;  // scanning done inside, counted there
    uint64_t spent = NowNs() - decoded;
    t.extract_ns += spent > inner ? spent - inner : 0;
  }

  // An attached message: mimetic has usually parsed it into the single child entity;
  // when it has not (an encoded attachment), parse the decoded bytes.
  void VisitAttachedMessage(mimetic::MimeEntity& e, const std::string& prefix, const std::string& path, uint32_t depth) {
    if (depth > ctx_.options.max_depth) {
      ctx_.Incomplete("max_depth", path, "nested deeper than " + std::to_string(ctx_.options.max_depth));
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

  // message/partial (RFC 2046 5.2.2): one fragment of a message sent in several. A lone
  // fragment cannot be put back together here, so its text is scanned as it is and the
  // scan says it saw only part of a message; "1 of 1" is a whole message.
  void VisitPartial(mimetic::MimeEntity& e, const std::string& path, uint32_t depth) {
    const mimetic::ContentType& ct = e.header().contentType();
    const std::string number_param = ct.param("number"), total_param = ct.param("total");
    const std::string number(common::Trim(number_param)), total(common::Trim(total_param));
    std::string body = DecodeTransfer(e, path);
    if (number == "1" && total == "1") {
      WalkEntityBytes(body, path + "/message/", depth + 1);
      return;
    }
    ctx_.Incomplete("message_partial", path,
                    "fragment " + (number.empty() ? std::string("?") : number) + " of " +
                        (total.empty() ? std::string("?") : total) +
                        " of a message sent in parts; the others are not in this message, so it cannot be assembled");
    ctx_.EmitText(path, ToUtf8(body, ""));
  }

  void VisitMultipart(mimetic::MimeEntity& e, const std::string& prefix, const std::string& section, uint32_t depth) {
    std::string here = section.empty() ? prefix : prefix + section;
    std::string boundary = e.header().contentType().param("boundary");
    auto& parts = e.body().parts();
    if (!parts.empty() && !boundary.empty() && root_.find("--" + boundary + "--") == std::string_view::npos) {
      ctx_.Incomplete("truncated_mime", here, "multipart has no closing boundary");
    }
    // The text outside the parts (preamble and epilogue; all of the body when no delimiter
    // line is found) is there for any client to show: scanned as part "<section>.0".
    const mimetic::Body& b = e.body();
    if (!b.preamble().empty() || !b.epilogue().empty()) {
      ctx_.EmitText(prefix + Child(section, "0"), ToUtf8(b.preamble() + "\n" + b.epilogue(), ""));
    }
    if (parts.empty()) {
      // No boundary found: scan the body as text rather than skip it.
      ctx_.EmitText(prefix + (section.empty() ? "1" : section), ToUtf8(e.body(), ""));
      return;
    }
    if (depth + 1 > ctx_.options.max_depth) {
      ctx_.Incomplete("max_depth", here, "multipart nested deeper than " + std::to_string(ctx_.options.max_depth));
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
      if (bad > 0) ctx_.Incomplete("invalid_base64", path, std::to_string(bad) + " stray characters; decoded as far as possible");
      return out;
    }
    if (cte == "quoted-printable") return DecodeQuotedPrintable(body);
    if (cte == "x-uuencode" || cte == "uuencode" || cte == "x-uue") return DecodeUuencode(body);
    return body;
  }

  std::string_view root_;
  ExtractContext& ctx_;
  uint32_t parts_ = 0;
};

}  // namespace

void WalkMessage(std::string_view raw, ExtractContext& ctx) {
  if (raw.size() > ctx.options.max_message_bytes) {
    ctx.Incomplete("max_message_bytes", "", "only the first " + std::to_string(ctx.options.max_message_bytes) +
                                                " of " + std::to_string(raw.size()) + " bytes scanned");
    raw = raw.substr(0, ctx.options.max_message_bytes);
  }
  if (raw.empty()) return;
  if (!LooksLikeMessage(raw)) {
    ctx.EmitText("1", common::RepairUtf8(raw));
    return;
  }
  Walker(raw, ctx).WalkEntityBytes(raw, "", 0);
}

}  // namespace sendguard::scanner
