// SPDX-License-Identifier: Apache-2.0
// Validators and normalisation for every built-in information type (spec/infotypes.md),
// plus value masking. Pure functions over ASCII; no allocation beyond the returned string.
#include "sendguard/scanner/validators.h"

#include "sendguard/common/text.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <map>

namespace sendguard::scanner {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAlnum(char c) { return IsDigit(c) || IsUpper(c) || (c >= 'a' && c <= 'z'); }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

// Separators removed, letters upper-cased (the default normalised form).
std::string Compact(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ' || c == '-' || c == '.' || c == '\t' || c == '\n' || c == '\r') continue;
    out.push_back(Upper(c));
  }
  return out;
}

std::string DigitsOf(std::string_view s) {
  std::string out;
  for (char c : s) if (IsDigit(c)) out.push_back(c);
  return out;
}

bool AllDigits(std::string_view s) {
  for (char c : s) if (!IsDigit(c)) return false;
  return !s.empty();
}

bool AllSame(std::string_view s) {
  for (char c : s) if (c != s[0]) return false;
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

std::optional<std::string> ValidateNone(std::string_view c) { return Compact(c); }

std::optional<std::string> ValidateNhs(std::string_view c) {
  std::string d = Compact(c);
  if (d.size() != 10 || !AllDigits(d) || !NhsMod11(d)) return std::nullopt;
  return d;
}

std::optional<std::string> ValidateChi(std::string_view c) {
  std::string d = Compact(c);
  if (d.size() != 10 || !AllDigits(d) || !NhsMod11(d)) return std::nullopt;
  int day = (d[0] - '0') * 10 + (d[1] - '0');
  int month = (d[2] - '0') * 10 + (d[3] - '0');
  int yy = (d[4] - '0') * 10 + (d[5] - '0');
  // The century is not encoded: accept a date real in either century.
  if (!RealDate(2000 + yy, month, day) && !RealDate(1900 + yy, month, day)) return std::nullopt;
  return d;
}

std::optional<std::string> ValidateNino(std::string_view c) {
  const std::string d = common::AsciiUpper(Compact(c));  // typed "ab123456c" too
  if (d.size() != 8 && d.size() != 9) return std::nullopt;
  if (!IsUpper(d[0]) || !IsUpper(d[1]) || !NinoPrefixAllowed(d.substr(0, 2))) return std::nullopt;
  if (!AllDigits(std::string_view(d).substr(2, 6))) return std::nullopt;
  if (d.size() == 9 && (d[8] < 'A' || d[8] > 'D')) return std::nullopt;
  return d;
}

std::optional<std::string> ValidateCard(std::string_view c) {
  std::string d = Compact(c);
  if (d.size() < 13 || d.size() > 19 || !AllDigits(d)) return std::nullopt;
  if (AllSame(d) || !Luhn(d) || !CardIssuerPlausible(d)) return std::nullopt;
  return d;
}

std::optional<std::string> ValidateIban(std::string_view c) {
  std::string d = Compact(c);
  if (!IbanMod97(d)) return std::nullopt;
  return d;
}

// Sort code (three pairs) and an 8-digit account, in either order -> "SSSSSS:AAAAAAAA".
std::optional<std::string> ValidateBankAccount(std::string_view c) {
  std::vector<std::string> runs;
  std::string cur;
  for (char ch : c) {
    if (IsDigit(ch)) {
      cur.push_back(ch);
    } else if (!cur.empty()) {
      runs.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) runs.push_back(cur);
  std::string sort, account;
  if (runs.size() == 2 && runs[0].size() == 6 && runs[1].size() == 8) {  // "308310 ... 25774456"
    sort = runs[0];
    account = runs[1];
  } else if (runs.size() == 2 && runs[0].size() == 8 && runs[1].size() == 6) {
    account = runs[0];
    sort = runs[1];
  } else if (runs.size() == 4 && runs[0].size() == 8) {
    account = runs[0];
    sort = runs[1] + runs[2] + runs[3];
  } else if (runs.size() == 4 && runs[3].size() == 8) {
    sort = runs[0] + runs[1] + runs[2];
    account = runs[3];
  } else {
    return std::nullopt;
  }
  if (sort.size() != 6 || account.size() != 8 || AllSame(sort) || AllSame(account)) return std::nullopt;
  return sort + ":" + account;
}

// A passport number as printed (separators removed), or line 2 of an ICAO 9303 TD3
// machine-readable zone whose check digits (number, birth, expiry, personal number and the
// composite) all hold -> the document number without its '<' filler.
std::optional<std::string> ValidatePassport(std::string_view c) {
  if (c.size() != 44) return Compact(c);
  auto check = [&](size_t pos, size_t len, size_t at) {
    int want = c[at] == '<' ? 0 : (IsDigit(c[at]) ? c[at] - '0' : -1);
    return want == MrzCheckDigit(c.substr(pos, len));
  };
  auto date_ok = [&](size_t pos) {
    int month = (c[pos + 2] - '0') * 10 + (c[pos + 3] - '0'), day = (c[pos + 4] - '0') * 10 + (c[pos + 5] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
  };
  if (!check(0, 9, 9) || !check(13, 6, 19) || !check(21, 6, 27) || !check(28, 14, 42)) return std::nullopt;
  if (!date_ok(13) || !date_ok(21)) return std::nullopt;
  std::string composite = std::string(c.substr(0, 10)) + std::string(c.substr(13, 7)) + std::string(c.substr(21, 22));
  if (!IsDigit(c[43]) || MrzCheckDigit(composite) != c[43] - '0') return std::nullopt;
  std::string number;
  for (char ch : c.substr(0, 9)) if (ch != '<') number.push_back(ch);
  if (number.empty() || AllSame(number)) return std::nullopt;
  return number;
}

std::optional<std::string> ValidateDvla(std::string_view c) {
  std::string d = Compact(c);
  if (d.size() != 16) return std::nullopt;
  if (!IsUpper(d[0])) return std::nullopt;
  bool padding = false;  // surname padded with 9s: no letter may follow a 9
  for (int i = 0; i < 5; ++i) {
    if (d[i] == '9') padding = true;
    else if (!IsUpper(d[i]) || padding) return std::nullopt;
  }
  if (!AllDigits(std::string_view(d).substr(5, 6))) return std::nullopt;
  int month = (d[6] - '0') * 10 + (d[7] - '0');
  if (month > 50) month -= 50;
  int day = (d[8] - '0') * 10 + (d[9] - '0');
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(2000, month)) return std::nullopt;
  if (!IsUpper(d[11]) || !(IsUpper(d[12]) || d[12] == '9') || !IsDigit(d[13])) return std::nullopt;
  if (!IsAlnum(d[14]) || !IsAlnum(d[15])) return std::nullopt;
  return d;
}

std::optional<std::string> ValidateUpn(std::string_view c) {
  std::string d = Compact(c);
  if (!UpnMod23(d)) return std::nullopt;
  return d;
}

std::optional<std::string> ValidatePostcode(std::string_view c) {
  std::string d = Compact(c);
  if (d.size() < 5 || d.size() > 7) return std::nullopt;
  std::string_view in = std::string_view(d).substr(d.size() - 3);
  if (!IsDigit(in[0])) return std::nullopt;
  for (int i = 1; i < 3; ++i) {
    if (!IsUpper(in[i]) || std::strchr("CIKMOV", in[i])) return std::nullopt;
  }
  std::string_view out = std::string_view(d).substr(0, d.size() - 3);
  if (!IsUpper(out[0]) || std::strchr("QVX", out[0])) return std::nullopt;
  size_t i = 1;
  if (IsUpper(out[1])) {
    if (std::strchr("IJZ", out[1])) return std::nullopt;
    i = 2;
  }
  if (i >= out.size() || !IsDigit(out[i])) return std::nullopt;
  if (out.size() - i > 2) return std::nullopt;
  return d;
}

int MonthFromName(std::string_view word) {
  static constexpr std::array<const char*, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                         "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
  if (word.size() < 3) return 0;
  char w[3] = {Upper(word[0]), Upper(word[1]), Upper(word[2])};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (std::strncmp(w, kMonths[i], 3) == 0) return static_cast<int>(i) + 1;
  }
  return 0;
}

// UK day-first dates, "3rd February 1987", and ISO dates -> "YYYY-MM-DD".
std::optional<std::string> ValidateDateOfBirth(std::string_view c) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < c.size()) {
    while (i < c.size() && !IsAlnum(c[i])) ++i;
    size_t s = i;
    while (i < c.size() && IsAlnum(c[i])) ++i;
    if (i > s) tokens.push_back(c.substr(s, i - s));
  }
  if (tokens.size() != 3) return std::nullopt;
  auto num = [](std::string_view t) {
    int v = 0, n = 0;
    for (char ch : t) {
      if (!IsDigit(ch)) break;
      v = v * 10 + (ch - '0');
      ++n;
    }
    return n == 0 ? -1 : v;
  };
  int y, m, d;
  if (tokens[0].size() == 4 && AllDigits(tokens[0])) {
    y = num(tokens[0]); m = num(tokens[1]); d = num(tokens[2]);
  } else {
    d = num(tokens[0]);
    m = AllDigits(tokens[1]) ? num(tokens[1]) : MonthFromName(tokens[1]);
    y = num(tokens[2]);
  }
  if (!RealDate(y, m, d)) return std::nullopt;
  auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()));
  std::chrono::year_month_day dob{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (dob > today || static_cast<int>(today.year()) - y > 120) return std::nullopt;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return std::string(buf);
}

std::optional<std::string> ValidateEmail(std::string_view c) {
  size_t at = c.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return std::nullopt;
  std::string_view domain = c.substr(at + 1);
  size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) return std::nullopt;
  for (char ch : domain.substr(dot + 1)) if (!IsUpper(Upper(ch))) return std::nullopt;
  if (c[at - 1] == '.' || c[0] == '.') return std::nullopt;
  std::string out(c);
  for (char& ch : out) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
  return out;
}

std::optional<std::string> ValidatePhone(std::string_view c) {
  std::string d = DigitsOf(c);
  std::string_view t = c;
  while (!t.empty() && t[0] == ' ') t.remove_prefix(1);
  if (!t.empty() && t[0] == '+') {
    if (d.rfind("44", 0) != 0) return std::nullopt;
    d = d.substr(2);
    if (!d.empty() && d[0] == '0') d = d.substr(1);  // +44 (0)161 ...
    d = "0" + d;
  }
  if (d.size() != 10 && d.size() != 11) return std::nullopt;
  if (d[0] != '0' || !std::strchr("12378", d[1])) return std::nullopt;
  if (d[1] == '7' && d.size() != 11) return std::nullopt;
  return d;
}

// The secret after a label ("password: X") must look like one: not a placeholder word.
std::optional<std::string> ValidateCredential(std::string_view c) {
  size_t sep = c.find_first_of(":=");
  if (sep == std::string_view::npos || c.rfind("-----", 0) == 0) return Compact(c);  // key block or token
  std::string_view secret = c.substr(sep + 1);
  while (!secret.empty() && secret.front() == ' ') secret.remove_prefix(1);
  while (!secret.empty() && std::strchr(".,;:)!?'\"", secret.back())) secret.remove_suffix(1);
  if (secret.size() < 4 || AllSame(secret)) return std::nullopt;
  bool digit = false, symbol = false, lower = false, upper = false;
  for (char ch : secret) {
    if (IsDigit(ch)) digit = true;
    else if (IsUpper(ch)) upper = true;
    else if (ch >= 'a' && ch <= 'z') lower = true;
    else symbol = true;
  }
  if (secret.front() == '<' || secret.front() == '[' || secret.front() == '{') return std::nullopt;
  // Prose ("Password: reset", "password: Please") has no digit or symbol.
  if (!digit && !symbol) return std::nullopt;
  if (!lower && !upper && !digit) return std::nullopt;  // "****"
  return std::string(secret);
}

struct NamedValidator {
  const char* name;
  ValidatorFn fn;
};

constexpr NamedValidator kValidators[] = {
    {"none", &ValidateNone},
    {"nhs_mod11", &ValidateNhs},
    {"chi", &ValidateChi},
    {"nino", &ValidateNino},
    {"luhn_card", &ValidateCard},
    {"iban_mod97", &ValidateIban},
    {"uk_bank_account", &ValidateBankAccount},
    {"passport", &ValidatePassport},
    {"dvla", &ValidateDvla},
    {"upn_mod23", &ValidateUpn},
    {"postcode", &ValidatePostcode},
    {"date_of_birth", &ValidateDateOfBirth},
    {"email", &ValidateEmail},
    {"uk_phone", &ValidatePhone},
    {"credential", &ValidateCredential},
};

}  // namespace

ValidatorFn FindValidator(std::string_view name) {
  for (const auto& v : kValidators) {
    if (name == v.name) return v.fn;
  }
  return nullptr;
}

std::vector<std::string> ValidatorNames() {
  std::vector<std::string> out;
  for (const auto& v : kValidators) out.emplace_back(v.name);
  return out;
}

bool NhsMod11(std::string_view d) {
  if (d.size() != 10 || AllSame(d)) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (d[i] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;
  return check == d[9] - '0';
}

int MrzCheckDigit(std::string_view s) {
  static constexpr int kWeights[3] = {7, 3, 1};
  int sum = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    int v = IsDigit(ch) ? ch - '0' : IsUpper(ch) ? ch - 'A' + 10 : 0;  // '<' counts 0
    sum += v * kWeights[i % 3];
  }
  return sum % 10;
}

bool Luhn(std::string_view d) {
  int sum = 0;
  bool dbl = false;
  for (size_t i = d.size(); i-- > 0;) {
    int x = d[i] - '0';
    if (dbl) {
      x *= 2;
      if (x > 9) x -= 9;
    }
    sum += x;
    dbl = !dbl;
  }
  return sum % 10 == 0;
}

// The issuers' published ranges (ISO/IEC 7812 IINs) with each brand's lengths. A card is
// medium without a card word (pci_card.yaml), so the ranges are the brands' own, not the old
// "Maestro is anything from 50 and 56-69" reading: with it, one 12-19 digit number in ten that
// starts 56-69 (a 14-digit parcel tracking number, say) was a card and blocked its email.
bool CardIssuerPlausible(std::string_view d) {
  if (d.size() < 12) return false;
  auto prefix = [&](size_t n) { return std::stoi(std::string(d.substr(0, n))); };
  const size_t len = d.size();
  const int p2 = prefix(2), p3 = prefix(3), p4 = prefix(4);
  if (d[0] == '4') return len == 13 || len == 16 || len == 19;                 // Visa
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return len == 16;  // Mastercard
  if (p2 == 34 || p2 == 37) return len == 15;                                   // Amex
  if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return len >= 16;    // Discover
  if (p4 >= 3528 && p4 <= 3589) return len >= 16;                               // JCB
  if (p2 == 62) return len >= 16;                                               // UnionPay
  // Maestro (its UK ranges 6759, 676770 and 676774 among them), 12 to 19 digits.
  for (int m : {5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763}) {
    if (p4 == m) return true;
  }
  return false;
}

bool IbanMod97(std::string_view s) {
  static const std::map<std::string, int, std::less<>> kLengths = {
      {"AD", 24}, {"AT", 20}, {"BE", 16}, {"BG", 22}, {"CH", 21}, {"CY", 28}, {"CZ", 24},
      {"DE", 22}, {"DK", 18}, {"EE", 20}, {"ES", 24}, {"FI", 18}, {"FR", 27}, {"GB", 22},
      {"GI", 23}, {"GR", 27}, {"HR", 21}, {"HU", 28}, {"IE", 22}, {"IS", 26}, {"IT", 27},
      {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"MC", 27}, {"MT", 31}, {"NL", 18},
      {"NO", 15}, {"PL", 28}, {"PT", 25}, {"RO", 24}, {"SE", 24}, {"SI", 19}, {"SK", 24},
      {"SM", 27}, {"VA", 22}, {"IM", 22}, {"JE", 22}, {"GG", 22}, {"TR", 26}, {"AE", 23},
      {"SA", 24}, {"IL", 23}, {"UA", 29}};
  if (s.size() < 15) return false;
  auto it = kLengths.find(s.substr(0, 2));
  if (it == kLengths.end() || static_cast<int>(s.size()) != it->second) return false;
  if (!IsDigit(s[2]) || !IsDigit(s[3])) return false;
  int rem = 0;
  auto feed = [&](char ch) {
    if (IsDigit(ch)) {
      rem = (rem * 10 + (ch - '0')) % 97;
    } else if (IsUpper(ch)) {
      rem = (rem * 100 + (ch - 'A' + 10)) % 97;
    } else {
      rem = -1000;
    }
  };
  for (size_t i = 4; i < s.size(); ++i) feed(s[i]);
  for (size_t i = 0; i < 4; ++i) feed(s[i]);
  return rem == 1;
}

bool UpnMod23(std::string_view u) {
  static constexpr char kLetters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";  // 23 letters, no I O S
  if (u.size() != 13) return false;
  auto letter_value = [](char ch) -> int {
    const char* p = std::strchr(kLetters, ch);
    return (ch && p) ? static_cast<int>(p - kLetters) : -1;
  };
  int sum = 0;
  for (size_t pos = 2; pos <= 13; ++pos) {
    char ch = u[pos - 1];
    int v;
    if (IsDigit(ch)) {
      v = ch - '0';
    } else if (pos == 13 && IsUpper(ch)) {
      v = letter_value(ch);  // temporary UPN: final letter
      if (v < 0) return false;
    } else {
      return false;
    }
    sum += v * static_cast<int>(pos);
  }
  return u[0] == kLetters[sum % 23];
}

bool NinoPrefixAllowed(std::string_view p) {
  if (p.size() != 2) return false;
  if (std::strchr("DFIQUV", p[0]) || std::strchr("DFIOQUV", p[1])) return false;
  static constexpr const char* kBanned[] = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"};
  for (const char* b : kBanned) {
    if (p == b) return false;
  }
  return true;
}

bool RealDate(int year, int month, int day) {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  return day <= DaysInMonth(year, month);
}

std::string MaskValue(std::string_view value, int clear) {
  // Separators stay visible so the layout can be recognised; every other byte
  // (UTF-8 continuation bytes included) is maskable.
  static constexpr std::array<bool, 256> kMaskable = [] {
    std::array<bool, 256> t{};
    t.fill(true);
    for (unsigned char c : std::string_view(" -.:/@_,\t")) t[c] = false;
    return t;
  }();
  auto maskable = [](char c) { return kMaskable[static_cast<unsigned char>(c)]; };
  int total = 0;
  for (char c : value) total += maskable(c);
  const int masked = total - std::min(clear, total / 2);  // maskable bytes starred, from the left
  std::string out(value.size(), '\0');
  size_t w = 0;
  int seen = 0;
  for (char c : value) {
    if (maskable(c) && seen++ < masked) {
      // One star per masked character, not per UTF-8 byte.
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) out[w++] = '*';
    } else {
      out[w++] = c;
    }
  }
  out.resize(w);
  return out;
}

}  // namespace sendguard::scanner
