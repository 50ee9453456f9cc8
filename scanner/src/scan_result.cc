// SPDX-License-Identifier: Apache-2.0
// ScanResult's one behaviour, recording why a scan is incomplete; and reading the OCR mark
// of a part path (written by extract/ocr_extract.cc's OcrPart).
#include <algorithm>
#include <string_view>

#include "sendguard/scanner/finding.h"

namespace sendguard::scanner {

void ScanResult::AddIncomplete(const std::string& bound, const std::string& part, const std::string& detail) {
  complete = false;
  std::string reason = bound + ": " + detail + (part.empty() ? "" : " (part " + part + ")");
  if (std::find(incomplete_reasons.begin(), incomplete_reasons.end(), reason) == incomplete_reasons.end()) {
    incomplete_reasons.push_back(reason);
    incomplete.push_back({bound, part, detail});
  }
}

bool FromOcr(const std::string& part, std::string* picture, int* page) {
  const size_t hash = part.rfind('#');
  if (hash == std::string::npos) return false;
  const std::string mark = part.substr(hash + 1);
  int n = 0;
  if (mark != "ocr") {
    constexpr std::string_view kPage = "page-", kOcr = ".ocr";
    if (mark.size() <= kPage.size() + kOcr.size() || mark.rfind(kPage, 0) != 0 ||
        mark.compare(mark.size() - kOcr.size(), kOcr.size(), kOcr) != 0) {
      return false;
    }
    const std::string digits = mark.substr(kPage.size(), mark.size() - kPage.size() - kOcr.size());
    // As OcrPart writes it: a page from 1, no leading zero.
    if (digits.size() > 6 || digits[0] == '0' ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    n = std::stoi(digits);
  }
  if (picture != nullptr) *picture = part.substr(0, hash);
  if (page != nullptr) *page = n;
  return true;
}

}  // namespace sendguard::scanner
