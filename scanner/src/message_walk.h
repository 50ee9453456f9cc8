// The message walk: parses an RFC 5322/MIME message (mimetic) and hands every piece of
// human-written text to a sink as UTF-8, with its part path. Technical headers
// (Message-ID, Received, DKIM, boundaries) are never handed over.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "sendguard/scanner/finding.h"
#include "sendguard/scanner/scan_options.h"

namespace sendguard::scanner {

// Receives one text part: its path ("1", "2/notes.txt", "subject", "3/message/1") and text.
using PartSink = std::function<void(const std::string& part, std::string_view utf8_text)>;

// Walks `raw`; bounds hit and parts not scanned are recorded in `result` as incomplete reasons.
void WalkMessage(std::string_view raw, const ScanOptions& options, ScanResult& result, const PartSink& sink);

}  // namespace sendguard::scanner
