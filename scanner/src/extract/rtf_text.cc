// SPDX-License-Identifier: Apache-2.0
// RTF to plain text (see extractors.h). A small state machine: groups, control words,
// hex escapes, \uN; destinations ({\*...}, fonttbl, colortbl, stylesheet, info, pict) skipped.
// Groups nest to any depth: the group stack is one bit per open group, so it is bounded by
// the input (an RTF that opens 10,000 groups first still has all its text read).
#include <cstring>

#include "extractors.h"
#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {
int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string RtfToText(std::string_view rtf) {
  std::string out;
  std::vector<bool> skip_stack = {false};  // per open group: inside a skipped destination
  size_t skip_chars = 0;                   // characters to drop after \uN (the fallback)
  for (size_t i = 0; i < rtf.size(); ++i) {
    char c = rtf[i];
    bool skipping = skip_stack.back();
    if (c == '{') {
      skip_stack.push_back(skipping);
    } else if (c == '}') {
      if (skip_stack.size() > 1) skip_stack.pop_back();
    } else if (c == '\\' && i + 1 < rtf.size()) {
      char n = rtf[i + 1];
      if (n == '\\' || n == '{' || n == '}') {
        if (!skipping) out.push_back(n);
        ++i;
      } else if (n == '\'' && i + 3 < rtf.size()) {
        int h = Hex(rtf[i + 2]), l = Hex(rtf[i + 3]);
        if (!skipping && h >= 0 && l >= 0) {
          if (skip_chars > 0) --skip_chars;
          else common::AppendUtf8(out, static_cast<char32_t>(h * 16 + l));  // windows-1252 approximated as Latin-1
        }
        i += 3;
      } else if (n == '*') {
        skip_stack.back() = true;
        ++i;
      } else if (std::isalpha(static_cast<unsigned char>(n))) {
        size_t j = i + 1;
        while (j < rtf.size() && std::isalpha(static_cast<unsigned char>(rtf[j]))) ++j;
        std::string word(rtf.substr(i + 1, j - i - 1));
        size_t k = j;
        if (k < rtf.size() && (rtf[k] == '-' || std::isdigit(static_cast<unsigned char>(rtf[k])))) ++k;
        while (k < rtf.size() && std::isdigit(static_cast<unsigned char>(rtf[k]))) ++k;
        long param = k > j ? std::strtol(std::string(rtf.substr(j, k - j)).c_str(), nullptr, 10) : 0;
        if (k < rtf.size() && rtf[k] == ' ') ++k;  // the delimiter space belongs to the word
        i = k - 1;
        static constexpr const char* kDestinations[] = {"fonttbl", "colortbl", "stylesheet", "info", "pict",
                                                        "header", "footer", "object", "listtable", "themedata"};
        for (const char* d : kDestinations) {
          if (word == d) skip_stack.back() = true;
        }
        if (skip_stack.back()) continue;
        if (word == "par" || word == "line" || word == "row" || word == "sect" || word == "page") out.push_back('\n');
        else if (word == "tab" || word == "cell") out.push_back('\t');
        else if (word == "u") {
          common::AppendUtf8(out, static_cast<char32_t>(param < 0 ? param + 65536 : param));
          skip_chars = 1;
        }
      } else {
        ++i;  // control symbol such as \~ or \-
        if (!skipping && n == '~') out.push_back(' ');
      }
    } else if (c == '\r' || c == '\n') {
      continue;
    } else if (!skipping) {
      if (skip_chars > 0) --skip_chars;
      else common::AppendUtf8(out, static_cast<unsigned char>(c));  // 8-bit text: Latin-1, as \'hh
    }
  }
  // \uN may name a lone surrogate or a number past U+10FFFF (fuzzing found both):
  // common::AppendUtf8 writes those as U+FFFD, so the scanner only ever sees UTF-8.
  return out;
}

}  // namespace sendguard::scanner
