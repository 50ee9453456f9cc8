// SPDX-License-Identifier: Apache-2.0
// DigitReadings: the second reading of number-like tokens OCR may have misread (ocr_digits.h).
#include "sendguard/ocr/ocr_digits.h"

#include <cctype>
#include <regex>
#include <vector>

namespace sendguard::ocr {

char ConfusedDigit(char c) {
  switch (c) {
    case 'O': case 'o': case 'D': case 'Q': return '0';
    case 'l': case 'I': case 'i': case '|': return '1';
    case 'Z': case 'z': return '2';
    case 'S': case 's': return '5';
    case 'G': case 'b': return '6';
    case 'B': return '8';
    case 'g': case 'q': return '9';
    default: return 0;
  }
}

namespace {

bool TokenChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '|'; }
bool Joiner(char c) { return c == ' ' || c == '-' || c == '/'; }

struct Token {
  size_t begin, end;
  bool has_digit = false;
  bool all_digitish = true;  // digits and confusable letters only
};

std::vector<Token> Tokens(std::string_view line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < line.size()) {
    if (!TokenChar(line[i])) {
      ++i;
      continue;
    }
    Token t{i, i};
    while (i < line.size() && TokenChar(line[i])) {
      const char c = line[i];
      if (std::isdigit(static_cast<unsigned char>(c))) t.has_digit = true;
      else if (!ConfusedDigit(c)) t.all_digitish = false;
      ++i;
    }
    t.end = i;
    out.push_back(t);
  }
  return out;
}

// True when `a` and `b` are separated by exactly one joiner.
bool Adjacent(std::string_view line, const Token& a, const Token& b) {
  return b.begin == a.end + 1 && Joiner(line[a.end]);
}

// Characters written one to a box ("Account number |9|o|3|3|7|4|7|4|"): three or more single
// characters between box edges (read as '|', '[' or ']') are joined, the edges dropped.
std::string Unboxed(std::string_view line) {
  // A box edge read as '|', '[', ']', '(', ')', ',' or ';', or a space: single characters.
  static const std::regex boxed(R"((?:[ |\[\](),;]{1,2}[0-9A-Za-z](?![0-9A-Za-z])){4,}[|\[\](),;]?)");
  std::string out;
  std::string text(line);
  auto begin = std::sregex_iterator(text.begin(), text.end(), boxed);
  size_t at = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out.append(text, at, static_cast<size_t>(it->position()) - at);
    out.push_back(' ');
    for (char c : it->str()) {
      if (std::isalnum(static_cast<unsigned char>(c))) out.push_back(c);
    }
    out.push_back(' ');
    at = static_cast<size_t>(it->position() + it->length());
  }
  out.append(text, at, std::string::npos);
  return out;
}

// A token with letters of its own ("JHO30828D", an NI number whose first 0 was read as O):
// in each run of five or more digits and confusable letters holding four digits or more,
// a confusable letter with a digit after it in the run is read as that digit. One at the
// end of the run stays a letter (the NI number's suffix D).
void CorrectDigitRuns(std::string& text, size_t begin, size_t end) {
  size_t i = begin;
  while (i < end) {
    auto in_run = [&](char c) { return std::isdigit(static_cast<unsigned char>(c)) || ConfusedDigit(c) != 0; };
    if (!in_run(text[i])) {
      ++i;
      continue;
    }
    size_t j = i, digits = 0;
    while (j < end && in_run(text[j])) digits += std::isdigit(static_cast<unsigned char>(text[j++])) ? 1 : 0;
    if (j - i >= 5 && digits >= 4) {
      size_t last_digit = j;
      while (last_digit > i && !std::isdigit(static_cast<unsigned char>(text[last_digit - 1]))) --last_digit;
      for (size_t k = i; k + 1 < last_digit; ++k) {
        if (char d = ConfusedDigit(text[k])) text[k] = d;
      }
    }
    i = j;
  }
}

// Lines longer than this are read with the token rules only: libstdc++'s std::regex recurses
// once per character it repeats, and a line of tens of thousands (a picture of a long digit
// string) would overflow a worker's stack.
constexpr size_t kRegexLine = 1000;

std::string CorrectLine(std::string_view original) {
  const std::string unboxed = original.size() <= kRegexLine ? Unboxed(original) : std::string(original);
  std::string_view line = unboxed;
  std::vector<Token> tokens = Tokens(line);
  std::vector<bool> numeric(tokens.size());
  for (size_t k = 0; k < tokens.size(); ++k) numeric[k] = tokens[k].all_digitish && tokens[k].has_digit;
  std::string out(line);
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    bool correct = numeric[k];
    if (!correct && t.all_digitish && k > 0 && k + 1 < tokens.size()) {
      correct = numeric[k - 1] && numeric[k + 1] && Adjacent(line, tokens[k - 1], t) && Adjacent(line, t, tokens[k + 1]);
    }
    if (!correct) {
      CorrectDigitRuns(out, t.begin, t.end);
      continue;
    }
    for (size_t i = t.begin; i < t.end; ++i) {
      if (char d = ConfusedDigit(out[i])) out[i] = d;
    }
  }
  return out;
}

// The letter a digit OCR confuses with one stands for, at the start of a reference that
// begins with a letter (a pupil number, a licence): 2 Z, 5 S, 8 B, 0 O, 6 G, 1 I.
char ConfusedLetter(char c) {
  switch (c) {
    case '2': return 'Z';
    case '5': return 'S';
    case '8': return 'B';
    case '0': return 'O';
    case '6': return 'G';
    case '1': return 'I';
    default: return 0;
  }
}

// The other readings of one corrected line: two-digit groups joined by ':' or '.' (a dash OCR
// read as a colon: "85:74:68") joined by '-' instead; and a long number (eight or more
// digits) whose first digit may be a letter read as a digit, with that letter.
std::string OtherReadings(const std::string& line) {
  if (line.size() > kRegexLine) return "";
  static const std::regex pairs(R"((^|[^0-9])([0-9]{2})[:.]([0-9]{2})[:.]([0-9]{2})(?![0-9]))");
  static const std::regex leading(R"((^|[^0-9A-Za-z])([0-9])([0-9]{7,})(?![0-9A-Za-z]))");
  std::string out;
  std::string dashed = std::regex_replace(line, pairs, "$1$2-$3-$4");
  if (dashed != line) out += dashed;
  std::string lettered;
  size_t at = 0;
  for (auto it = std::sregex_iterator(line.begin(), line.end(), leading); it != std::sregex_iterator(); ++it) {
    const char letter = ConfusedLetter((*it)[2].str()[0]);
    if (letter == 0) continue;
    lettered.append(line, at, static_cast<size_t>((*it)[2].first - line.begin()) - at);
    lettered.push_back(letter);
    at = static_cast<size_t>((*it)[2].second - line.begin());
  }
  if (at > 0) {
    lettered.append(line, at, std::string::npos);
    if (!out.empty()) out.push_back('\n');
    out += lettered;
  }
  return out;
}

}  // namespace

std::string DigitReadings(std::string_view text) {
  std::string out;
  bool changed = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    std::string fixed = CorrectLine(line);
    std::string other = OtherReadings(fixed);
    if (start > 0) out.push_back('\n');
    // A line read anew keeps its neighbours: a label on the line above, the account number
    // on the line below its sort code.
    out += fixed;
    if (!other.empty()) out += "\n" + other;
    changed = changed || fixed != line || !other.empty();
    start = nl + 1;
  }
  return changed ? out : std::string();
}

}  // namespace sendguard::ocr
