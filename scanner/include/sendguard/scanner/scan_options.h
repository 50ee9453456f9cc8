// Bounds and switches for one scan. Every bound has a default and, when hit, makes the
// result incomplete with a named reason; nothing is dropped silently.
#pragma once

#include <cstdint>

namespace sendguard::scanner {

struct ScanOptions {
  // Bytes of a raw message looked at; the rest is not scanned (reason max_message_bytes).
  uint64_t max_message_bytes = 64ull << 20;
  // Bytes of extracted text fed to the engine per message (reason max_scan_bytes).
  uint64_t max_scan_bytes = 64ull << 20;
  // Raw engine hits kept per text part; a flood of candidates stops that part (reason too_many_candidates).
  uint32_t max_candidates_per_part = 1'000'000;
  // MIME leaves visited per message (reason max_parts).
  uint32_t max_parts = 1000;
  // Nesting of multiparts and attached messages (reason max_depth).
  uint32_t max_depth = 32;
  // Locations listed per finding (count keeps counting past it).
  uint32_t max_locations_per_finding = 1000;
};

}  // namespace sendguard::scanner
