// SPDX-License-Identifier: Apache-2.0
// Validator tests with generated values: every valid value accepted, every single-character
// change rejected unless the independent checker in tests/synth says it is valid too.
#include "sendguard/scanner/validators.h"

#include <gtest/gtest.h>

#include "sendguard/synth/synth.h"

namespace sendguard::scanner {
namespace {

using synth::Rng;

std::optional<std::string> Check(const char* validator, std::string_view v) { return FindValidator(validator)(v); }

TEST(NhsValidatorTest, TenThousandGeneratedNumbersAcceptedAndEverySingleDigitChangeJudged) {
  Rng rng(1);
  int changes = 0, rejected = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string v = synth::NhsNumber(rng);
    ASSERT_TRUE(Check("nhs_mod11", v)) << "valid number refused (masked) ***" << v.substr(6);
    for (size_t pos = 0; pos < 10; ++pos) {
      for (char d = '0'; d <= '9'; ++d) {
        if (d == v[pos]) continue;
        std::string changed = v;
        changed[pos] = d;
        ++changes;
        bool accepted = Check("nhs_mod11", changed).has_value();
        EXPECT_EQ(accepted, synth::NhsValid(changed));
        rejected += accepted ? 0 : 1;
      }
    }
  }
  // mod 11 catches every single-digit substitution (11 is prime, weights 2..10 < 11).
  EXPECT_EQ(rejected, changes);
}

TEST(NhsValidatorTest, LayoutsAndEdgeCases) {
  EXPECT_EQ(Check("nhs_mod11", "083 016 6130"), "0830166130");
  EXPECT_EQ(Check("nhs_mod11", "083-016-6130"), "0830166130");
  EXPECT_FALSE(Check("nhs_mod11", "0000000000"));
  EXPECT_FALSE(Check("nhs_mod11", "083016613"));
}

TEST(CardValidatorTest, GeneratedCardsAcceptedAndSingleDigitChangesJudgedByLuhn) {
  Rng rng(2);
  for (int i = 0; i < 10000; ++i) {
    std::string v = synth::CardNumber(rng);
    ASSERT_TRUE(Check("luhn_card", v));
    size_t pos = static_cast<size_t>(rng.Between(1, static_cast<int>(v.size()) - 1));
    std::string changed = v;
    changed[pos] = static_cast<char>('0' + (changed[pos] - '0' + rng.Between(1, 9)) % 10);
    EXPECT_EQ(Check("luhn_card", changed).has_value(), synth::LuhnValid(changed));
    EXPECT_FALSE(synth::LuhnValid(changed));  // Luhn catches every single-digit substitution
  }
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(Check("luhn_card", synth::CardFailingLuhn(rng)));
}

TEST(CardValidatorTest, IssuerPrefixAndLength) {
  EXPECT_TRUE(Check("luhn_card", "4757 4911 8625 2761"));
  EXPECT_TRUE(Check("luhn_card", "3791 703423 66717"));  // Amex 15
  EXPECT_FALSE(Check("luhn_card", "9757491186252761"));   // no issuer 9 (even if Luhn passed)
  std::string amex16 = "3791703423667170";              // Amex prefix, 16 digits
  EXPECT_FALSE(Check("luhn_card", amex16));
}

// The digit that makes `body` pass Luhn, appended.
std::string WithLuhnDigit(const std::string& body) {
  for (char c = '0'; c <= '9'; ++c) {
    if (synth::LuhnValid(body + c)) return body + c;
  }
  return body;
}

// Found by an independent tester: 14-digit parcel numbers starting 60, 62 and 63 that pass
// Luhn were cards at medium (the Maestro range was read as "anything from 56 to 69") and
// blocked their emails. Each brand's own ranges and lengths decide.
TEST(CardValidatorTest, OnlyTheBrandsOwnRangesAndLengths) {
  for (const std::string body : {"6012345678901", "6234567890123", "6334567890123", "5634567890123", "6934567890123"}) {
    EXPECT_FALSE(Check("luhn_card", WithLuhnDigit(body))) << body;  // 14 digits: no brand
  }
  EXPECT_TRUE(Check("luhn_card", WithLuhnDigit("675912345678901")));      // Maestro UK, 16
  EXPECT_TRUE(Check("luhn_card", WithLuhnDigit("630412345678")));         // Maestro, 13
  EXPECT_TRUE(Check("luhn_card", WithLuhnDigit("601112345678901")));      // Discover, 16
  EXPECT_TRUE(Check("luhn_card", WithLuhnDigit("353012345678901")));      // JCB, 16
  EXPECT_TRUE(Check("luhn_card", WithLuhnDigit("621234567890123")));      // UnionPay, 16
  EXPECT_FALSE(Check("luhn_card", WithLuhnDigit("6212345678901")));       // UnionPay prefix, 14
  EXPECT_TRUE(Check("luhn_card", WithLuhnDigit("222100123456789")));      // Mastercard 2-series
}

TEST(IbanValidatorTest, GeneratedIbansAcceptedAndEverySingleCharacterChangeRejected) {
  Rng rng(3);
  for (int i = 0; i < 5000; ++i) {
    std::string v = synth::GbIban(rng);
    ASSERT_EQ(Check("iban_mod97", v), v);
    for (size_t pos = 2; pos < v.size(); ++pos) {
      if (v[pos] < '0' || v[pos] > '9') continue;
      std::string changed = v;
      changed[pos] = static_cast<char>('0' + (v[pos] - '0' + 1 + rng.Between(0, 8)) % 10);
      EXPECT_FALSE(Check("iban_mod97", changed));  // mod 97 detects every single substitution
    }
  }
  EXPECT_TRUE(Check("iban_mod97", "GB19 WXYZ 2768 4268 4656 32"));
  EXPECT_FALSE(Check("iban_mod97", "GB19WXYZ276842684656"));  // wrong length for GB
}

TEST(UpnValidatorTest, GeneratedUpnsAcceptedAndCheckLetterChangesRejected) {
  Rng rng(4);
  const std::string letters = "ABCDEFGHJKLMNPQRTUVWXYZ";
  for (int i = 0; i < 5000; ++i) {
    std::string v = synth::Upn(rng);
    ASSERT_TRUE(Check("upn_mod23", v));
    for (char l : letters) {
      if (l == v[0]) continue;
      std::string changed = v;
      changed[0] = l;
      EXPECT_FALSE(Check("upn_mod23", changed));
    }
  }
  EXPECT_TRUE(UpnMod23("B801200005001"));   // the spec's example
  EXPECT_FALSE(UpnMod23("A801200005001"));
  EXPECT_FALSE(UpnMod23("I801200005001"));  // I is never a check letter
}

TEST(NinoValidatorTest, PrefixRules) {
  EXPECT_EQ(Check("nino", "JH 12 34 56 C"), "JH123456C");
  EXPECT_EQ(Check("nino", "JH123456"), "JH123456");
  for (const char* bad : {"DA123456A", "FA123456A", "AD123456A", "AO123456A", "GB123456A", "NK123456A",
                          "TN123456A", "ZZ123456A", "JH123456E"}) {
    EXPECT_FALSE(Check("nino", bad)) << bad;
  }
  Rng rng(5);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(Check("nino", synth::Nino(rng)));
}

TEST(ChiValidatorTest, DatePartMustBeReal) {
  EXPECT_TRUE(Check("chi", "0101800002"));
  EXPECT_FALSE(Check("chi", "3213800002"));
  Rng rng(6);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(Check("chi", synth::ChiNumber(rng)));
}

TEST(DvlaValidatorTest, StructureMonthAndDay) {
  EXPECT_TRUE(Check("dvla", "MORGA753116SM9IJ"));
  EXPECT_TRUE(Check("dvla", "LI999861012AB9XY"));
  EXPECT_FALSE(Check("dvla", "MORGA713116SM9IJ"));  // month 13
  EXPECT_FALSE(Check("dvla", "MORGA752306SM9IJ"));  // 30 February
  EXPECT_FALSE(Check("dvla", "MO9GA753116SM9IJ"));  // letter after padding
  Rng rng(7);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(Check("dvla", synth::DrivingLicence(rng)));
}

TEST(OtherValidatorsTest, BankPostcodeDatePhoneEmailCredential) {
  EXPECT_EQ(Check("uk_bank_account", "20-45-77 account number 41234567"), "204577:41234567");
  EXPECT_EQ(Check("uk_bank_account", "41234567, sort code 20 45 77"), "204577:41234567");
  EXPECT_FALSE(Check("uk_bank_account", "00-00-00 account 41234567"));
  EXPECT_EQ(Check("postcode", "BL9 0SW"), "BL90SW");
  EXPECT_FALSE(Check("postcode", "BL9 0CW"));
  EXPECT_FALSE(Check("postcode", "QL9 0SW"));
  EXPECT_EQ(Check("date_of_birth", "3rd February 1987"), "1987-02-03");
  EXPECT_EQ(Check("date_of_birth", "14/03/2011"), "2011-03-14");
  EXPECT_EQ(Check("date_of_birth", "2011-03-14"), "2011-03-14");
  EXPECT_FALSE(Check("date_of_birth", "31/02/2011"));
  EXPECT_FALSE(Check("date_of_birth", "01/01/2099"));  // future
  EXPECT_FALSE(Check("date_of_birth", "01/01/1850"));  // older than 120
  EXPECT_EQ(Check("uk_phone", "+44 (0)161 496 0000"), "01614960000");
  EXPECT_EQ(Check("uk_phone", "07700 900123"), "07700900123");
  EXPECT_FALSE(Check("uk_phone", "0770 090012"));  // a mobile needs 11 digits
  EXPECT_EQ(Check("email", "Jo.Bloggs@Example.ORG"), "jo.bloggs@example.org");
  EXPECT_FALSE(Check("email", "user@localhost"));
  EXPECT_TRUE(Check("credential", "password: Tr0ub4dor&3"));
  EXPECT_FALSE(Check("credential", "Password: reset."));
  EXPECT_FALSE(Check("credential", "password: ********"));
  EXPECT_EQ(FindValidator("no_such_validator"), nullptr);
}

TEST(MaskTest, KeepsAtMostTheRequestedTrailingCharactersAndTheLayout) {
  EXPECT_EQ(MaskValue("083 016 6130", 4), "*** *** 6130");
  EXPECT_EQ(MaskValue("0830166130", 4), "******6130");
  EXPECT_EQ(MaskValue("password: Tr0ub4dor&3", 0), "********: ***********");
  EXPECT_EQ(MaskValue("123456", 4), "***456");  // never more than half clear
  EXPECT_EQ(MaskValue("p\xC3\xA4ss", 0), "****");  // one star per character, not per byte
}

}  // namespace
}  // namespace sendguard::scanner
