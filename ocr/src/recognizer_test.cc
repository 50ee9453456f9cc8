// SPDX-License-Identifier: Apache-2.0
// The Recognizer with the real Tesseract and leptonica: text read from a drawn image, the
// cache, the limits (pixels, time), broken input, TIFF pages, and Probe on hostile headers.
#include "sendguard/ocr/ocr.h"

#include <gtest/gtest.h>
#include <cairo.h>
#include <leptonica/allheaders.h>

#include <string>

namespace sendguard::ocr {
namespace {

// `lines` drawn black on white in DejaVu Sans (cairo) at 300 dpi, encoded as `format` by leptonica.
PIX* DrawnPix(const std::vector<std::string>& lines, double points = 11) {
  const double px = points * 300 / 72;
  const int w = 2000, h = 80 + static_cast<int>(px * 1.8 * lines.size());
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, px);
  double y = 40 + px;
  for (const auto& l : lines) {
    cairo_move_to(cr, 40, y);
    cairo_show_text(cr, l.c_str());
    y += px * 1.8;
  }
  cairo_surface_flush(surface);
  PIX* pix = pixCreate(w, h, 8);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  for (int yy = 0; yy < h; ++yy) {
    for (int x = 0; x < w; ++x) {
      const uint32_t argb = *reinterpret_cast<const uint32_t*>(data + yy * stride + x * 4);
      pixSetPixel(pix, x, yy, (argb >> 8) & 0xff);  // green channel: grey text on white
    }
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  pixSetResolution(pix, 300, 300);
  return pix;
}

std::string Encoded(PIX* pix, int format) {
  l_uint8* data = nullptr;
  size_t size = 0;
  pixWriteMem(&data, &size, pix, format);
  std::string out(reinterpret_cast<char*>(data), size);
  lept_free(data);
  return out;
}

std::string Drawn(const std::vector<std::string>& lines, int format, double points = 11) {
  PIX* pix = DrawnPix(lines, points);
  if (format == IFF_TIFF_G4 || format == IFF_GIF) {
    PIX* bw = pixConvertTo1(pix, 128);
    pixDestroy(&pix);
    pix = bw;
  }
  std::string out = Encoded(pix, format);
  pixDestroy(&pix);
  return out;
}

std::string Digits(const std::string& s) {
  std::string d;
  for (char c : s) if (c >= '0' && c <= '9') d.push_back(c);
  return d;
}

TEST(RecognizerTest, ReadsDrawnTextAndCachesIt) {
  Recognizer rec(Settings{});
  const std::string png = Drawn({"NHS number 943 476 5919", "Sort code 20-12-34"}, IFF_PNG);
  Reading r = rec.RecognizeFile(png, 0, 50'000'000, std::chrono::seconds(20));
  ASSERT_EQ(r.stopped, "") << r.detail;
  EXPECT_FALSE(r.cached);
  EXPECT_NE(Digits(r.text).find("9434765919"), std::string::npos) << r.text;
  EXPECT_NE(Digits(r.text).find("201234"), std::string::npos) << r.text;
  EXPECT_GT(r.confidence, 50);
  Reading again = rec.RecognizeFile(png, 0, 50'000'000, std::chrono::seconds(20));
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.text, r.text);
}

TEST(RecognizerTest, EveryFormatLeptonicaWrites) {
  Recognizer rec(Settings{});
  for (int format : {IFF_JFIF_JPEG, IFF_TIFF_LZW, IFF_TIFF_G4, IFF_BMP, IFF_GIF, IFF_WEBP}) {
    const std::string file = Drawn({"Account 12345678"}, format);
    ImageInfo info = Probe(file);
    EXPECT_TRUE(info.known) << format;
    Reading r = rec.RecognizeFile(file, 0, 50'000'000, std::chrono::seconds(20));
    EXPECT_EQ(r.stopped, "") << format << ": " << r.detail;
    EXPECT_NE(Digits(r.text).find("12345678"), std::string::npos) << format << ": " << r.text;
  }
}

TEST(RecognizerTest, PixelLimitIsCheckedBeforeDecoding) {
  Recognizer rec(Settings{});
  Reading r = rec.RecognizeFile(Drawn({"12345678"}, IFF_PNG), 0, 1000, std::chrono::seconds(5));
  EXPECT_EQ(r.stopped, "pixels");
  EXPECT_NE(r.detail.find("2000 x "), std::string::npos) << r.detail;
  // A GIF claiming 65535 x 65535 (four billion pixels) is sized from its header only.
  std::string gif = "GIF89a";
  gif += std::string("\xff\xff\xff\xff\x80\x00\x00", 7);
  gif += std::string(64, '\0');
  ImageInfo info = Probe(gif);
  EXPECT_EQ(info.width, 65535);
  EXPECT_EQ(info.height, 65535);
  EXPECT_EQ(rec.RecognizeFile(gif, 0, 25'000'000, std::chrono::seconds(5)).stopped, "pixels");
  // A GIF whose screen says 100 x 100 and whose frame is 4000 x 4000: the frame's size counts.
  std::string liar = "GIF89a";
  liar += std::string("\x64\x00\x64\x00\x00\x00\x00", 7);             // screen 100 x 100, no colour table
  liar += std::string("\x21\xf9\x04\x00\x00\x00\x00\x00", 8);         // a graphic control extension
  liar += std::string("\x2c\x00\x00\x00\x00\xa0\x0f\xa0\x0f\x00", 10);  // a frame 4000 x 4000
  liar += std::string("\x02\x02\x4c\x01\x00\x3b", 6);
  info = Probe(liar);
  EXPECT_EQ(info.width, 4000);
  EXPECT_EQ(info.height, 4000);
  EXPECT_EQ(rec.RecognizeFile(liar, 0, 1'000'000, std::chrono::seconds(5)).stopped, "pixels");
}

TEST(RecognizerTest, BrokenInputIsSaidNotThrown) {
  Recognizer rec(Settings{});
  EXPECT_FALSE(Probe("not an image at all, just words").known);
  EXPECT_EQ(rec.RecognizeFile("not an image at all, just words", 0, 1'000'000, std::chrono::seconds(1)).stopped, "decode");
  std::string png = Drawn({"12345678"}, IFF_PNG);
  png.resize(png.size() / 2);  // cut short
  Reading r = rec.RecognizeFile(png, 0, 50'000'000, std::chrono::seconds(5));
  EXPECT_TRUE(r.stopped == "decode" || r.stopped.empty()) << r.stopped;
}

TEST(RecognizerTest, TheTimeLimitStopsALongRecognition) {
  Recognizer rec(Settings{});
  std::vector<std::string> lines(40, "The quick brown fox 0123456789 jumps over the lazy dog");
  Reading r = rec.RecognizeFile(Drawn(lines, IFF_PNG, 8), 0, 50'000'000, std::chrono::milliseconds(1));
  EXPECT_EQ(r.stopped, "time");
  EXPECT_EQ(r.text, "");
}

TEST(RecognizerTest, TiffPagesAreCountedAndReadOneByOne) {
  PIXA* pixa = pixaCreate(3);
  for (const char* text : {"Page one 11111111", "Page two 22222222", "Page three 33333333"}) {
    pixaAddPix(pixa, DrawnPix({text}), L_INSERT);
  }
  l_uint8* data = nullptr;
  size_t size = 0;
  ASSERT_EQ(pixaWriteMemMultipageTiff(&data, &size, pixa), 0);
  std::string tiff(reinterpret_cast<char*>(data), size);
  lept_free(data);
  pixaDestroy(&pixa);
  EXPECT_EQ(Probe(tiff).pages, 3);
  EXPECT_EQ(Probe(tiff, 2).pages, 2);  // counted up to the limit only
  Recognizer rec(Settings{});
  EXPECT_NE(Digits(rec.RecognizeFile(tiff, 2, 50'000'000, std::chrono::seconds(20)).text).find("33333333"), std::string::npos);
  EXPECT_EQ(rec.RecognizeFile(tiff, 5, 50'000'000, std::chrono::seconds(20)).stopped, "decode");
}

TEST(RecognizerTest, MissingLanguagesAreSaidInWords) {
  std::string why;
  EXPECT_TRUE(LanguagesAvailable(Settings{}, &why)) << why;
  Settings klingon;
  klingon.languages = "eng+tlh";
  EXPECT_FALSE(LanguagesAvailable(klingon, &why));
  EXPECT_NE(why.find("tesseract-ocr-tlh"), std::string::npos) << why;
  Recognizer rec(klingon);
  EXPECT_EQ(rec.RecognizeFile(Drawn({"1"}, IFF_PNG), 0, 50'000'000, std::chrono::seconds(5)).stopped, "engine");
}

}  // namespace
}  // namespace sendguard::ocr
