// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the body transfer decoders (base64, quoted-printable in body and header mode,
// uuencode), each lenient by design; checks that none produces more than its encoding allows.
#include "fuzz_support.h"
#include "mime_words.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  const std::string_view in = fuzz::Bytes(data, size);
  size_t bad = 0;
  const std::string b64 = scanner::DecodeBase64(in, &bad);
  fuzz::Check(b64.size() <= (size / 4 + 1) * 3, "base64 decoded longer than 3/4 of its input");
  fuzz::Check(bad <= size, "more bad base64 characters than input");
  fuzz::Check(scanner::DecodeQuotedPrintable(in).size() <= size, "quoted-printable decoded longer than its input");
  fuzz::Check(scanner::DecodeQuotedPrintable(in, true).size() <= size, "Q encoding decoded longer than its input");
  // Each uuencoded line of n characters carries at most 3/4 of them, and a line's count byte
  // may claim at most 63 bytes.
  fuzz::Check(scanner::DecodeUuencode(in).size() <= size + 64, "uudecoded longer than its input");
  return 0;
}
