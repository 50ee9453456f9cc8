// SPDX-License-Identifier: Apache-2.0
// DigitReadings: the second reading of number-like tokens OCR may have misread (ocr_digits.h).
#include "sendguard/ocr/ocr_digits.h"

#include <cctype>
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

std::string CorrectLine(std::string_view line) {
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
    if (!correct) continue;
    for (size_t i = t.begin; i < t.end; ++i) {
      if (char d = ConfusedDigit(out[i])) out[i] = d;
    }
  }
  return out;
}

}  // namespace

std::string DigitReadings(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    std::string fixed = CorrectLine(line);
    if (fixed != line) {
      if (!out.empty()) out.push_back('\n');
      out += fixed;
    }
    start = nl + 1;
  }
  return out;
}

}  // namespace sendguard::ocr
