// Renders a ScanResult: the stable JSON line contract, and a readable report for people.
#pragma once

#include <string>

#include "sendguard/scanner/finding.h"

namespace sendguard::cli {

// One JSON object on one line: {"file","complete","incomplete_reasons","findings":[...]}.
std::string ScanResultJson(const std::string& file, const scanner::ScanResult& result);

// A short human-readable report (masked values only).
std::string ScanResultText(const std::string& file, const scanner::ScanResult& result);

}  // namespace sendguard::cli
