// SPDX-License-Identifier: Apache-2.0
// Finds the greeting of a message (see salutation.h). Looks at the first lines only.
#include "salutation.h"

#include <cctype>

#include "sendguard/common/text.h"

namespace sendguard::scanner {

namespace {

constexpr size_t kLookBytes = 600;  // greetings come first; quoted history is not read
constexpr size_t kMaxName = 60;

bool StartsWithWord(std::string_view line, std::string_view word) {
  if (line.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != word[i]) return false;
  }
  return line.size() == word.size() || !std::isalpha(static_cast<unsigned char>(line[word.size()]));
}

// "John. Here is" -> "John"; "Mrs. Patel" stays whole (a full stop after a title).
std::string_view CutAtSentenceEnd(std::string_view name) {
  static const char* const kTitles[] = {"mr", "mrs", "ms", "dr", "prof", "cllr", "rev"};
  for (size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', dot + 1)) {
    size_t word = name.rfind(' ', dot);
    word = word == std::string_view::npos ? 0 : word + 1;
    std::string before = common::AsciiLower(name.substr(word, dot - word));
    bool title = before.size() <= 1;  // an initial: "A. Patel"
    for (const char* t : kTitles) title |= before == t;
    if (!title) return name.substr(0, dot);
  }
  return name;
}

}  // namespace

std::string FindSalutation(std::string_view text) {
  static const char* const kOpenings[] = {"dear", "hi", "hello", "good morning", "good afternoon", "good evening",
                                          "annwyl", "helo", "bore da", "prynhawn da", "noswaith dda"};
  text = text.substr(0, kLookBytes);
  int lines = 0;
  for (std::string_view rest = text; !rest.empty() && lines < 6; ++lines) {
    size_t nl = rest.find('\n');
    std::string_view line = common::Trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) {
      --lines;  // blank lines do not count
      continue;
    }
    if (line[0] == '>') return "";
    for (const char* opening : kOpenings) {
      std::string_view o(opening);
      if (!StartsWithWord(line, o)) continue;
      std::string_view name = common::Trim(line.substr(o.size()));
      size_t end = name.find_first_of(",!:;\r");
      if (end != std::string_view::npos) name = name.substr(0, end);
      name = CutAtSentenceEnd(name);
      name = common::Trim(name);
      if (name.empty() || name.size() > kMaxName) return "";
      return std::string(name);
    }
    return "";  // the first line of text is not a greeting
  }
  return "";
}

}  // namespace sendguard::scanner
