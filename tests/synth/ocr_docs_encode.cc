// SPDX-License-Identifier: Apache-2.0
// Encoders for the OCR corpus (ocr_docs_internal.h): PNG, JPEG and TIFF (single and
// multi-page) through leptonica, and image-only PDF through cairo's PDF surface, which only
// paints each page's picture: no text objects, no text layer.
#include <cairo-pdf.h>
#include <cairo.h>
#include <leptonica/allheaders.h>

#include <cstdio>
#include <cstdlib>

#include "ocr_docs_internal.h"

namespace sendguard::synth::ocr {

namespace {

// Takes leptonica's output buffer; aborts when leptonica could not encode.
std::string Take(l_ok failed, l_uint8* data, size_t size, const char* what) {
  if (failed || data == nullptr) {
    std::fprintf(stderr, "ocr_docs: leptonica could not write %s\n", what);
    std::abort();
  }
  std::string out(reinterpret_cast<const char*>(data), size);
  lept_free(data);
  return out;
}

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// The page as a cairo image; with `jpeg`, that JPEG is embedded as it is (DCTDecode).
cairo_surface_t* PageImage(Pix* pix, int jpeg_quality) {
  const int w = pixGetWidth(pix), h = pixGetHeight(pix);
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  unsigned char* out = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  const l_uint32* data = pixGetData(pix);
  const int wpl = pixGetWpl(pix);
  for (int y = 0; y < h; ++y) {
    const l_uint32* line = data + static_cast<ptrdiff_t>(y) * wpl;
    auto* row = reinterpret_cast<uint32_t*>(out + static_cast<ptrdiff_t>(y) * stride);
    for (int x = 0; x < w; ++x) {
      const uint32_t g = GET_DATA_BYTE(line, x);
      row[x] = 0xff000000u | g << 16 | g << 8 | g;
    }
  }
  cairo_surface_mark_dirty(img);
  if (jpeg_quality > 0) {
    auto* jpeg = new std::string(EncodeJpeg(pix, jpeg_quality));
    cairo_surface_set_mime_data(img, CAIRO_MIME_TYPE_JPEG, reinterpret_cast<const unsigned char*>(jpeg->data()),
                                jpeg->size(), [](void* p) { delete static_cast<std::string*>(p); }, jpeg);
  }
  return img;
}

}  // namespace

std::string EncodePng(Pix* pix) {
  l_uint8* data = nullptr;
  size_t size = 0;
  const l_ok failed = pixWriteMem(&data, &size, pix, IFF_PNG);
  return Take(failed, data, size, "PNG");
}

std::string EncodeJpeg(Pix* pix, int quality) {
  l_uint8* data = nullptr;
  size_t size = 0;
  const l_ok failed = pixWriteMemJpeg(&data, &size, pix, quality, 0);
  return Take(failed, data, size, "JPEG");
}

std::string EncodeTiff(Pix* pix, bool bilevel) {
  l_uint8* data = nullptr;
  size_t size = 0;
  if (!bilevel) {
    const l_ok failed = pixWriteMem(&data, &size, pix, IFF_TIFF_LZW);
    return Take(failed, data, size, "TIFF");
  }
  PixPtr binary(pixConvertTo1(pix, 150));  // a scanner's black-and-white mode
  pixCopyResolution(binary.get(), pix);
  const l_ok failed = pixWriteMem(&data, &size, binary.get(), IFF_TIFF_G4);
  return Take(failed, data, size, "TIFF G4");
}

std::string EncodeMultipageTiff(const std::vector<PixPtr>& pages) {
  Pixa* pixa = pixaCreate(static_cast<l_int32>(pages.size()));
  for (const auto& page : pages) pixaAddPix(pixa, page.get(), L_CLONE);
  l_uint8* data = nullptr;
  size_t size = 0;
  const l_ok failed = pixaWriteMemMultipageTiff(&data, &size, pixa);
  pixaDestroy(&pixa);
  return Take(failed, data, size, "multi-page TIFF");
}

std::string EncodePdf(const std::vector<PixPtr>& pages, int jpeg_quality) {
  std::string out;
  cairo_surface_t* pdf = cairo_pdf_surface_create_for_stream(Append, &out, kA4Width, kA4Height);
  // A fixed date keeps the bytes the same on every run.
  cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE, "2024-06-04T10:00:00Z");
  cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR, "Scan to PDF");
  cairo_t* cr = cairo_create(pdf);
  for (const auto& page : pages) {
    const int dpi = pixGetXRes(page.get()), w = pixGetWidth(page.get()), h = pixGetHeight(page.get());
    // The picture fills the page: A4 for a scan, the screen's size at its resolution for a screenshot.
    const bool a4 = w == A4WidthPx(dpi) && h == A4HeightPx(dpi);
    const double page_w = a4 ? kA4Width : w * 72.0 / dpi, page_h = a4 ? kA4Height : h * 72.0 / dpi;
    cairo_pdf_surface_set_size(pdf, page_w, page_h);
    cairo_surface_t* img = PageImage(page.get(), jpeg_quality);
    cairo_save(cr);
    cairo_scale(cr, page_w / w, page_h / h);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_show_page(cr);
    cairo_surface_destroy(img);
  }
  cairo_destroy(cr);
  cairo_surface_finish(pdf);
  const cairo_status_t status = cairo_surface_status(pdf);
  cairo_surface_destroy(pdf);
  if (status != CAIRO_STATUS_SUCCESS) {
    std::fprintf(stderr, "ocr_docs: cairo could not write the PDF: %s\n", cairo_status_to_string(status));
    std::abort();
  }
  return out;
}

}  // namespace sendguard::synth::ocr
