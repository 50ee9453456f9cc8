// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a picture as sendguard reads it: the header probe (format, size, TIFF pages),
// leptonica's decoders behind the pixel limit, the preparation (alpha, grey, scaling) and
// Tesseract, within small bounds a fuzzing process can afford.
#include "extract/ocr_extract.h"
#include "extract_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  static const std::shared_ptr<ocr::Recognizer> recognizer =
      std::make_shared<ocr::Recognizer>(ocr::Settings{"eng", "", 0});  // no cache: every input decoded
  fuzz::Extraction x;
  x.options.ocr.max_pixels = 300'000;
  x.options.ocr.image_ms = 200;
  x.options.ocr.max_pages = 4;
  x.options.ocr.max_images = 4;
  x.ctx.recognizer = recognizer.get();
  scanner::ExtractImage(x.ctx, fuzz::Bytes(data, size), "image", "2/picture", false);
  return 0;
}
