// SPDX-License-Identifier: Apache-2.0
// Text normalisation before the scan: what folds and drops, that offsets map back to the
// original text, and that feeding in pieces gives the same text as one call.
#include <gtest/gtest.h>

#include "text_normalize.h"

namespace sendguard::scanner {
namespace {

std::string Normalized(std::string_view in, OffsetMap* map) {
  std::string out;
  EXPECT_EQ(NormalizeAppend(in, 0, true, &out, map), in.size());
  return out;
}

TEST(NormalizeTest, FoldsDigitsSpacesDashesAndDropsFormatCharacters) {
  OffsetMap map;
  // Full-width, Arabic-Indic and Devanagari digits; zero-width space, word joiner, BOM, soft hyphen.
  EXPECT_EQ(Normalized("\xEF\xBC\x96\xEF\xBC\x91\xEF\xBC\x97", &map), "617");
  EXPECT_EQ(Normalized("\xD9\xA6\xD9\xA1\xD9\xA7 \xE0\xA5\xA6\xE0\xA5\xA8", &map), "617 02");
  EXPECT_EQ(Normalized("61\xE2\x80\x8B" "7\xE2\x81\xA0" "0\xEF\xBB\xBF" "2\xC2\xAD" "9", &map), "61702" "9");
  EXPECT_EQ(Normalized("029\xC2\xA0" "4736\xE2\x80\x91" "1", &map), "029 4736-1");
  // Letters of other scripts are left alone.
  EXPECT_EQ(Normalized("Caf\xC3\xA9 \xCE\xB1", &map), "Caf\xC3\xA9 \xCE\xB1");
  // Bytes that are not UTF-8 pass through.
  EXPECT_EQ(Normalized("a\xFF" "b\xE2\x80", &map), "a\xFF" "b\xE2\x80");
}

TEST(NormalizeTest, OffsetsMapBackToTheOriginal) {
  std::string in = "NHS \xEF\xBC\x96" "1\xE2\x80\x8B" "7 end";
  OffsetMap map;
  std::string out = Normalized(in, &map);
  ASSERT_EQ(out, "NHS 617 end");
  EXPECT_EQ(map.ToOriginal(0), 0u);
  EXPECT_EQ(map.ToOriginal(4), 4u);   // the full-width 6 starts at 4
  EXPECT_EQ(map.ToOriginal(5), 7u);   // '1' follows its three bytes
  EXPECT_EQ(map.ToOriginal(6), 11u);  // '7' follows the dropped zero-width space
  EXPECT_EQ(map.ToOriginal(8), in.find("end"));
  OffsetMap none;
  EXPECT_EQ(Normalized("plain ascii", &none), "plain ascii");
  EXPECT_TRUE(none.empty());
}

TEST(NormalizeTest, PiecesGiveTheSameTextAsOneCall) {
  std::string in = "a\xEF\xBC\x96\xE2\x80\x8B\xD9\xA1z\xC3\xA9\xF0\x9D\x9F\x8E!";
  OffsetMap whole_map;
  std::string whole = Normalized(in, &whole_map);
  for (size_t step = 1; step <= 4; ++step) {
    std::string out, carry;
    OffsetMap map;
    uint64_t fed = 0;
    for (size_t pos = 0; pos < in.size(); pos += step) {
      std::string data = carry + in.substr(pos, step);
      size_t used = NormalizeAppend(data, fed, false, &out, &map);
      fed += used;
      carry = data.substr(used);
    }
    NormalizeAppend(carry, fed, true, &out, &map);
    EXPECT_EQ(out, whole) << step;
    for (size_t i = 0; i <= out.size(); ++i) EXPECT_EQ(map.ToOriginal(i), whole_map.ToOriginal(i)) << step << " " << i;
  }
}

// FirstFold (which lets the scanner skip the copy) agrees with NormalizeAppend: the offset
// of the first change, or the size when nothing changes; the fast paths (eight ASCII bytes
// at a time, code points below U+034F) fold exactly as the full tests.
TEST(NormalizeTest, FirstFoldFindsTheFirstChange) {
  EXPECT_EQ(FirstFold("plain ascii, long enough for whole words"), 40u);
  EXPECT_EQ(FirstFold("Caf\xC3\xA9 \xCE\xB1 \xE2\x80\x99 a\xFF" "b\xE2\x80"), 18u);
  EXPECT_EQ(FirstFold("twelve bytes\xC2\xA0" "x"), 12u);
  EXPECT_EQ(FirstFold("Caf\xC3\xA9 soft\xC2\xAD" "hyphen"), 10u);
  EXPECT_EQ(FirstFold("\xC2\x85"), 0u);
  for (uint32_t cp = 0x80; cp < 0x800; ++cp) {
    std::string in = "0123456789abcdef";
    in.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    in.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    OffsetMap map;
    std::string out = Normalized(in, &map);
    EXPECT_EQ(FirstFold(in) < in.size(), !map.empty()) << cp;
    EXPECT_EQ(map.empty(), out == in) << cp;
  }
}

}  // namespace
}  // namespace sendguard::scanner
