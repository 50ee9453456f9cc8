// SPDX-License-Identifier: Apache-2.0
// Deterministic synthetic test data: identifiers with correct check digits, hard negatives
// that look like them, and council-like emails carrying both. The checksum code here is
// written independently of the scanner's validators so that each checks the other.
// No value comes from a real person; every value is computed from a seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sendguard::synth {

// SplitMix64: the same sequence on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform integer in [lo, hi].
  int Between(int lo, int hi);
  bool Chance(double p);
  std::string Digits(int n);
  template <typename T>
  const T& Pick(const std::vector<T>& v) { return v[static_cast<size_t>(Between(0, static_cast<int>(v.size()) - 1))]; }

 private:
  uint64_t state_;
};

// Valid identifiers (compact form).
std::string NhsNumber(Rng& rng);       // mod 11 valid, never starting 999
std::string ChiNumber(Rng& rng);       // DDMMYY + 4, mod 11 valid
std::string Nino(Rng& rng);            // allowed prefix, suffix A-D
std::string CardNumber(Rng& rng);      // Visa, Mastercard or Amex, Luhn valid
std::string GbIban(Rng& rng);          // 22 characters, mod 97 valid
std::string SortCode(Rng& rng);        // six digits
std::string AccountNumber(Rng& rng);   // eight digits
std::string Passport(Rng& rng);        // nine digits
std::string DrivingLicence(Rng& rng);  // 16 characters, valid month and day
std::string Upn(Rng& rng);             // letter + 12 digits, mod 23 check letter

// Hard negatives.
std::string NhsFailingMod11(Rng& rng);     // 10 digits whose check digit is wrong
std::string CardFailingLuhn(Rng& rng);     // 16 digits, Visa prefix, Luhn wrong
std::string UkPhone(Rng& rng);             // "0161 496 0123" style
std::string Uuid(Rng& rng);
std::string OrderNumber(Rng& rng);         // 10-12 digits

// Independent checks (used to build the values above and by tests).
bool NhsValid(const std::string& ten_digits);
bool LuhnValid(const std::string& digits);

// Base64 with CRLF line breaks every 76 characters (MIME's body encoding); `wrap` false
// gives one line (for encoded words).
std::string Base64(const std::string& bytes, bool wrap = true);

// `digits` split into groups of the given sizes joined by `sep` ("0830166130", {3,3,4}, ' ').
std::string Grouped(const std::string& digits, const std::vector<int>& sizes, char sep);

// One identifier planted in a message, by type id and normalised value.
struct Planted {
  std::string type;
  std::string normalized;
};

struct SyntheticMessage {
  std::string raw;                // a complete RFC 5322 message
  std::vector<Planted> planted;   // every identifier it carries (none for hard-negative mail)
};

// A corpus of council-like messages: about `sensitive_share` of them carry identifiers in
// varied contexts (prose, tables, HTML, CSV attachments, base64), the rest are ordinary
// mail full of hard negatives. Same seed, same corpus.
std::vector<SyntheticMessage> MakeCorpus(uint64_t seed, int count, double sensitive_share = 0.5);

// The bundled sample for the quick start: a referral email with identifiers and health terms.
SyntheticMessage SampleReferral();

}  // namespace sendguard::synth
