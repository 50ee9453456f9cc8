// The public Scanner: a thin shell over ScannerImpl and the message walk.
#include "sendguard/scanner/scanner.h"

#include "message_walk.h"
#include "scanner_impl.h"

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
  ExtractContext ctx(impl_->options(), impl_->result(), *impl_, impl_->detector());
  WalkMessage(raw_message, ctx);
  return impl_->FinishMessage();
}

}  // namespace sendguard::scanner
