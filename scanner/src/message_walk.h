// SPDX-License-Identifier: Apache-2.0
// The message walk: parses an RFC 5322/MIME message (mimetic) and hands every piece of
// human-written text to the sink as UTF-8 with its part path; attachments go to the
// extractors. Technical headers (Message-ID, Received, DKIM, boundaries) are never handed over.
#pragma once

#include <string_view>

#include "extract/extract_context.h"

namespace sendguard::scanner {

// Walks `raw`; bounds hit and parts not read are recorded in ctx.result.
void WalkMessage(std::string_view raw, ExtractContext& ctx);

}  // namespace sendguard::scanner
