// SPDX-License-Identifier: Apache-2.0
// What every fuzz target shares: a crash-on-violation check that works in release builds too,
// and the input split into a selector byte and the rest.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>


namespace sendguard::fuzz {

// A broken invariant: print it and abort, so libFuzzer (or the replay run) reports the input.
[[noreturn]] inline void Violated(const char* what, std::string_view detail = {}) {
  const std::string shown(detail);
  std::fprintf(stderr, "invariant violated: %s %s\n", what, shown.c_str());
  std::abort();
}
inline void Check(bool ok, const char* what) {
  if (!ok) Violated(what);
}

// The first byte of an input chooses among `n` variants of a target; the rest is the data.
struct Selected {
  unsigned choice;
  std::string_view rest;
};
inline Selected Select(const uint8_t* data, size_t size, unsigned n) {
  if (size == 0) return {0, {}};
  return {static_cast<unsigned>(data[0] % n), std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)};
}
inline std::string_view Bytes(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

}  // namespace sendguard::fuzz
