// SPDX-License-Identifier: Apache-2.0
// Preparing a picture for Tesseract (picture_cleanup.h), with leptonica's image operations.
#include "picture_cleanup.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace sendguard::ocr {

namespace {

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

}  // namespace

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
      if (PixPtr stretched{pixGammaTRC(nullptr, even.get(), 1.0f, 60, 190)}) grey = std::move(stretched);
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
// The most pixels a picture is prepared and read at: an A4 page at 400 dpi. A larger one (a
// 48-megapixel phone photo) is scaled down to it rather than refused: the cleaning steps and
// Tesseract's layout analysis run outside the time limit, and their time and memory grow with
// the pixels (a 40-megapixel picture of noise took 6 s and 600 MB).
constexpr double kWorkingPixels = 16e6;

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
  const double pixels = static_cast<double>(pixGetWidth(grey.get())) * pixGetHeight(grey.get());
  const double limit = std::min(kWorkingPixels, static_cast<double>(max_pixels));
  if (scale > 1.0f && pixels * scale * scale <= limit) {
    PixPtr up(pixScaleGrayLI(grey.get(), scale, scale));
    if (up) grey = std::move(up);
  } else if (pixels > limit) {
    scale = static_cast<float>(std::sqrt(limit / pixels));
    PixPtr down(pixScaleAreaMap(grey.get(), scale, scale));
    if (!down) return nullptr;
    grey = std::move(down);
  } else {
    scale = 1.0f;
  }
  *dpi = res == 0 ? 300 : std::clamp(static_cast<int>(res * scale), 70, 2400);
  return Clean(std::move(grey), pixGetDepth(pix) == 1, *dpi);
}

}  // namespace sendguard::ocr
