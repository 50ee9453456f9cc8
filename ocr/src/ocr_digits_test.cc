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
  EXPECT_EQ(DigitReadings("Account 1234S67B"), "Account 12345678");
  // A group of misread letters only, between two number groups.
  EXPECT_EQ(DigitReadings("943 OOS 5919"), "943 005 5919");
}

TEST(OcrDigitsTest, WordsAndIdentifiersWithLettersAreLeftAlone) {
  EXPECT_EQ(DigitReadings("Dear Mrs Bolton, I enclose the form."), "");
  EXPECT_EQ(DigitReadings("NI number QQ 12 34 56 C"), "");  // every token with a digit is all digits
  EXPECT_EQ(DigitReadings("Postcode SW1A 1AA"), "");        // W and A are no digit
  EXPECT_EQ(DigitReadings("IS 12"), "");                    // a word before a number, not between two
}

TEST(OcrDigitsTest, OnlyTheLinesThatChangeAreGiven) {
  EXPECT_EQ(DigitReadings("Name: A Person\nNHS 943 476 S919\nDOB 01/02/1980\nRef 4O7"), "NHS 943 476 5919\nRef 407");
  EXPECT_EQ(DigitReadings(""), "");
}

}  // namespace
}  // namespace sendguard::ocr
