// SPDX-License-Identifier: Apache-2.0
// Pictures read with OCR: which ones (the mode, the tiny-image rule), within which bounds
// (time per message and per picture, pixels, pages, pictures per message), and their text
// handed to the scan under a part path that says it came from OCR ("2/scan.png#ocr",
// "2/scan.pdf#page-3.ocr"). The image extractor and the PDF extractor's rendered pages share it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "extract_context.h"
#include "sendguard/ocr/ocr.h"

namespace sendguard::scanner {

// Reads an image file, every page of a TIFF. `inline_image`: shown in the message body,
// not attached (read only in OcrMode::kAll).
void ExtractImage(ExtractContext& ctx, std::string_view bytes, const std::string& mime, const std::string& path,
                  bool inline_image);

// Whether one more picture may be read for this message, and for how long; false (the
// bound recorded once per message, the picture counted as not read) when not.
bool StartOcr(ExtractContext& ctx, const std::string& part, std::chrono::milliseconds* budget);

// Hands a reading's text (and its digit reading, ocr_digits.h) to the scan as `ocr_part`,
// counts it and the time since `started`, and records why a picture was not (wholly) read.
void FinishOcr(ExtractContext& ctx, const std::string& ocr_part, const ocr::Reading& reading,
               std::chrono::steady_clock::time_point started);

// The part path of text read from a picture: "P#ocr", or "P#page-N.ocr" (N from 1).
std::string OcrPart(const std::string& path, int page, bool paged);

}  // namespace sendguard::scanner
