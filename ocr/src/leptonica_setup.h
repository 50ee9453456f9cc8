// SPDX-License-Identifier: Apache-2.0
// leptonica's process-wide settings, made once before its first use: its messages are not
// our log's business (a broken image is reported by the caller, in words). And an owning
// pointer for its pictures.
#pragma once

#include <leptonica/allheaders.h>

#include <memory>

namespace sendguard::ocr {

void QuietLeptonica();

struct PixFree {
  void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixFree>;

}  // namespace sendguard::ocr
