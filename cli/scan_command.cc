// SPDX-License-Identifier: Apache-2.0
// `sendguard scan`: scans .eml files (or `-` for standard input) and prints findings, the
// verdict the milter would reach, the policies and signals behind it, and what the sender reads.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "commands.h"
#include "scan_report.h"
#include "sendguard/milter/policy_setup.h"
#include "sendguard/milter/recipient_history.h"
#include "sendguard/milter/state_db.h"
#include "sendguard/scanner/scanner.h"

namespace sendguard::cli {

Result<std::string> ReadInput(const std::string& file) {
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(file, std::ios::binary);
  if (!in) return IoError("cannot read " + file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int RunScan(const EngineFlags& flags, const ScanFlags& scan) {
  auto setup = LoadSetup(flags);
  if (!setup.ok()) {
    std::fprintf(stderr, "sendguard: cannot load rules, policies or config:\n%s\n", setup.status().message().c_str());
    return 2;
  }
  common::KeyedHasher hasher(setup->secret);
  std::unique_ptr<common::SqlDb> db;
  std::unique_ptr<milter::RecipientHistory> history;
  if (!scan.history_db.empty()) {
    auto opened = milter::OpenStateDb(scan.history_db);
    if (!opened.ok()) {
      std::fprintf(stderr, "sendguard: %s\n", opened.status().message().c_str());
      return 2;
    }
    db = std::move(opened).value();
    history = std::make_unique<milter::RecipientHistory>(*db, hasher);
  }
  scanner::ScanOptions options;
  options.ocr = setup->config.ocr;  // pictures read as the milter reads them
  scanner::Scanner scanner(setup->rules, hasher, options);
  const milter::Envelope envelope{scan.from, scan.to};
  int rc = 0;
  for (const auto& file : scan.files) {
    auto raw = ReadInput(file);
    if (!raw.ok()) {
      std::fprintf(stderr, "sendguard: %s\n", raw.status().message().c_str());
      rc = 1;
      continue;
    }
    milter::Decision d = milter::DecideMessage(scanner, *setup->policy, history.get(), *raw, envelope);
    std::string out = scan.json ? ScanResultJson(file, d) + "\n" : ScanResultText(file, d);
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return rc;
}

}  // namespace sendguard::cli
