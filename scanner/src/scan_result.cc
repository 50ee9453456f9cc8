// SPDX-License-Identifier: Apache-2.0
// ScanResult's one behaviour: recording why a scan is incomplete.
#include <algorithm>

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

}  // namespace sendguard::scanner
