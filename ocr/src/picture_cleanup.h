// SPDX-License-Identifier: Apache-2.0
// A picture made ready for Tesseract: alpha over white, grey, small text scaled up, then what a
// scan or a screenshot adds taken away (tilt, uneven background, ruled lines, comb ticks).
#pragma once

#include <cstdint>

#include "leptonica_setup.h"

namespace sendguard::ocr {

// `pix` as 8-bit grey ready for Tesseract, scaled within `max_pixels`; `*dpi` is the
// resolution to tell Tesseract. Null when leptonica cannot convert it.
PixPtr Prepare(PIX* pix, uint64_t max_pixels, int* dpi);

// Grey pixels (a rendered PDF page at `dpi`) with the scan's tilt, background and rules taken away.
PixPtr Clean(PixPtr grey, bool bilevel, int dpi);

}  // namespace sendguard::ocr
