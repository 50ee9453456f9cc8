// SPDX-License-Identifier: Apache-2.0
// leptonica's process-wide settings, made once before its first use: its messages are not
// our log's business (a broken image is reported by the caller, in words). An owning
// pointer for its pictures, and bytes as the type its memory readers take.
#pragma once

#include <leptonica/allheaders.h>

#include <memory>
#include <string_view>

namespace sendguard::ocr {

void QuietLeptonica();

struct PixFree {
  void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixFree>;

inline const l_uint8* LeptBytes(std::string_view s) { return reinterpret_cast<const l_uint8*>(s.data()); }

}  // namespace sendguard::ocr
