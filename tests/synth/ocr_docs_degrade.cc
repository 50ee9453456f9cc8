// SPDX-License-Identifier: Apache-2.0
// The scanned or photographed look for the OCR corpus (ocr_docs_internal.h): a small skew, a
// grey and unevenly lit page with less contrast, a lid shadow at one edge, optical blur and
// sensor noise. Every random choice comes from the caller's Rng.
#include <leptonica/allheaders.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "ocr_docs_internal.h"

namespace sendguard::synth::ocr {

namespace {

struct Grey {
  int w = 0, h = 0;
  std::vector<uint8_t> px;
  uint8_t& at(int x, int y) { return px[static_cast<size_t>(y) * static_cast<size_t>(w) + static_cast<size_t>(x)]; }
};

Grey FromPix(Pix* pix) {
  Grey g{static_cast<int>(pixGetWidth(pix)), static_cast<int>(pixGetHeight(pix)), {}};
  g.px.resize(static_cast<size_t>(g.w) * static_cast<size_t>(g.h));
  const l_uint32* data = pixGetData(pix);
  const int wpl = pixGetWpl(pix);
  for (int y = 0; y < g.h; ++y) {
    const l_uint32* line = data + static_cast<ptrdiff_t>(y) * wpl;
    for (int x = 0; x < g.w; ++x) g.at(x, y) = static_cast<uint8_t>(GET_DATA_BYTE(line, x));
  }
  return g;
}

PixPtr ToPix(Grey& g, int dpi) {
  PixPtr pix(pixCreate(g.w, g.h, 8));
  pixSetResolution(pix.get(), dpi, dpi);
  l_uint32* data = pixGetData(pix.get());
  const int wpl = pixGetWpl(pix.get());
  for (int y = 0; y < g.h; ++y) {
    l_uint32* line = data + static_cast<ptrdiff_t>(y) * wpl;
    for (int x = 0; x < g.w; ++x) SET_DATA_BYTE(line, x, g.at(x, y));
  }
  return pix;
}

uint8_t Clamp(double v) { return static_cast<uint8_t>(std::clamp(v, 0.0, 255.0)); }

// Grey paper lit from one side, ink that is not quite black, sometimes the lid's shadow.
void Light(Grey& g, Rng& r, bool shadow) {
  const double paper = r.Between(200, 238), ink = r.Between(18, 60);
  const double gx = r.Between(-25, 25), gy = r.Between(-25, 25), vignette = r.Between(0, 20);
  const int band = shadow ? g.w / 60 : 0;
  for (int y = 0; y < g.h; ++y) {
    const double fy = double(y) / g.h - 0.5;
    for (int x = 0; x < g.w; ++x) {
      const double fx = double(x) / g.w - 0.5;
      double light = paper + gx * fx + gy * fy - vignette * 4 * (fx * fx + fy * fy);
      if (x < band) light *= 0.5 + 0.5 * double(x) / band;
      uint8_t& v = g.at(x, y);
      v = Clamp(ink + (light - ink) * v / 255.0);
    }
  }
}

// A [1 2 1] blur across and down; `strength` 1 is all blurred, 0.5 half.
void Blur(Grey& g, double strength) {
  std::vector<uint8_t> tmp(g.px.size());
  auto idx = [&](int x, int y) { return static_cast<size_t>(y) * static_cast<size_t>(g.w) + static_cast<size_t>(x); };
  for (int y = 0; y < g.h; ++y) {
    for (int x = 0; x < g.w; ++x) {
      const int l = std::max(x - 1, 0), rr = std::min(x + 1, g.w - 1);
      tmp[idx(x, y)] = static_cast<uint8_t>((g.px[idx(l, y)] + 2 * g.px[idx(x, y)] + g.px[idx(rr, y)] + 2) / 4);
    }
  }
  for (int y = 0; y < g.h; ++y) {
    const int u = std::max(y - 1, 0), d = std::min(y + 1, g.h - 1);
    for (int x = 0; x < g.w; ++x) {
      const double b = (tmp[idx(x, u)] + 2 * tmp[idx(x, y)] + tmp[idx(x, d)]) / 4.0;
      g.px[idx(x, y)] = Clamp(strength * b + (1 - strength) * g.px[idx(x, y)] + 0.5);
    }
  }
}

// Gaussian sensor noise (the sum of four uniforms is close enough) and salt and pepper.
void Noise(Grey& g, Rng& r) {
  const double sigma = r.Between(4, 10);
  for (auto& v : g.px) {
    const uint64_t u = r.Next();
    const double sum = double(u & 0xffff) + double((u >> 16) & 0xffff) + double((u >> 32) & 0xffff) + double(u >> 48);
    v = Clamp(v + sigma * (sum - 131070.0) / 37837.0);
  }
  const size_t specks = g.px.size() * static_cast<size_t>(r.Between(5, 20)) / 10000;
  for (size_t i = 0; i < specks; ++i) {
    const uint64_t u = r.Next();
    g.px[static_cast<size_t>(u % g.px.size())] = (u >> 63) ? 255 : 20;
  }
}

}  // namespace

PixPtr Degrade(Pix* clean, Rng& r, bool photo) {
  int dpi = pixGetXRes(clean);
  PixPtr padded;
  Pix* in = clean;
  if (photo) {  // a phone takes in each screen pixel twice over, and room for the corners to turn into
    PixPtr larger(pixScale(clean, 2, 2));
    dpi *= 2;
    const double side = std::max(pixGetWidth(larger.get()), pixGetHeight(larger.get()));
    const int pad = static_cast<int>(std::ceil(side * std::sin(kMaxSkewDeg * std::numbers::pi / 180) / 2)) + 4;
    padded.reset(pixAddBorder(larger.get(), pad, 255));
    in = padded.get();
  }
  const double magnitude = r.Between(30, 300) / 100.0;
  const double deg = r.Chance(0.5) ? magnitude : -magnitude;
  const auto radians = static_cast<float>(deg * std::numbers::pi / 180);
  PixPtr rotated(pixRotate(in, radians, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0));
  Grey g = FromPix(rotated.get());
  Light(g, r, !photo && r.Chance(0.4));
  Blur(g, dpi >= 200 ? 1.0 : 0.5);
  Noise(g, r);
  return ToPix(g, dpi);
}

}  // namespace sendguard::synth::ocr
