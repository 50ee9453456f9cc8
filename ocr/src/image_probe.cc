// SPDX-License-Identifier: Apache-2.0
// Probe: an image file's format, size and TIFF page count from its headers, nothing decoded.
// GIF's size is read here, not by leptonica, whose GIF header reader decodes the image (a
// decompression bomb would be decoded before its size was known): every frame's, since a frame
// may be larger than the screen the header states.
#include <leptonica/allheaders.h>

#include <algorithm>
#include <mutex>

#include "leptonica_setup.h"
#include "sendguard/ocr/ocr.h"

namespace sendguard::ocr {

void QuietLeptonica() {
  static std::once_flag once;
  std::call_once(once, [] { setMsgSeverity(L_SEVERITY_NONE); });
}

namespace {

const char* FormatName(l_int32 format) {
  switch (format) {
    case IFF_BMP: return "bmp";
    case IFF_JFIF_JPEG: return "jpeg";
    case IFF_PNG: return "png";
    case IFF_PNM: return "pnm";
    case IFF_GIF: return "gif";
    case IFF_JP2: return "jp2";
    case IFF_WEBP: return "webp";
    default: return L_FORMAT_IS_TIFF(format) ? "tiff" : nullptr;
  }
}

int Le16(std::string_view s, size_t at) {
  return static_cast<unsigned char>(s[at]) | (static_cast<unsigned char>(s[at + 1]) << 8);
}

// A GIF's size: the largest of its logical screen and of every frame's image descriptor
// (giflib decodes a frame at its own size, which may exceed the screen it claims).
void GifSize(std::string_view s, int* width, int* height) {
  *width = Le16(s, 6);
  *height = Le16(s, 8);
  size_t at = 13;
  const unsigned flags = static_cast<unsigned char>(s[10]);
  if (flags & 0x80) at += 3u << ((flags & 7) + 1);
  auto skip_blocks = [&]() {
    while (at < s.size()) {
      const size_t n = static_cast<unsigned char>(s[at++]);
      if (n == 0) return;
      at += n;
    }
  };
  while (at < s.size()) {
    const unsigned char kind = static_cast<unsigned char>(s[at++]);
    if (kind == 0x21) {  // extension: its label, then data blocks
      ++at;
      skip_blocks();
    } else if (kind == 0x2C && at + 9 <= s.size()) {  // an image descriptor
      *width = std::max(*width, Le16(s, at + 4));
      *height = std::max(*height, Le16(s, at + 6));
      const unsigned local = static_cast<unsigned char>(s[at + 8]);
      at += 9;
      if (local & 0x80) at += 3u << ((local & 7) + 1);
      ++at;  // LZW minimum code size
      skip_blocks();
    } else {
      return;  // the trailer, or not GIF any more
    }
  }
}

}  // namespace

ImageInfo Probe(std::string_view bytes, int count_pages_up_to) {
  QuietLeptonica();
  ImageInfo info;
  if (bytes.size() < 12) return info;
  l_int32 format = IFF_UNKNOWN;
  if (findFileFormatBuffer(LeptBytes(bytes), &format) != 0) return info;
  const char* name = FormatName(format);
  if (name == nullptr) return info;
  info.format = name;
  if (format == IFF_GIF) {
    GifSize(bytes, &info.width, &info.height);
    info.known = info.width > 0 && info.height > 0;
    return info;
  }
  l_int32 f = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
  if (pixReadHeaderMem(LeptBytes(bytes), bytes.size(), &f, &w, &h, &bps, &spp, &cmap) != 0 || w <= 0 || h <= 0) return info;
  info.width = w;
  info.height = h;
  info.known = true;
  if (info.format == "tiff") {
    int pages = 1;
    l_int32 pw, ph, pbps, pspp, pres, pcmap, pformat;
    while (pages < count_pages_up_to &&
           readHeaderMemTiff(LeptBytes(bytes), bytes.size(), pages, &pw, &ph, &pbps, &pspp, &pres, &pcmap, &pformat) == 0) {
      ++pages;
    }
    info.pages = pages;
  }
  return info;
}

}  // namespace sendguard::ocr
