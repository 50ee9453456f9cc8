// `sendguard scan`: scans .eml files (or `-` for standard input) and prints findings.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "scan_report.h"
#include "sendguard/scanner/scanner.h"

namespace sendguard::cli {

int RunScan(const EngineFlags& flags, const std::vector<std::string>& files, bool json) {
  auto engine = LoadEngine(flags);
  if (!engine.ok()) {
    std::fprintf(stderr, "sendguard: cannot load rules:\n%s\n", engine.status().message().c_str());
    return 2;
  }
  auto secret = LoadSecret(flags);
  if (!secret.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", secret.status().ToString().c_str());
    return 2;
  }
  common::KeyedHasher hasher(*secret);
  scanner::Scanner scanner(*engine, hasher);
  int rc = 0;
  for (const auto& file : files) {
    std::string raw;
    if (file == "-") {
      raw.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::fprintf(stderr, "sendguard: cannot read %s\n", file.c_str());
        rc = 1;
        continue;
      }
      raw.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    scanner::ScanResult result = scanner.ScanMessage(raw);
    std::string out = json ? ScanResultJson(file, result) + "\n" : ScanResultText(file, result);
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return rc;
}

}  // namespace sendguard::cli
