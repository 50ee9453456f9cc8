// SPDX-License-Identifier: Apache-2.0
// Fold table and the normalising copy (see text_normalize.h). The fold table lists the
// format (Cf) and other invisible characters, the Unicode spaces and dashes, every block
// of ten decimal digits (Nd) and the full-width ASCII forms.
#include "text_normalize.h"

#include <algorithm>
#include <cstring>

namespace sendguard::scanner {

namespace {

// First code point (the zero) of each run of ten Unicode decimal digits (general category Nd).
constexpr uint32_t kDigitZeros[] = {
    0x0660,  0x06F0,  0x07C0,  0x0966,  0x09E6,  0x0A66,  0x0AE6,  0x0B66,  0x0BE6,  0x0C66,  0x0CE6,  0x0D66,
    0x0DE6,  0x0E50,  0x0ED0,  0x0F20,  0x1040,  0x1090,  0x17E0,  0x1810,  0x1946,  0x19D0,  0x1A80,  0x1A90,
    0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,  0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730,
    0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0};

// Characters that show nothing (format characters, fillers, variation selectors): dropped.
bool Invisible(uint32_t cp) {
  return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 ||
         cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF9 && cp <= 0xFFFB) ||
         (cp >= 0x1D173 && cp <= 0x1D17A) || cp == 0xE0001 || (cp >= 0xE0020 && cp <= 0xE007F) ||
         (cp >= 0xE0100 && cp <= 0xE01EF);
}

bool Space(uint32_t cp) {
  return cp == 0x00A0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool Dash(uint32_t cp) {
  return (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE58 || cp == 0xFE63;
}

// Decodes the UTF-8 sequence at s[i]; returns its length (0: incomplete at the end of s,
// -1: not valid UTF-8) and the code point in *cp.
int DecodeUtf8At(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  int len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : -1;
  if (c >= 0xF5 || len < 0) return -1;
  uint32_t v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (int k = 1; k < len; ++k) {
    if (i + k >= s.size()) return 0;
    if ((b(i + k) & 0xC0) != 0x80) return -1;
    v = (v << 6) | (b(i + k) & 0x3F);
  }
  if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF)) return -1;
  *cp = v;
  return len;
}

}  // namespace

int FoldCodePoint(uint32_t cp) {
  if (cp < 0x80) return -1;
  // Latin-1 and the Latin, IPA and combining blocks below U+034F (most non-ASCII text in
  // mail) hold only these three; the tests below would say the same, more slowly.
  if (cp < 0x034F) return cp == 0x00AD ? 0 : cp == 0x00A0 ? ' ' : cp == 0x0085 ? '\n' : -1;
  if (Invisible(cp)) return 0;
  if (Space(cp)) return ' ';
  if (Dash(cp)) return '-';
  if (cp == 0x2028 || cp == 0x2029 || cp == 0x0085) return '\n';
  if (cp >= 0xFF01 && cp <= 0xFF5E) return static_cast<int>(cp - 0xFF01 + 0x21);  // full-width ASCII
  const uint32_t* z = std::upper_bound(std::begin(kDigitZeros), std::end(kDigitZeros), cp);
  if (z != std::begin(kDigitZeros) && cp - *(z - 1) < 10) return static_cast<int>('0' + (cp - *(z - 1)));
  return -1;
}

uint64_t OffsetMap::ToOriginal(uint64_t norm) const {
  auto it = std::upper_bound(points_.begin(), points_.end(), norm,
                             [](uint64_t v, const std::pair<uint64_t, uint64_t>& p) { return v < p.first; });
  if (it == points_.begin()) return norm;
  --it;
  return it->second + (norm - it->first);
}

namespace {
// The offset of the first non-ASCII byte of text[i, size), or size.
size_t SkipAscii(std::string_view text, size_t i) {
  const char* p = text.data();
  const size_t n = text.size();
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    std::memcpy(w, p + i, 32);
    if ((w[0] | w[1] | w[2] | w[3]) & kHigh) break;
  }
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & kHigh) break;
  }
  while (i < n && static_cast<unsigned char>(p[i]) < 0x80) ++i;
  return i;
}
}  // namespace

size_t FirstFold(std::string_view text) {
  size_t i = 0;
  while ((i = SkipAscii(text, i)) < text.size()) {
    uint32_t cp = 0;
    int len = DecodeUtf8At(text, i, &cp);
    if (len <= 0) {
      ++i;  // not UTF-8 (or cut short at the end): kept as it is
      continue;
    }
    if (FoldCodePoint(cp) >= 0) return i;
    i += static_cast<size_t>(len);
  }
  return text.size();
}

bool MayNeedNormalizing(std::string_view text) {
  const char* p = text.data();
  size_t n = text.size(), i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ull) return true;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(p[i]) >= 0x80) return true;
  }
  return false;
}

size_t NormalizeAppend(std::string_view text, uint64_t orig_base, bool final, std::string* out, OffsetMap* map) {
  size_t copied = 0;  // text[0, copied) is already in *out
  size_t i = 0;
  while ((i = SkipAscii(text, i)) < text.size()) {
    uint32_t cp = 0;
    int len = DecodeUtf8At(text, i, &cp);
    if (len == 0 && !final) break;  // the rest of this character comes with the next call
    if (len <= 0) {
      ++i;  // not UTF-8: kept as it is
      continue;
    }
    int fold = FoldCodePoint(cp);
    if (fold < 0) {
      i += static_cast<size_t>(len);
      continue;
    }
    out->append(text.substr(copied, i - copied));
    map->Add(out->size(), orig_base + i);
    if (fold > 0) out->push_back(static_cast<char>(fold));
    i += static_cast<size_t>(len);
    copied = i;
    map->Add(out->size(), orig_base + i);
  }
  out->append(text.substr(copied, i - copied));
  return i;
}

}  // namespace sendguard::scanner
