// SPDX-License-Identifier: Apache-2.0
// The keyed hashes of the distinct values of one information type a scan found, anywhere in
// the message: what a test compares with the hashes of the values it planted.
#pragma once

#include <set>
#include <string>

#include "sendguard/scanner/finding.h"

namespace sendguard::testing {

inline std::set<std::string> FoundHashes(const scanner::ScanResult& r, const std::string& type = "uk.nhs_number") {
  std::set<std::string> found;
  for (const auto& f : r.findings) {
    if (f.type != type) continue;
    for (const auto& l : f.locations) found.insert(l.hash);
  }
  return found;
}

}  // namespace sendguard::testing
