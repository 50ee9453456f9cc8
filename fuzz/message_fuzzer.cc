// SPDX-License-Identifier: Apache-2.0
// Fuzz target: a whole raw message through the scanner (the MIME walk, every reading of an
// ambiguous structure, the decoders, the charsets, the extractors behind attachments) and the
// content digest a confirmation code binds to.
#include "extract_support.h"
#include "sendguard/common/keyed_hash.h"
#include "sendguard/scanner/scanner.h"
#include "sendguard/testing/shipped_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  static const common::KeyedHasher hasher("fuzzing key, not a secret");
  static scanner::Scanner engine(testing::ShippedRules(), hasher, fuzz::FuzzOptions());
  const std::string_view raw = fuzz::Bytes(data, size);
  const scanner::ScanResult result = engine.ScanMessage(raw);
  for (const auto& f : result.findings) fuzz::Check(!f.type.empty(), "finding without a type");
  const std::string digest = engine.ContentDigest(raw);
  fuzz::Check(digest.size() == 64, "content digest is not hex SHA-256");
  return 0;
}
