// SPDX-License-Identifier: Apache-2.0
// The Recognizer: leptonica decodes, picture_cleanup.h prepares, Tesseract reads within a
// deadline. One Tesseract engine per thread and language set
// (an engine is not thread-safe and costs a second to load), the cache shared by all.
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <vector>
#include <mutex>

#include <unistd.h>

#include "leptonica_setup.h"
#include "picture_cleanup.h"
#include "ocr_cache.h"
#include "sendguard/common/digest.h"
#include "sendguard/common/text.h"
#include "sendguard/ocr/ocr.h"

namespace sendguard::ocr {

namespace {


struct ApiEnd {
  void operator()(tesseract::TessBaseAPI* api) const {
    api->End();
    delete api;
  }
};
using ApiPtr = std::unique_ptr<tesseract::TessBaseAPI, ApiEnd>;

// This thread's engine for `settings`, made at first use; null when Tesseract cannot start.
tesseract::TessBaseAPI* EngineFor(const Settings& settings, std::string* why) {
  thread_local std::map<std::string, ApiPtr> engines;
  thread_local std::map<std::string, std::string> failures;
  const std::string id = settings.tessdata_dir + "|" + settings.languages;
  if (auto it = engines.find(id); it != engines.end()) return it->second.get();
  if (auto it = failures.find(id); it != failures.end()) {
    *why = it->second;
    return nullptr;
  }
  // Tesseract starts without a language it cannot find when another is there: refuse instead.
  if (!LanguagesAvailable(settings, why)) {
    failures[id] = *why;
    return nullptr;
  }
  ApiPtr api(new tesseract::TessBaseAPI);
  // Tesseract's own chatter (resolution estimates, empty pages) goes nowhere.
  api->SetVariable("debug_file", "/dev/null");
  const char* dir = settings.tessdata_dir.empty() ? nullptr : settings.tessdata_dir.c_str();
  if (api->Init(dir, settings.languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    failures[id] = *why = "Tesseract could not load the languages '" + settings.languages + "'";
    return nullptr;
  }
  return (engines[id] = std::move(api)).get();
}

// One pass of Tesseract over the image set on `api`, in page segmentation mode `mode`, until
// `deadline`; false when the deadline cut it short.
bool Pass(tesseract::TessBaseAPI* api, tesseract::PageSegMode mode, std::chrono::steady_clock::time_point deadline,
          std::string* text, int* confidence) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  api->SetPageSegMode(mode);
  tesseract::ETEXT_DESC monitor;
  monitor.set_deadline_msecs(static_cast<int32_t>(std::max<int64_t>(1, left.count())));
  if (api->Recognize(&monitor) != 0 || monitor.deadline_exceeded()) return false;
  // (Asking for the text of a cut-short pass would run the whole recognition again without a deadline.)
  std::unique_ptr<char[]> utf8(api->GetUTF8Text());
  *text = common::RepairUtf8(utf8 ? std::string_view(utf8.get()) : std::string_view());
  *confidence = std::max(0, api->MeanTextConf());
  return true;
}

// Tesseract's own layout analysis (PSM_AUTO) reads text as blocks and lines, which keeps a
// label beside its value; but on a grid (a spreadsheet, a form of boxes) it can take each
// column, even each group of a spaced number, for a block of its own, and on a noisy picture
// it drops what it is unsure of. A second pass in sparse-text mode reads every piece of text
// on its own; its text follows the first's. Measured on the generator's documents (docs/
// PERFORMANCE.md, "OCR"): the second pass takes recall on clean renders from 88-96% to
// 96-97% for half as much time again. Both passes share the one time limit.
Reading Read(const Settings& settings, PIX* grey, int dpi, std::chrono::milliseconds budget) {
  Reading r;
  std::string why;
  tesseract::TessBaseAPI* api = EngineFor(settings, &why);
  if (api == nullptr) {
    r.stopped = "engine";
    r.detail = why;
    return r;
  }
  const auto deadline = std::chrono::steady_clock::now() + budget;
  api->SetImage(grey);
  api->SetSourceResolution(dpi);
  bool whole = Pass(api, tesseract::PSM_AUTO, deadline, &r.text, &r.confidence);
  if (whole) {
    std::string sparse;
    int confidence = 0;
    whole = Pass(api, tesseract::PSM_SPARSE_TEXT, deadline, &sparse, &confidence);
    r.text += "\n\f\n" + sparse;
  }
  api->Clear();
  if (!whole) {
    r = Reading{};
    r.stopped = "time";
    r.detail = "recognition stopped after " + std::to_string(budget.count()) + " ms";
    return r;
  }
  return r;
}

// Page `page` of an image file, decoded.
PixPtr Decode(std::string_view bytes, const ImageInfo& info, int page) {
  if (info.format == "tiff") return PixPtr(pixReadMemTiff(LeptBytes(bytes), bytes.size(), page));
  return PixPtr(pixReadMem(LeptBytes(bytes), bytes.size()));
}

}  // namespace

struct Recognizer::Impl {
  explicit Impl(uint64_t cache_bytes) : cache(cache_bytes) {}
  OcrCache cache;
};

std::shared_ptr<Recognizer> Recognizer::Shared(const Settings& settings) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<Recognizer>> all;
  std::lock_guard lock(mu);
  auto& r = all[settings.tessdata_dir + "|" + settings.languages + "|" + std::to_string(settings.cache_bytes)];
  if (!r) r = std::make_shared<Recognizer>(settings);
  return r;
}

Recognizer::Recognizer(Settings settings)
    : settings_(std::move(settings)), impl_(std::make_unique<Impl>(settings_.cache_bytes)) {
  QuietLeptonica();
}

Recognizer::~Recognizer() = default;

std::string Recognizer::KeyOf(std::string_view bytes, std::string_view detail) {
  common::Sha256 sha;
  sha.Update(bytes);
  return sha.HexDigest() + " " + std::string(detail);
}

bool Recognizer::Cached(const std::string& key, Reading* out) {
  Reading r;
  if (!impl_->cache.Get(key, &r.text, &r.confidence)) return false;
  r.cached = true;
  *out = std::move(r);
  return true;
}

Reading Recognizer::RecognizeFile(std::string_view bytes, int page, uint64_t max_pixels, std::chrono::milliseconds budget) {
  Reading r;
  ImageInfo info = Probe(bytes, 1);
  if (!info.known) {
    r.stopped = "decode";
    r.detail = "not an image leptonica reads";
    return r;
  }
  if (info.format == "tiff" && page > 0) {
    l_int32 w = 0, h = 0, bps, spp, res, cmap, format;
    if (readHeaderMemTiff(LeptBytes(bytes), bytes.size(), page, &w, &h, &bps, &spp, &res, &cmap, &format) != 0) {
      r.stopped = "decode";
      r.detail = "TIFF page " + std::to_string(page + 1) + " has no readable header";
      return r;
    }
    info.width = w;
    info.height = h;
  }
  const uint64_t pixels = static_cast<uint64_t>(info.width) * static_cast<uint64_t>(info.height);
  if (pixels > max_pixels) {
    r.stopped = "pixels";
    r.detail = std::to_string(info.width) + " x " + std::to_string(info.height) + " pixels, over the limit of " +
               std::to_string(max_pixels);
    return r;
  }
  // The limits first, the cache after: the same message is read the same way whatever the
  // cache holds.
  const std::string key = KeyOf(bytes, "page " + std::to_string(page));
  if (Cached(key, &r)) return r;
  PixPtr pix = Decode(bytes, info, page);
  if (!pix) {
    r.stopped = "decode";
    r.detail = info.format + " image could not be decoded";
    return r;
  }
  int dpi = 300;
  PixPtr grey = Prepare(pix.get(), max_pixels, &dpi);
  if (!grey) {
    r.stopped = "decode";
    r.detail = info.format + " image could not be converted to grey";
    return r;
  }
  r = Read(settings_, grey.get(), dpi, budget);
  if (r.stopped.empty()) impl_->cache.Put(key, r.text, r.confidence);
  return r;
}

Reading Recognizer::RecognizeGrey(const std::string& key, const GreyRaster& raster, std::chrono::milliseconds budget) {
  Reading r;
  if (Cached(key, &r)) return r;
  PixPtr pix(pixCreateNoInit(raster.width, raster.height, 8));
  if (!pix) {
    r.stopped = "decode";
    r.detail = "no memory for a " + std::to_string(raster.width) + " x " + std::to_string(raster.height) + " page";
    return r;
  }
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < raster.height; ++y) {
    const uint8_t* row = raster.pixels + static_cast<size_t>(y) * static_cast<size_t>(raster.stride);
    l_uint32* line = data + static_cast<size_t>(y) * static_cast<size_t>(wpl);
    for (int x = 0; x < raster.width; ++x) SET_DATA_BYTE(line, x, row[x]);
  }
  pixSetResolution(pix.get(), raster.dpi, raster.dpi);
  pix = Clean(std::move(pix), false, raster.dpi > 0 ? raster.dpi : 300);
  r = Read(settings_, pix.get(), raster.dpi > 0 ? raster.dpi : 300, budget);
  if (r.stopped.empty()) impl_->cache.Put(key, r.text, r.confidence);
  return r;
}

void LimitOpenMpThreads(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  ::setenv("OMP_THREAD_LIMIT", "1", 1);
  ::execv("/proc/self/exe", argv);  // returns only when it failed: carry on as we are
}

bool LanguagesAvailable(const Settings& settings, std::string* why) {
  std::string dir = settings.tessdata_dir;
  if (dir.empty()) {
    const char* env = std::getenv("TESSDATA_PREFIX");
    dir = env != nullptr ? env : "/usr/share/tesseract-ocr/5/tessdata";
  }
  for (const auto& lang : common::Split(settings.languages, '+')) {
    if (lang.empty() || !std::filesystem::exists(std::filesystem::path(dir) / (std::string(lang) + ".traineddata"))) {
      *why = "no " + std::string(lang) + ".traineddata in " + dir + " (Debian: apt-get install tesseract-ocr-" +
             std::string(lang) + ")";
      return false;
    }
  }
  return true;
}

}  // namespace sendguard::ocr

