// SPDX-License-Identifier: Apache-2.0
// Budgets of the ExtractContext, and ExtractBytes: detect, check the claim, dispatch.
#include "extract_context.h"

#include "../charset.h"
#include "../html_text.h"
#include "extractors.h"
#include "ocr_extract.h"

namespace sendguard::scanner {

bool ExtractContext::TimeUp(const std::string& part) {
  if (time_up_) return true;
  if (std::chrono::steady_clock::now() < deadline_) return false;
  time_up_ = true;
  Incomplete("time_budget", part, "time budget of " + std::to_string(options.time_budget_ms) + " ms spent; rest not scanned");
  return true;
}

std::chrono::milliseconds ExtractContext::TimeLeft() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

bool ExtractContext::ChargeExtracted(uint64_t n, const std::string& part) {
  extracted_ += n;
  if (extracted_ <= options.max_extracted_bytes) return true;
  if (!extracted_over_) {
    extracted_over_ = true;
    Incomplete("max_extracted_bytes", part, "more than " + std::to_string(options.max_extracted_bytes) +
                                                " bytes decoded or decompressed; rest not scanned");
  }
  return false;
}

std::string HtmlText(ExtractContext& ctx, std::string_view utf8_html, const std::string& part) {
  std::string stopped;
  std::string text = HtmlToText(utf8_html, &stopped);
  if (!stopped.empty()) {
    ctx.Incomplete("extract_error", part, "HTML parser stopped early (" + stopped + "); the rest read with tags stripped");
  }
  return text;
}

namespace {

bool ContainsUtf16(std::string_view bytes, const char* ascii) {
  std::string needle;
  for (const char* p = ascii; *p; ++p) needle += std::string{*p, '\0'};
  return bytes.find(needle) != std::string_view::npos;
}

void ExtractArchiveMembers(ExtractContext& ctx, std::string_view bytes, const std::string& path, uint32_t depth,
                           bool office_candidate) {
  std::vector<ArchiveMember> members = ReadArchive(ctx, bytes, path);
  if (office_candidate && ExtractOfficeDocument(ctx, members, path)) return;
  for (const auto& m : members) {
    std::string member_path = path + "/" + m.name;
    if (m.encrypted) {
      ctx.Note("encrypted_attachment", member_path, "encrypted archive member");
      continue;
    }
    ctx.inline_part = false;  // a member is inside an attachment, whatever the attachment is
    ExtractBytes(ctx, m.data, m.name, "", "", member_path, depth + 1);
  }
}

}  // namespace

void ExtractBytes(ExtractContext& ctx, std::string_view bytes, const std::string& name, const std::string& declared_mime,
                  const std::string& charset, const std::string& path, uint32_t depth) {
  if (ctx.TimeUp(path)) return;
  if (depth > ctx.options.max_depth) {
    ctx.Incomplete("max_depth", path, "nested deeper than " + std::to_string(ctx.options.max_depth) + "; not opened");
    return;
  }
  if (bytes.size() > ctx.options.max_member_bytes) {
    ctx.Incomplete("max_member_bytes", path, std::to_string(bytes.size()) + " bytes; only the first " +
                                                 std::to_string(ctx.options.max_member_bytes) + " scanned");
    bytes = bytes.substr(0, ctx.options.max_member_bytes);
  }
  Detected d = ctx.detector.Detect(bytes, name);
  if (d.kind == FileKind::kUnknown || d.kind == FileKind::kText || d.kind == FileKind::kCsv) {
    // UTF-16 text (a spreadsheet's "Unicode text" export), often without a byte-order mark.
    std::string_view utf16 = SniffUtf16(bytes);
    if (!utf16.empty()) {
      ctx.EmitText(path, ToUtf8(bytes, utf16));
      return;
    }
  }
  FileKind claimed = ClaimedKind(name, declared_mime);
  if (KindsMismatch(claimed, d.kind)) {
    ctx.Note("type_mismatch", path, std::string("named or declared as ") + FamilyName(claimed) + ", content is " + d.mime);
  }
  switch (d.kind) {
    case FileKind::kEmpty:
      return;
    case FileKind::kText:
    case FileKind::kCsv:
    case FileKind::kXml:
      ctx.EmitText(path, ToUtf8(bytes, charset));
      return;
    case FileKind::kHtml:
      ctx.EmitText(path, HtmlText(ctx, ToUtf8(bytes, charset), path));
      return;
    case FileKind::kRtf:
      ctx.EmitText(path, RtfToText(bytes));
      return;
    case FileKind::kPdf:
      ExtractPdf(ctx, bytes, path);
      return;
    case FileKind::kZip:
      ExtractArchiveMembers(ctx, bytes, path, depth, /*office_candidate=*/true);
      return;
    case FileKind::kTar:
    case FileKind::kGzip:
    case FileKind::kBzip2:
    case FileKind::kXz:
    case FileKind::kSevenZip:
      ExtractArchiveMembers(ctx, bytes, path, depth, false);
      return;
    case FileKind::kOle:
      if (ContainsUtf16(bytes, "EncryptionInfo") || ContainsUtf16(bytes, "EncryptedPackage")) {
        ctx.Note("encrypted_attachment", path, "password-protected Office document");
      } else {
        ctx.Incomplete("unsupported_part", path, "legacy Office (OLE) document (" + d.mime + ") not scanned");
      }
      return;
    case FileKind::kImage:
      ExtractImage(ctx, bytes, d.mime, path, ctx.inline_part);
      return;
    case FileKind::kExecutable:
    case FileKind::kUnknown:
      ctx.Incomplete("unsupported_part", path, d.mime + " not scanned");
      return;
  }
}

}  // namespace sendguard::scanner
