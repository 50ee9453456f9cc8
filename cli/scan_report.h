// SPDX-License-Identifier: Apache-2.0
// Renders a decided message: the stable JSON line contract (findings, then verdict,
// policies, signals and the sender's explanation), and a readable report for people.
#pragma once

#include <string>

#include "sendguard/milter/policy_setup.h"

namespace sendguard::cli {

// One JSON object on one line: {"file","complete","incomplete_reasons","findings":[...],
// "bytes_scanned","parts","sender","recipients","verdict","monitored_verdict","policies",
// "policy_matches","signals","explanation"}.
std::string ScanResultJson(const std::string& file, const milter::Decision& decision);

// A short human-readable report (masked values only).
std::string ScanResultText(const std::string& file, const milter::Decision& decision);

}  // namespace sendguard::cli
