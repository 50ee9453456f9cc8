// SPDX-License-Identifier: Apache-2.0
// Bounds and switches for one scan. Every bound has a default and, when hit, makes the
// result incomplete with a named reason; nothing is dropped silently.
#pragma once

#include <cstdint>
#include <string>

namespace sendguard::scanner {

// Which pictures are read with OCR: none; attachments (images attached, images inside
// attachments and archives, PDF pages with no text); or those and the images inline in the
// message body (pasted screenshots, signature logos).
enum class OcrMode { kOff, kAttachments, kAll };

// Bounds and switches of OCR. Over a bound the scan is incomplete with the bound's name.
struct OcrOptions {
  OcrMode mode = OcrMode::kAttachments;
  std::string languages = "eng";         // Tesseract's languages: "eng", "eng+cym"
  std::string tessdata_dir;              // "" = Tesseract's default
  uint32_t message_ms = 10000;           // recognition time per message (reason ocr_time_budget)
  uint32_t image_ms = 6000;              // per image or page (reason ocr_image_time): a page takes 1.5-3 s of a free core
  uint64_t max_pixels = 40'000'000;      // per image or page, checked before decoding (reason max_ocr_pixels)
  uint32_t max_pages = 20;               // pages of one TIFF or PDF read (reason max_ocr_pages)
  uint32_t max_images = 30;              // images and pages read per message (reason max_ocr_images)
  // Smaller images cannot hold a line of ten legible characters (tracking pixels, icons,
  // bullets): skipped, and counted.
  uint32_t min_width = 60;
  uint32_t min_height = 10;
  uint32_t pdf_dpi = 300;                // PDF pages with no text are rendered at this resolution
  // A PDF page with fewer characters than this in its text layer is read as a picture too
  // (a scanner's stamp or page number is not a text layer).
  uint32_t pdf_text_min_chars = 50;
  uint64_t cache_bytes = 16ull << 20;    // recognised text kept per process, by content digest
};

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
  OcrOptions ocr;
};

}  // namespace sendguard::scanner
