// SPDX-License-Identifier: Apache-2.0
// Synthetic identifiers and hard negatives (see synth.h).
#include "sendguard/synth/synth.h"

#include <cstdio>

namespace sendguard::synth {

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

int Rng::Between(int lo, int hi) { return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1)); }

bool Rng::Chance(double p) { return static_cast<double>(Next() % 1000000) < p * 1000000.0; }

std::string Rng::Digits(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + Between(0, 9)));
  return s;
}

namespace {
int NhsCheck(const std::string& nine) {
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * (10 - i);
  int c = 11 - sum % 11;
  return c == 11 ? 0 : c;  // 10 means "no valid check digit"
}

char LuhnDigit(const std::string& body) {
  for (char c = '0'; c <= '9'; ++c) {
    if (LuhnValid(body + c)) return c;
  }
  return '0';
}
}  // namespace

bool NhsValid(const std::string& d) {
  if (d.size() != 10) return false;
  int c = NhsCheck(d.substr(0, 9));
  return c != 10 && c == d[9] - '0' && d.find_first_not_of(d[0]) != std::string::npos;
}

bool LuhnValid(const std::string& d) {
  int sum = 0;
  int parity = static_cast<int>(d.size()) % 2;
  for (size_t i = 0; i < d.size(); ++i) {
    int x = d[i] - '0';
    if (static_cast<int>(i) % 2 == parity) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
  }
  return sum % 10 == 0;
}

std::string NhsNumber(Rng& rng) {
  for (;;) {
    std::string nine = rng.Digits(9);
    if (nine.rfind("999", 0) == 0) continue;
    int c = NhsCheck(nine);
    if (c == 10) continue;
    std::string v = nine + static_cast<char>('0' + c);
    if (NhsValid(v)) return v;
  }
}

std::string ChiNumber(Rng& rng) {
  for (;;) {
    char date[7];
    std::snprintf(date, sizeof date, "%02d%02d%02d", rng.Between(1, 28), rng.Between(1, 12), rng.Between(0, 99));
    std::string nine = std::string(date) + rng.Digits(3);
    int c = NhsCheck(nine);
    if (c == 10) continue;
    return nine + static_cast<char>('0' + c);
  }
}

std::string Nino(Rng& rng) {
  static const std::vector<std::string> kPrefixes = {"AB", "CE", "JH", "KL", "MW", "PR", "SH", "TW", "WX", "YZ", "EH", "LA"};
  static const std::vector<std::string> kSuffix = {"A", "B", "C", "D"};
  return rng.Pick(kPrefixes) + rng.Digits(6) + rng.Pick(kSuffix);
}

std::string CardNumber(Rng& rng) {
  int brand = rng.Between(0, 2);
  std::string body;
  if (brand == 0) body = "4" + rng.Digits(14);                                     // Visa 16
  else if (brand == 1) body = std::to_string(rng.Between(51, 55)) + rng.Digits(13);  // Mastercard 16
  else body = (rng.Chance(0.5) ? "34" : "37") + rng.Digits(12);                     // Amex 15
  return body + LuhnDigit(body);
}

std::string GbIban(Rng& rng) {
  static const std::vector<std::string> kBanks = {"WXYZ", "QRST", "LMNO", "ABCX"};
  std::string bban = rng.Pick(kBanks) + rng.Digits(14);
  // mod 97 over BBAN + "GB00", letters as 10..35.
  std::string rearranged = bban + "GB00";
  int rem = 0;
  for (char c : rearranged) {
    if (c >= '0' && c <= '9') rem = (rem * 10 + (c - '0')) % 97;
    else rem = (rem * 100 + (c - 'A' + 10)) % 97;
  }
  char check[8];
  std::snprintf(check, sizeof check, "%02d", 98 - rem);
  return "GB" + std::string(check) + bban;
}

std::string SortCode(Rng& rng) { return std::to_string(rng.Between(10, 99)) + rng.Digits(4); }
std::string AccountNumber(Rng& rng) { return std::to_string(rng.Between(1, 9)) + rng.Digits(7); }
std::string Passport(Rng& rng) { return std::to_string(rng.Between(1, 9)) + rng.Digits(8); }

std::string DrivingLicence(Rng& rng) {
  static const std::vector<std::string> kSurnames = {"SMITH", "JONES", "TAYLO", "BROWN", "WILLI", "PATEL", "KHAN9", "LI999", "EVANS"};
  int month = rng.Between(1, 12) + (rng.Chance(0.5) ? 50 : 0);
  char mid[8];
  std::snprintf(mid, sizeof mid, "%d%02d%02d%d", rng.Between(0, 9), month, rng.Between(1, 28), rng.Between(0, 9));
  std::string initials = std::string(1, static_cast<char>('A' + rng.Between(0, 25))) +
                         (rng.Chance(0.3) ? "9" : std::string(1, static_cast<char>('A' + rng.Between(0, 25))));
  std::string check = std::string(1, static_cast<char>('A' + rng.Between(0, 25))) +
                      static_cast<char>('A' + rng.Between(0, 25));
  return rng.Pick(kSurnames) + mid + initials + "9" + check;
}

std::string Upn(Rng& rng) {
  static const char kLetters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";
  std::string digits = rng.Digits(12);
  int sum = 0;
  for (int i = 0; i < 12; ++i) sum += (digits[i] - '0') * (i + 2);
  return std::string(1, kLetters[sum % 23]) + digits;
}

std::string NhsFailingMod11(Rng& rng) {
  for (;;) {
    std::string v = rng.Digits(10);
    if (v[0] != '0' && !NhsValid(v)) return v;
  }
}

std::string CardFailingLuhn(Rng& rng) {
  for (;;) {
    std::string v = "4" + rng.Digits(15);
    if (!LuhnValid(v)) return v;
  }
}

std::string UkPhone(Rng& rng) {
  static const std::vector<std::string> kAreas = {"0161 496", "0113 496", "020 7946", "0117 496", "07700 900"};
  return rng.Pick(kAreas) + " " + rng.Digits(rng.Chance(0.5) ? 3 : 4);
}

std::string Uuid(Rng& rng) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s.push_back('-');
    s.push_back(kHex[rng.Between(0, 15)]);
  }
  return s;
}

std::string OrderNumber(Rng& rng) { return std::to_string(rng.Between(1, 9)) + rng.Digits(rng.Between(9, 11)); }

std::string Base64(const std::string& in, bool wrap) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  int col = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int k = 3; k >= 0; --k) out.push_back(kAlphabet[(v >> (6 * k)) & 63]);
    if (wrap && (col += 4) >= 76) out += "\r\n", col = 0;
  }
  if (i < in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return wrap ? out + "\r\n" : out;
}

std::string Grouped(const std::string& digits, const std::vector<int>& sizes, char sep) {
  std::string out;
  size_t pos = 0;
  for (size_t i = 0; i < sizes.size() && pos < digits.size(); ++i) {
    if (i) out.push_back(sep);
    out += digits.substr(pos, static_cast<size_t>(sizes[i]));
    pos += static_cast<size_t>(sizes[i]);
  }
  return out;
}

}  // namespace sendguard::synth
