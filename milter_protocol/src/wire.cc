// SPDX-License-Identifier: Apache-2.0
// Packet framing (see wire.h).
#include "sendguard/milter_protocol/wire.h"

namespace sendguard::milter_protocol {

void AppendUint32(std::string* out, uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
  out->append(b, 4);
}

uint32_t ReadUint32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}

void AppendPacket(std::string* out, char code, std::string_view data) {
  AppendUint32(out, static_cast<uint32_t>(data.size() + 1));
  out->push_back(code);
  out->append(data);
}

PacketReader::Next PacketReader::Take(std::string_view buffer, size_t* offset, char* code,
                                      std::string_view* data) const {
  if (buffer.size() - *offset < 4) return Next::kNeedMore;
  const uint32_t len = ReadUint32(buffer.data() + *offset);
  if (len == 0 || len > max_packet_ + 1) return Next::kMalformed;  // + 1: the command byte
  if (buffer.size() - *offset - 4 < len) return Next::kNeedMore;
  *code = buffer[*offset + 4];
  *data = buffer.substr(*offset + 5, len - 1);
  *offset += 4 + len;
  return Next::kPacket;
}

}  // namespace sendguard::milter_protocol
