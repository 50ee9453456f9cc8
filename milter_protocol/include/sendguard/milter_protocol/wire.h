// SPDX-License-Identifier: Apache-2.0
// The milter protocol's words on the wire (version 6, as Sendmail's libmilter and Postfix's
// milter8 speak it): command and reply codes, action and protocol-step flags, and the framing
// (a 4-byte big-endian length, one command byte, the data). sendguard's own definitions: no
// libmilter header is needed to speak the protocol.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sendguard::milter_protocol {

constexpr uint32_t kProtocolVersion = 6;
constexpr uint32_t kOldestVersion = 2;   // older MTAs are refused, as libmilter refuses them
constexpr size_t kBodyChunk = 65535;     // the largest body chunk either side sends

// Commands, MTA -> filter.
namespace command {
constexpr char kAbort = 'A', kBody = 'B', kConnect = 'C', kMacro = 'D', kEndOfBody = 'E', kHelo = 'H',
               kQuitNewConnection = 'K', kHeader = 'L', kMail = 'M', kEndOfHeaders = 'N', kNegotiate = 'O',
               kQuit = 'Q', kRcpt = 'R', kData = 'T', kUnknown = 'U';
}  // namespace command

// Replies and modifications, filter -> MTA.
namespace reply {
constexpr char kAddRcpt = '+', kDelRcpt = '-', kAddRcptWithArgs = '2', kShutdown = '4', kAccept = 'a',
               kReplaceBody = 'b', kContinue = 'c', kDiscard = 'd', kChangeFrom = 'e', kConnectionFail = 'f',
               kAddHeader = 'h', kInsertHeader = 'i', kSetMacroList = 'l', kChangeHeader = 'm', kProgress = 'p',
               kQuarantine = 'q', kReject = 'r', kSkip = 's', kTempfail = 't', kReplyCode = 'y', kNegotiate = 'O';
}  // namespace reply

// Actions the filter may take at end of message (negotiated).
namespace action {
constexpr uint32_t kAddHeaders = 0x01, kChangeBody = 0x02, kAddRcpt = 0x04, kDelRcpt = 0x08, kChangeHeaders = 0x10,
                   kQuarantine = 0x20, kChangeFrom = 0x40, kAddRcptWithArgs = 0x80, kSetMacroList = 0x100;
}  // namespace action

// Protocol steps: steps the MTA leaves out, steps it sends without waiting for an answer, and
// what else it understands (negotiated).
namespace step {
constexpr uint32_t kNoConnect = 0x1, kNoHelo = 0x2, kNoMail = 0x4, kNoRcpt = 0x8, kNoBody = 0x10, kNoHeaders = 0x20,
                   kNoEndOfHeaders = 0x40, kNoReplyHeader = 0x80, kNoUnknown = 0x100, kNoData = 0x200,
                   kSkip = 0x400, kRejectedRcpts = 0x800, kNoReplyConnect = 0x1000, kNoReplyHelo = 0x2000,
                   kNoReplyMail = 0x4000, kNoReplyRcpt = 0x8000, kNoReplyData = 0x10000,
                   kNoReplyUnknown = 0x20000, kNoReplyEndOfHeaders = 0x40000, kNoReplyBody = 0x80000,
                   kHeaderLeadingSpace = 0x100000;
// Every step flag of version 6 (the bits above 0x1FFFFF are internal to MTA and library).
constexpr uint32_t kAll = 0x1FFFFF;
}  // namespace step

// Appends one packet (length, command, data) to *out.
void AppendPacket(std::string* out, char code, std::string_view data);
// A 32-bit big-endian number, appended / read (p must hold 4 bytes).
void AppendUint32(std::string* out, uint32_t v);
uint32_t ReadUint32(const char* p);

// Cuts whole packets from the front of a byte stream, within a size bound.
class PacketReader {
 public:
  explicit PacketReader(size_t max_packet) : max_packet_(max_packet) {}
  enum class Next { kPacket, kNeedMore, kMalformed };
  // The next whole packet in `buffer` from *offset: kPacket with *code, *data and *offset moved
  // past it; kNeedMore when it is not all there yet; kMalformed when its stated length is 0 or
  // over the bound (the connection is to be closed: the stream cannot be resynchronised).
  Next Take(std::string_view buffer, size_t* offset, char* code, std::string_view* data) const;
  size_t max_packet() const { return max_packet_; }

 private:
  size_t max_packet_;
};

}  // namespace sendguard::milter_protocol
