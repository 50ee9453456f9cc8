// SPDX-License-Identifier: Apache-2.0
// Text out of pictures: what an image file is (read from its header, nothing decoded), and
// the Recognizer, which decodes a page of an image file (or takes grey pixels a PDF page
// was rendered to) and has Tesseract read it within a time limit. Results are cached by
// content digest, bounded in memory, and shared by every thread of the process.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace sendguard::ocr {

// What a recogniser is made with. Recognizers with equal settings are one (Shared()).
struct Settings {
  std::string languages = "eng";       // Tesseract's "eng", "eng+cym"
  std::string tessdata_dir;            // "" = Tesseract's own default (Debian: /usr/share/tesseract-ocr/5/tessdata)
  uint64_t cache_bytes = 16ull << 20;  // recognised text kept, least recently used dropped first
};

// An image file's kind and size, from its header.
struct ImageInfo {
  bool known = false;   // false: not an image format leptonica reads (or a broken header)
  std::string format;   // "png", "jpeg", "gif", "tiff", "bmp", "webp", "pnm", "jp2"
  int width = 0;        // of the first page
  int height = 0;
  int pages = 1;        // TIFF: pages counted up to `count_pages_up_to`; others 1
};
ImageInfo Probe(std::string_view bytes, int count_pages_up_to = 1000);

// Grey pixels (8 bits, 0 black) a page was rendered to, not owned.
struct GreyRaster {
  const uint8_t* pixels = nullptr;
  int width = 0;
  int height = 0;
  int stride = 0;  // bytes from one row to the next
  int dpi = 0;
};

// What one recognition gave.
struct Reading {
  std::string text;         // UTF-8, lines as Tesseract laid them out
  int confidence = 0;       // Tesseract's mean word confidence, 0-100
  bool cached = false;      // answered from the cache
  // Why there is no (whole) reading: "" (read), "time" (the time limit cut it short: `text`
  // is what was read so far), "pixels" (over the pixel limit: not decoded), "decode" (the
  // image could not be decoded), "engine" (Tesseract could not start: languages missing).
  std::string stopped;
  std::string detail;       // for people, no content
};

class Recognizer {
 public:
  // The process's recogniser for these settings (made at first use; engines are made per
  // thread on their first recognition).
  static std::shared_ptr<Recognizer> Shared(const Settings& settings);
  explicit Recognizer(Settings settings);
  ~Recognizer();
  Recognizer(const Recognizer&) = delete;
  Recognizer& operator=(const Recognizer&) = delete;

  // Page `page` (0-based; TIFF only has more than one) of an encoded image file, decoded
  // only when its width x height is at most `max_pixels`, read for at most `budget`.
  Reading RecognizeFile(std::string_view bytes, int page, uint64_t max_pixels, std::chrono::milliseconds budget);
  // The text already known under `key` (a digest of the page's source), if any.
  bool Cached(const std::string& key, Reading* out);
  // Grey pixels, read for at most `budget`; a whole reading is cached under `key`.
  Reading RecognizeGrey(const std::string& key, const GreyRaster& raster, std::chrono::milliseconds budget);

  // A cache key: hex SHA-256 of `bytes`, with `detail` ("page 3 at 200 dpi") beside it.
  static std::string KeyOf(std::string_view bytes, std::string_view detail);
  const Settings& settings() const { return settings_; }

 private:
  struct Impl;
  Settings settings_;
  std::unique_ptr<Impl> impl_;
};

// Tesseract (Debian's build) runs parts of a recognition on OpenMP threads, four at a time: on
// a gateway whose workers already fill the cores that multiplies the work (measured here: 3x
// the CPU for the same readings). OpenMP reads its limit once, when the process starts, so a
// program that recognises calls this first thing in main(): without OMP_THREAD_LIMIT in its
// environment it sets it to 1 and starts itself again (same process id); with it, nothing.
void LimitOpenMpThreads(char** argv);

// Whether this machine can recognise in `languages` (the traineddata files are present); the
// reason when not. For check-config and tests.
bool LanguagesAvailable(const Settings& settings, std::string* why);

}  // namespace sendguard::ocr
