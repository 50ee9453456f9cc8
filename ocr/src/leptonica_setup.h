// SPDX-License-Identifier: Apache-2.0
// leptonica's process-wide settings, made once before its first use: its messages are not
// our log's business (a broken image is reported by the caller, in words).
#pragma once

namespace sendguard::ocr {

void QuietLeptonica();

}  // namespace sendguard::ocr
