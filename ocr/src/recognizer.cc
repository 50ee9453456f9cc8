// SPDX-License-Identifier: Apache-2.0
// The Recognizer: leptonica decodes and prepares (alpha over white, grey, small text scaled
// up), Tesseract reads within a deadline. One Tesseract engine per thread and language set
// (an engine is not thread-safe and costs a second to load), the cache shared by all.
#include <leptonica/allheaders.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <vector>
#include <mutex>

#include <unistd.h>

#include "leptonica_setup.h"
#include "ocr_cache.h"
#include "sendguard/common/digest.h"
#include "sendguard/common/text.h"
#include "sendguard/ocr/ocr.h"

namespace sendguard::ocr {

namespace {

std::atomic<uint64_t> g_recognised{0};
std::atomic<uint64_t> g_cache_hits{0};

struct PixFree {
  void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixFree>;

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

// The ticks of a comb (the row of part-boxes a form has characters written in, one to each)
// are read as '(', ',' or '|' among the digits, and on a clean print the comb's own line is
// often too faint to survive the threshold. Added to `mask`: thin, short upright marks with
// nothing above them (an 'i' has its dot), three or more standing on one line.
void RemoveTicks(PIX* binary, PIX* mask) {
  PixPtr rest(pixSubtract(nullptr, binary, mask));
  if (!rest) return;
  const int h = pixGetHeight(binary);
  const int max_width = std::max(3, h / 500), max_height = std::max(8, h / 60);
  BOXA* boxes = pixConnCompBB(rest.get(), 8);
  if (boxes == nullptr) return;
  struct Mark {
    int x, y, w, h;
  };
  std::vector<Mark> thin;
  for (int i = 0; i < boxaGetCount(boxes); ++i) {
    l_int32 x, y, w, bh;
    if (boxaGetBoxGeometry(boxes, i, &x, &y, &w, &bh) == 0 && w <= max_width && bh <= max_height) thin.push_back({x, y, w, bh});
  }
  boxaDestroy(&boxes);
  // A mark the threshold broke in two (a gap of a pixel or two) is one mark.
  std::sort(thin.begin(), thin.end(), [](const Mark& a, const Mark& b) { return a.x != b.x ? a.x < b.x : a.y < b.y; });
  std::vector<Mark> joined;
  for (const Mark& m : thin) {
    Mark* last = joined.empty() ? nullptr : &joined.back();
    if (last != nullptr && std::abs(last->x - m.x) <= 2 && m.y - (last->y + last->h) <= 3 && m.y >= last->y) {
      const int bottom = std::max(last->y + last->h, m.y + m.h);
      last->w = std::max(last->w, m.w);
      last->h = bottom - last->y;
    } else {
      joined.push_back(m);
    }
  }
  std::vector<Mark> marks;
  for (const Mark& m : joined) {
    if (m.h > max_height || m.h < 2 * m.w) continue;
    bool above = false;  // anything (a dot, a letter) a little above the mark: then it is an 'i'
    for (int yy = std::max(0, m.y - m.h); yy < m.y - 3 && !above; ++yy) {
      for (int xx = m.x; xx < m.x + m.w && !above; ++xx) {
        l_uint32 v = 0;
        pixGetPixel(rest.get(), xx, yy, &v);
        above = v != 0;
      }
    }
    if (!above) marks.push_back(m);
  }
  // Ticks stand on one line at one pitch: three or more with their feet level and equal gaps
  // (an 'l' or an 'I' in running text is not spaced like a ruler).
  std::sort(marks.begin(), marks.end(), [](const Mark& a, const Mark& b) { return a.y + a.h < b.y + b.h; });
  auto remove = [&](const Mark& m) {
    BOX* box = boxCreate(m.x, m.y, m.w, m.h);
    pixSetInRect(mask, box);
    boxDestroy(&box);
  };
  for (size_t i = 0; i < marks.size();) {
    size_t j = i;
    while (j < marks.size() && marks[j].y + marks[j].h - (marks[i].y + marks[i].h) <= 3) ++j;
    std::vector<Mark> level(marks.begin() + static_cast<long>(i), marks.begin() + static_cast<long>(j));
    std::sort(level.begin(), level.end(), [](const Mark& a, const Mark& b) { return a.x < b.x; });
    size_t run = 0;  // start of the current equally spaced run
    for (size_t k = 1; k <= level.size(); ++k) {
      const bool continues = k < level.size() && k - run >= 1 &&
                             level[k].x - level[k - 1].x >= 3 * level[k].h / 2 &&
                             (k - run < 2 || std::abs((level[k].x - level[k - 1].x) - (level[k - 1].x - level[k - 2].x)) <= 3);
      if (!continues) {
        if (k - run >= 3) {
          for (size_t q = run; q < k; ++q) remove(level[q]);
        }
        run = k < level.size() && k > 0 && level[k].x - level[k - 1].x >= 3 * level[k].h / 2 ? k - 1 : k;
      }
    }
    i = j;
  }
}

// What a scan or a screenshot adds that Tesseract reads badly, taken away: the page's tilt
// (a sheet fed askew, a phone photo) straightened, and the ruled lines of forms and
// spreadsheet grids whitened out (long thin runs of a local threshold, found by
// morphological opening), which would otherwise join cells and characters into shapes
// Tesseract cannot lay out. The grey picture stays grey: Tesseract thresholds it itself.
PixPtr Clean(PixPtr grey, bool bilevel, int dpi) {
  if (PixPtr straight{pixDeskew(grey.get(), 0)}) grey = std::move(straight);
  // The background (grey paper, uneven light, a screen's grey bars and faint grid) evened out
  // to about 200 and stretched to white, ink to black. A black-and-white scan has none.
  if (!bilevel) {
    if (PixPtr even{pixBackgroundNormSimple(grey.get(), nullptr, nullptr)}) {
      grey.reset(pixGammaTRC(nullptr, even.get(), 1.0f, 60, 190));
    }
  }
  PIX* binary = nullptr;
  if (pixSauvolaBinarizeTiled(grey.get(), 15, 0.30f, 1, 1, nullptr, &binary) != 0 || binary == nullptr) return grey;
  PixPtr bin(binary);
  const int w = pixGetWidth(bin.get()), h = pixGetHeight(bin.get());
  // A ruled line is longer than any character: a third of an inch at least (a 24 pt capital is
  // a quarter), and a twenty-fifth of the page.
  const int shortest = std::max(40, dpi / 3);
  PixPtr across(pixOpenBrick(nullptr, bin.get(), std::max(shortest, w / 25), 1));
  PixPtr down(pixOpenBrick(nullptr, bin.get(), 1, std::max(shortest, h / 25)));
  if (across && down) {
    // Widened across each line only (a character touching a line keeps its strokes).
    pixDilateBrick(across.get(), across.get(), 1, 3);
    pixDilateBrick(down.get(), down.get(), 3, 1);
    pixOr(across.get(), across.get(), down.get());
    RemoveTicks(bin.get(), across.get());
    pixSetMasked(grey.get(), across.get(), 255);
  }
  return grey;
}

// 8-bit grey, transparency over white, text small on the page scaled up: Tesseract reads
// best when a capital letter is 20-30 pixels tall, as at 300 dpi. A resolution below 200
// dpi (a screenshot says 72 or 96, a fax 100-200) is scaled towards 300, at most x3, within
// `max_pixels`. `*dpi` is the resolution to tell Tesseract.
PixPtr Prepare(PIX* pix, uint64_t max_pixels, int* dpi) {
  PixPtr base(pixClone(pix));
  if (pixGetSpp(pix) == 4) base.reset(pixAlphaBlendUniform(pix, 0xffffff00));
  if (!base) return nullptr;
  PixPtr grey(pixConvertTo8(base.get(), 0));
  if (!grey) return nullptr;
  int res = pixGetXRes(pix);
  if (res < 50 || res > 2400) res = 0;  // unknown or nonsense
  float scale = 1.0f;
  if (res == 0 && pixGetWidth(grey.get()) <= 2000) scale = 2.0f;  // a screenshot or a photo crop
  if (res > 0 && res < 200) scale = std::min(3.0f, 300.0f / static_cast<float>(res));
  const double scaled = static_cast<double>(pixGetWidth(grey.get())) * pixGetHeight(grey.get()) * scale * scale;
  if (scale > 1.0f && scaled <= static_cast<double>(max_pixels)) {
    PixPtr up(pixScaleGrayLI(grey.get(), scale, scale));
    if (up) grey = std::move(up);
  } else {
    scale = 1.0f;
  }
  *dpi = res == 0 ? 300 : std::clamp(static_cast<int>(res * scale), 70, 2400);
  return Clean(std::move(grey), pixGetDepth(pix) == 1, *dpi);
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
  ++g_recognised;
  return r;
}

const l_uint8* Bytes(std::string_view s) { return reinterpret_cast<const l_uint8*>(s.data()); }

// Page `page` of an image file, decoded.
PixPtr Decode(std::string_view bytes, const ImageInfo& info, int page) {
  if (info.format == "tiff") return PixPtr(pixReadMemTiff(Bytes(bytes), bytes.size(), page));
  return PixPtr(pixReadMem(Bytes(bytes), bytes.size()));
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
  ++g_cache_hits;
  *out = std::move(r);
  return true;
}

Reading Recognizer::RecognizeFile(std::string_view bytes, int page, uint64_t max_pixels, std::chrono::milliseconds budget) {
  const std::string key = KeyOf(bytes, "page " + std::to_string(page));
  Reading r;
  if (Cached(key, &r)) return r;
  ImageInfo info = Probe(bytes, 1);
  if (!info.known) {
    r.stopped = "decode";
    r.detail = "not an image leptonica reads";
    return r;
  }
  if (info.format == "tiff" && page > 0) {
    l_int32 w = 0, h = 0, bps, spp, res, cmap, format;
    if (readHeaderMemTiff(Bytes(bytes), bytes.size(), page, &w, &h, &bps, &spp, &res, &cmap, &format) != 0) {
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

Counters Recognizer::Totals() {
  Counters c;
  c.recognised = g_recognised.load();
  c.cache_hits = g_cache_hits.load();
  return c;
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

