// SPDX-License-Identifier: Apache-2.0
// The public Scanner: a thin shell over ScannerImpl and the message walk.
#include "sendguard/scanner/scanner.h"

#include <cctype>

#include "message_walk.h"
#include "scanner_impl.h"
#include "sendguard/common/digest.h"

namespace sendguard::scanner {

Scanner::Scanner(std::shared_ptr<const CompiledRules> rules, const common::KeyedHasher& hasher, ScanOptions options)
    : impl_(std::make_unique<ScannerImpl>(std::move(rules), hasher, options)) {}

Scanner::~Scanner() = default;

const CompiledRules& Scanner::rules() const { return impl_->rules(); }

ScanResult Scanner::ScanText(std::string_view text, const std::string& part) {
  impl_->BeginMessage();
  impl_->ScanPart(part, text);
  return impl_->FinishMessage();
}

void Scanner::Begin(const std::string& part) {
  impl_->BeginMessage();
  impl_->OpenPart(part);
}

void Scanner::Feed(std::string_view chunk) { impl_->FeedPart(chunk); }

ScanResult Scanner::Finish() {
  impl_->ClosePart();
  return impl_->FinishMessage();
}

ScanResult Scanner::ScanMessage(std::string_view raw_message) {
  impl_->BeginMessage();
  ExtractContext ctx(impl_->options(), impl_->result(), *impl_, impl_->detector(), impl_->recognizer());
  WalkMessage(raw_message, ctx);
  return impl_->FinishMessage();
}

namespace {

// Hashes the text the walk extracts, skipping header parts ("subject", "comments" ...) and
// collapsing white space; part findings are ignored.
class DigestSink : public WalkSink {
 public:
  void Text(const std::string& part, std::string_view utf8) override {
    if (part.empty() || !(std::isdigit(static_cast<unsigned char>(part[0])) || part.rfind("raw", 0) == 0)) return;
    if (part.size() > 9 && part.compare(part.size() - 9, 9, "/filename") == 0) {
      sha_.Update(utf8);  // a renamed attachment is a different message
      return;
    }
    std::string buf;
    buf.reserve(utf8.size());
    bool space = true;
    for (char c : utf8) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        space = true;
        continue;
      }
      if (space && !buf.empty()) buf.push_back(' ');
      space = false;
      buf.push_back(c);
    }
    sha_.Update(buf);
    sha_.Update(std::string_view("\0", 1));
  }
  void Part(const PartFinding& finding) override { sha_.Update(finding.part); }
  std::string Hex() { return sha_.HexDigest(); }

 private:
  common::Sha256 sha_;
};

}  // namespace

std::string Scanner::ContentDigest(std::string_view raw_message) {
  DigestSink sink;
  ScanResult ignored;
  // No OCR: a reading cut short by its time limit would change the digest of the same content.
  ExtractContext ctx(impl_->options(), ignored, sink, impl_->detector());
  WalkMessage(raw_message, ctx);
  return sink.Hex();
}

}  // namespace sendguard::scanner
