// SPDX-License-Identifier: Apache-2.0
// null_milter: the floor under bench/mail_path_bench.sh. A milter that does no work at all and
// accepts every message, negotiating what sendguard-milter negotiates over a unix socket (no
// HELO, DATA, end of headers or unknown commands; no reply before end of message; headers and
// body are still sent), so that Postfix + null_milter measures what the milter protocol itself
// costs: Postfix's milter client, the socket, and the engine on this side. Two engines:
//   --engine libmilter   libmilter's thread-per-connection engine, as sendguard-milter uses;
//   --engine epoll       one thread, non-blocking sockets, a hand-written packet loop;
//   --engine sendguard   sendguard's own engine (milter_protocol::Server) with a null Handler.
//   null_milter --engine libmilter|epoll|sendguard --socket PATH
// The scripted milter of the differential test is tests/reference_milter.cc.
// A benchmark tool only: it never decides anything and is not installed.
#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <fcntl.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

#include "sendguard/milter_protocol/server.h"

namespace {

// The same flags as sendguard-milter asks for over a unix socket (kSkipAlways, kSkipLocal and
// kNoReplyLocal in milter/daemon/milter_callbacks.cc).
constexpr unsigned long kWanted = SMFIP_NOHELO | SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_NOEOH | SMFIP_NR_CONN |
                                  SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_BODY;

// --- libmilter -------------------------------------------------------------------------------

sfsistat NoReply(SMFICTX*) { return SMFIS_NOREPLY; }
sfsistat OnConnect(SMFICTX*, char*, _SOCK_ADDR*) { return SMFIS_NOREPLY; }
sfsistat OnEnvelope(SMFICTX*, char**) { return SMFIS_NOREPLY; }
sfsistat OnHeader(SMFICTX*, char*, char*) { return SMFIS_NOREPLY; }
sfsistat OnBody(SMFICTX*, unsigned char*, size_t) { return SMFIS_NOREPLY; }
sfsistat OnEom(SMFICTX*) { return SMFIS_ACCEPT; }
sfsistat OnNegotiate(SMFICTX*, unsigned long, unsigned long f1, unsigned long, unsigned long, unsigned long* pf0,
                     unsigned long* pf1, unsigned long* pf2, unsigned long* pf3) {
  *pf0 = 0;
  *pf1 = f1 & kWanted;
  *pf2 = 0;
  *pf3 = 0;
  return SMFIS_CONTINUE;
}

int RunLibmilter(const std::string& path) {
  smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("null_milter");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_connect = OnConnect;
  desc.xxfi_envfrom = OnEnvelope;
  desc.xxfi_envrcpt = OnEnvelope;
  desc.xxfi_header = OnHeader;
  desc.xxfi_eoh = NoReply;
  desc.xxfi_body = OnBody;
  desc.xxfi_eom = OnEom;
  desc.xxfi_negotiate = OnNegotiate;
  std::string spec = "unix:" + path;
  if (smfi_setconn(spec.data()) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) return 1;
  if (smfi_opensocket(1) != MI_SUCCESS) return 1;
  chmod(path.c_str(), 0666);
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}

// --- epoll -----------------------------------------------------------------------------------

// One MTA connection: bytes read and not yet a whole packet.
struct Peer {
  int fd;
  std::string in;
};

uint32_t ReadBe32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return ntohl(v);
}

void AppendBe32(std::string& out, uint32_t v) {
  v = htonl(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}

void AppendPacket(std::string& out, char command, const std::string& data) {
  AppendBe32(out, static_cast<uint32_t>(data.size() + 1));
  out.push_back(command);
  out += data;
}

// Answers every whole packet in peer.in; false when the connection is to be closed.
bool Serve(Peer& peer) {
  std::string out;
  size_t at = 0;
  bool keep = true;
  while (keep && peer.in.size() - at >= 5) {
    uint32_t len = ReadBe32(peer.in.data() + at);
    if (len == 0 || len > (1u << 24)) return false;
    if (peer.in.size() - at - 4 < len) break;
    char command = peer.in[at + 4];
    const char* data = peer.in.data() + at + 5;
    switch (command) {
      case SMFIC_OPTNEG: {
        if (len < 13) return false;
        std::string reply;
        AppendBe32(reply, std::min<uint32_t>(ReadBe32(data), SMFI_PROT_VERSION));
        AppendBe32(reply, 0);
        AppendBe32(reply, static_cast<uint32_t>(ReadBe32(data + 8) & kWanted));
        AppendPacket(out, SMFIC_OPTNEG, reply);
        break;
      }
      case SMFIC_BODYEOB:
        AppendPacket(out, SMFIR_ACCEPT, "");
        break;
      case SMFIC_QUIT:
        keep = false;
        break;
      default:  // macros, connect, envelope, headers, body, abort, quit-new-connection: no reply
        break;
    }
    at += 4 + len;
  }
  peer.in.erase(0, at);
  for (size_t done = 0; done < out.size();) {  // replies are a few bytes: the socket takes them
    ssize_t n = write(peer.fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return keep;
}

int RunEpoll(const std::string& path) {
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return 1;
  std::strcpy(addr.sun_path, path.c_str());
  unlink(path.c_str());
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener, 128) != 0) {
    std::perror("null_milter: listen");
    return 1;
  }
  chmod(path.c_str(), 0666);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::unordered_map<int, std::unique_ptr<Peer>> peers;
  epoll_event ready[64];
  for (;;) {
    int n = epoll_wait(ep, ready, 64, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 1;
    for (int i = 0; i < n; ++i) {
      int fd = ready[i].data.fd;
      if (fd == listener) {
        int c;
        while ((c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
          peers[c] = std::make_unique<Peer>(Peer{c, {}});
        }
        continue;
      }
      Peer& peer = *peers[fd];
      bool open = true;
      char buf[65536];
      for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0) {
          peer.in.append(buf, static_cast<size_t>(got));
          continue;
        }
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
        open = false;  // end of file or an error
        break;
      }
      if (!Serve(peer) || !open) {
        close(fd);  // also leaves the epoll set
        peers.erase(fd);
      }
    }
  }
}

// --- sendguard's engine ------------------------------------------------------------------------

class NullHandler : public sendguard::milter_protocol::Handler {
 public:
  sendguard::milter_protocol::Negotiation Negotiate(const sendguard::milter_protocol::Negotiation&) override {
    return {sendguard::milter_protocol::kProtocolVersion, 0, static_cast<uint32_t>(kWanted)};  // within the offer
  }
  std::variant<sendguard::milter_protocol::Reply, sendguard::milter_protocol::Deferred> OnEndOfMessage(
      const sendguard::milter_protocol::Session&, sendguard::milter_protocol::Completion) override {
    return sendguard::milter_protocol::Reply::Accept();
  }
};

int RunSendguard(const std::string& path) {
  namespace mp = sendguard::milter_protocol;
  auto server = mp::Server::Listen("unix:" + path, mp::ServerOptions{}, [] { return std::make_unique<NullHandler>(); });
  if (!server.ok()) {
    std::fprintf(stderr, "null_milter: %s\n", server.status().ToString().c_str());
    return 1;
  }
  chmod(path.c_str(), 0666);
  (*server)->Run();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"null_milter: a milter that does nothing, the floor for bench/mail_path_bench.sh"};
  std::string engine = "libmilter";
  std::string path;
  app.add_option("--engine", engine, "libmilter, epoll or sendguard")
      ->check(CLI::IsMember({"libmilter", "epoll", "sendguard"}));
  app.add_option("--socket", path, "unix socket path")->required();
  CLI11_PARSE(app, argc, argv);
  if (engine == "sendguard") return RunSendguard(path);
  return engine == "libmilter" ? RunLibmilter(path) : RunEpoll(path);
}
