// SPDX-License-Identifier: Apache-2.0
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
  // Nesting of multiparts, attached messages and archives (reason max_depth).
  uint32_t max_depth = 16;
  // Bytes produced by decoding and decompression per message (reason max_extracted_bytes).
  uint64_t max_extracted_bytes = 256ull << 20;
  // Bytes of one attachment or archive member looked at (reason max_member_bytes).
  uint64_t max_member_bytes = 32ull << 20;
  // Members read from one archive (reason max_archive_members).
  uint32_t max_archive_members = 1000;
  // Decompressed bytes per compressed byte of one archive, past the first MiB (reason max_compression_ratio).
  uint32_t max_compression_ratio = 100;
  // Readings of one ambiguous MIME part walked besides the first (two Content-Type headers,
  // two boundaries, two transfer encodings...; reason max_readings).
  uint32_t max_readings_per_part = 8;
  // Wall-clock time for one message's walk and extraction (reason time_budget).
  uint32_t time_budget_ms = 10000;
  // Locations listed per finding (count keeps counting past it).
  uint32_t max_locations_per_finding = 1000;
};

}  // namespace sendguard::scanner
