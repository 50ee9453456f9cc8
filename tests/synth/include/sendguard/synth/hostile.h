// SPDX-License-Identifier: Apache-2.0
// Hostile archives of well-known classes, built byte by byte (no archive library) for tests
// and fuzz seeds. Owns only the byte layouts; the scanner's answers are the tests' business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sendguard::synth {

// An overlapping-entry ("non-recursive", after David Fifield's "A better zip bomb") ZIP:
// `entries` central-directory entries whose local file headers overlap. Entry i's deflate
// data quotes the local headers of entries i+1.. in stored blocks, then all share one
// fixed-Huffman kernel that inflates to `kernel_bytes` bytes of 'a'. Every entry's sizes
// and CRC-32 are correct, so each is valid alone; together they expand to about
// entries * kernel_bytes from a file of a few tens of kilobytes. `first_local_flags` are
// the general-purpose flags of the first local header only (its central-directory record
// says 0): 0x2041 claims strong encryption of the central directory, on which libarchive
// 3.6 fails without an error message (archive_error_string is NULL).
std::string OverlappingDeflateZip(int entries, size_t kernel_bytes, uint16_t first_local_flags = 0);

}  // namespace sendguard::synth
