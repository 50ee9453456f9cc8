// SPDX-License-Identifier: Apache-2.0
// DigitReadings: which misread letters become digits, and which words are left alone.
#include "sendguard/ocr/ocr_digits.h"

#include <gtest/gtest.h>

namespace sendguard::ocr {
namespace {

TEST(OcrDigitsTest, TheConfusedPairs) {
  EXPECT_EQ(ConfusedDigit('O'), '0');
  EXPECT_EQ(ConfusedDigit('o'), '0');
  EXPECT_EQ(ConfusedDigit('l'), '1');
  EXPECT_EQ(ConfusedDigit('I'), '1');
  EXPECT_EQ(ConfusedDigit('|'), '1');
  EXPECT_EQ(ConfusedDigit('S'), '5');
  EXPECT_EQ(ConfusedDigit('B'), '8');
  EXPECT_EQ(ConfusedDigit('Z'), '2');
  EXPECT_EQ(ConfusedDigit('A'), 0);
  EXPECT_EQ(ConfusedDigit('7'), 0);
}

TEST(OcrDigitsTest, NumberLikeTokensAreReadAsDigits) {
  EXPECT_EQ(DigitReadings("NHS No: 943 476 59l9"), "NHS No: 943 476 5919");
  EXPECT_EQ(DigitReadings("Sort code 2O-l2-34"), "Sort code 20-12-34");
  // (and, eight digits long, once more with its first digit read as a letter)
  EXPECT_EQ(DigitReadings("Account 1234S67B"), "Account 12345678\nAccount I2345678");
  // A group of misread letters only, between two number groups.
  EXPECT_EQ(DigitReadings("943 OOS 5919"), "943 005 5919");
}

TEST(OcrDigitsTest, WordsAndIdentifiersWithLettersAreLeftAlone) {
  EXPECT_EQ(DigitReadings("Dear Mrs Bolton, I enclose the form."), "");
  EXPECT_EQ(DigitReadings("NI number QQ 12 34 56 C"), "");  // every token with a digit is all digits
  EXPECT_EQ(DigitReadings("Postcode SW1A 1AA"), "");        // W and A are no digit
  EXPECT_EQ(DigitReadings("IS 12"), "");                    // a word before a number, not between two
}

TEST(OcrDigitsTest, DigitRunsInsideTokensWithLetters) {
  EXPECT_EQ(DigitReadings("NI JHO30828D"), "NI JH030828D");   // the suffix D stays a letter
  EXPECT_EQ(DigitReadings("UPN E5l0322632O32"), "UPN E510322632032");
  EXPECT_EQ(DigitReadings("Ref ABSO12"), "");                 // too few digits to be a number
}

TEST(OcrDigitsTest, AVeryLongLineIsReadWithoutRecursingOnTheStack) {
  // std::regex recursed once per character: 30,000 digits overflowed an 8 MB stack.
  const std::string digits(100000, '1');
  EXPECT_EQ(DigitReadings(digits + "O"), digits + "0");
  std::string boxes;
  for (int i = 0; i < 30000; ++i) boxes += " |a";
  EXPECT_EQ(DigitReadings(boxes), "");
}

TEST(OcrDigitsTest, CharactersInBoxesAreJoined) {
  EXPECT_EQ(DigitReadings("Account number |9|o|3|3|7|4|7|4|"), "Account number 90337474 ");
  EXPECT_EQ(DigitReadings("NHS [4]0[1]5"), "NHS 4015 ");
  EXPECT_EQ(DigitReadings("NI number J H 8 0 7 7 2 3 (D,"), "NI number JH807723D ");
  EXPECT_EQ(DigitReadings("a | b | c"), "");  // three single characters are no box row
}

TEST(OcrDigitsTest, ColonsForDashesAndLettersReadAsDigits) {
  EXPECT_EQ(DigitReadings("Sort code 85:74:68"), "Sort code 85:74:68\nSort code 85-74-68");
  EXPECT_EQ(DigitReadings("UPN 2424682359299 Robinson"), "UPN 2424682359299 Robinson\nUPN Z424682359299 Robinson");
  EXPECT_EQ(DigitReadings("Order 12345"), "");   // too short to be a reference with a letter
  EXPECT_EQ(DigitReadings("Ref 94347659"), "");  // 9 is no letter's look-alike
}

TEST(OcrDigitsTest, TheWholeTextAgainWhenALineReadsDifferently) {
  EXPECT_EQ(DigitReadings("Name: A Person\nNHS 943 476 S919\nDOB 01/02/1980\nRef 4O7"),
            "Name: A Person\nNHS 943 476 5919\nDOB 01/02/1980\nRef 407");
  EXPECT_EQ(DigitReadings("Sort code 85:74:68\nAccount 44409185"), "Sort code 85:74:68\nSort code 85-74-68\nAccount 44409185");
  EXPECT_EQ(DigitReadings("Nothing to read again\nhere"), "");
  EXPECT_EQ(DigitReadings(""), "");
}

}  // namespace
}  // namespace sendguard::ocr
