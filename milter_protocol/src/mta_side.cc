// SPDX-License-Identifier: Apache-2.0
// The MTA's side of the protocol (see mta_side.h).
#include "sendguard/milter_protocol/mta_side.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sys/time.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sendguard::milter_protocol::mta {

namespace {

std::string Strings(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) {
    s += p;
    s.push_back('\0');
  }
  return s;
}

std::string Packetise(char code, std::string_view data) {
  std::string out;
  AppendPacket(&out, code, data);
  return out;
}

}  // namespace

std::string Negotiate(uint32_t version, uint32_t actions, uint32_t steps) {
  std::string d;
  AppendUint32(&d, version);
  AppendUint32(&d, actions);
  AppendUint32(&d, steps);
  return Packetise(command::kNegotiate, d);
}

std::string Macros(char stage, const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string d(1, stage);
  for (const auto& [n, v] : pairs) d += Strings({n, v});
  return Packetise(command::kMacro, d);
}

std::string Connect(const std::string& host, char family, uint16_t port, const std::string& address) {
  std::string d = host;
  d.push_back('\0');
  d.push_back(family);
  if (family != 'U') {
    d.push_back(static_cast<char>(port >> 8));
    d.push_back(static_cast<char>(port & 0xff));
    d += address;
    d.push_back('\0');
  }
  return Packetise(command::kConnect, d);
}

std::string Helo(const std::string& name) { return Packetise(command::kHelo, Strings({name})); }
std::string Mail(const std::vector<std::string>& args) { return Packetise(command::kMail, Strings(args)); }
std::string Rcpt(const std::vector<std::string>& args) { return Packetise(command::kRcpt, Strings(args)); }
std::string Data() { return Packetise(command::kData, ""); }
std::string Header(const std::string& name, const std::string& value) {
  return Packetise(command::kHeader, Strings({name, value}));
}
std::string EndOfHeaders() { return Packetise(command::kEndOfHeaders, ""); }
std::string Body(std::string_view chunk) { return Packetise(command::kBody, chunk); }
std::string BodyChunks(std::string_view body) {
  std::string out;
  for (size_t at = 0; at < body.size(); at += kBodyChunk) out += Body(body.substr(at, kBodyChunk));
  return out;
}
std::string EndOfBody() { return Packetise(command::kEndOfBody, ""); }
std::string Abort() { return Packetise(command::kAbort, ""); }
std::string Quit() { return Packetise(command::kQuit, ""); }
std::string QuitNewConnection() { return Packetise(command::kQuitNewConnection, ""); }
std::string Unknown(const std::string& line) { return Packetise(command::kUnknown, Strings({line})); }

std::vector<Packet> Cut(std::string_view bytes, std::string* rest) {
  std::vector<Packet> packets;
  PacketReader reader(64u << 20);
  size_t at = 0;
  char code;
  std::string_view data;
  while (reader.Take(bytes, &at, &code, &data) == PacketReader::Next::kPacket) packets.push_back({code, std::string(data)});
  if (rest) *rest = std::string(bytes.substr(at));
  return packets;
}

bool IsVerdict(const Packet& p) {
  switch (p.code) {
    case reply::kAddRcpt: case reply::kDelRcpt: case reply::kAddRcptWithArgs: case reply::kReplaceBody:
    case reply::kChangeFrom: case reply::kAddHeader: case reply::kInsertHeader: case reply::kChangeHeader:
    case reply::kProgress: case reply::kQuarantine: case reply::kSetMacroList:
      return false;
    default:
      return true;
  }
}

std::string Describe(const Packet& p) {
  std::string s(1, p.code);
  if (p.data.empty()) return s;
  s += ':';
  if (p.code == reply::kNegotiate && p.data.size() >= 12) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "v%u actions=0x%x steps=0x%x", ReadUint32(p.data.data()), ReadUint32(p.data.data() + 4),
                  ReadUint32(p.data.data() + 8));
    return s + buf;
  }
  size_t from = 0;
  if (p.code == reply::kChangeHeader || p.code == reply::kInsertHeader) {
    if (p.data.size() >= 4) s += std::to_string(ReadUint32(p.data.data())) + ":";
    from = 4;
  }
  for (size_t i = from; i < p.data.size(); ++i) {
    const char c = p.data[i];
    if (c == '\0') s += (i + 1 == p.data.size()) ? "" : "=";
    else if (c == '\r') s += "\\r";
    else if (c == '\n') s += "\\n";
    else s.push_back(c);
  }
  return s;
}

Result<Client> Client::Connect(const std::string& spec, std::chrono::milliseconds timeout) {
  int fd = -1;
  if (spec.rfind("unix:", 0) == 0 || spec.rfind("local:", 0) == 0) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string path = spec.substr(spec.find(':') + 1);
    if (path.size() >= sizeof addr.sun_path) return InvalidArgument("socket path too long");
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd);
      return IoError("cannot connect to " + spec + ": " + std::strerror(errno));
    }
  } else if (spec.rfind("inet:", 0) == 0) {
    const std::string rest = spec.substr(5);
    const size_t at = rest.find('@');
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::atoi(rest.substr(0, at).c_str())));
    inet_pton(AF_INET, at == std::string::npos ? "127.0.0.1" : rest.substr(at + 1).c_str(), &addr.sin_addr);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      close(fd);
      return IoError("cannot connect to " + spec + ": " + std::strerror(errno));
    }
  } else {
    return InvalidArgument("unknown socket " + spec);
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  return Client(fd);
}

Client::~Client() {
  if (fd_ >= 0) close(fd_);
}

Status Client::Send(std::string_view bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError(std::string("send: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
  return Status();
}

Result<std::vector<Packet>> Client::UntilVerdict(std::chrono::milliseconds timeout) {
  std::vector<Packet> got;
  const PacketReader reader(64u << 20);
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    size_t at = 0;
    char code;
    std::string_view data;
    bool verdict = false;
    while (!verdict && reader.Take(pending_, &at, &code, &data) == PacketReader::Next::kPacket) {
      got.push_back({code, std::string(data)});
      verdict = IsVerdict(got.back());
    }
    pending_.erase(0, at);
    if (verdict) return got;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
    if (left.count() <= 0) return IoError("no verdict from the milter in time");
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[65536];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return IoError("the milter closed the connection");
    pending_.append(buf, static_cast<size_t>(n));
  }
}

bool Client::ClosedWithin(std::chrono::milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
}

}  // namespace sendguard::milter_protocol::mta
