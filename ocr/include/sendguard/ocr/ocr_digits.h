// SPDX-License-Identifier: Apache-2.0
// The one place that knows which letters OCR reads where a digit was printed. Tesseract, on a
// poor scan, reads 0 as O, o, D or Q; 1 as l, I, i or |; 5 as S or s; 8 as B; 2 as Z or z;
// 6 as G or b; 9 as g or q. DigitReadings gives a second reading of the lines where that may
// have happened; it never replaces the first. The scanner scans both, so a correction can
// only add a value the checksum then accepts or refuses: it cannot lose one, and a value
// that fails its check digit is still refused (recognition errors do not invent identifiers).
#pragma once

#include <string>
#include <string_view>

namespace sendguard::ocr {

// The digit a letter OCR confuses with one stands for, or 0 when it is not such a letter.
char ConfusedDigit(char c);

// `text` again with the confusable letters of number-like tokens read as digits, and the
// other readings below a line where they apply; "" when no line reads differently. A token (a run of
// letters, digits and '|') is number-like when it holds a digit and nothing but digits and
// confusable letters ("2O-l2-34" -> "20-12-34"), or when it is all confusable letters
// between two number-like tokens joined by a space, '-' or '/' ("943 OO6 5919"). Before that,
// characters written one to a box, which OCR reads apart or with the box edges as '|', '[',
// ']', '(', ')', ',' or ';', are joined (four or more single characters in a row):
// "|9|o|3|3|7|4|7|4|" -> "90337474", "J H 8 0 7 7 2 3 (D," -> "JH807723D". After it, two
// more readings of a line where they apply: pairs of digits joined by ':' or '.' read with
// '-' ("85:74:68" -> "85-74-68", a dash read as a colon), and a number of eight or more digits
// read with its first digit as the letter it is confused with (2 Z, 5 S, 8 B, 0 O, 6 G, 1 I:
// "2424682359299" -> "Z424682359299", a pupil number whose letter was read as a digit).
std::string DigitReadings(std::string_view text);

}  // namespace sendguard::ocr
