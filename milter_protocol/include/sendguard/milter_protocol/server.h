// SPDX-License-Identifier: Apache-2.0
// The event loop: one thread, epoll, non-blocking sockets, every MTA connection a Session with
// bounded buffers; no thread per connection. End-of-message answers that come later (a scan on
// a worker thread) arrive through a mailbox woken by an eventfd; while one is awaited the MTA
// gets a progress packet every `progress_every`, and its deadline is kept here.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "sendguard/common/status.h"
#include "sendguard/milter_protocol/session.h"

namespace sendguard::milter_protocol {

struct ServerOptions {
  SessionLimits limits;
  // A connection the MTA leaves silent this long is closed (outside an awaited answer).
  std::chrono::seconds idle_timeout{600};
  // While an end of message is awaited: SMFIR_PROGRESS this often, so the MTA's own timer
  // restarts (Postfix milter_content_timeout, Sendmail's T=E:).
  std::chrono::milliseconds progress_every{10000};
  // Bytes waiting to be written to one connection before it is given up (the MTA reads none).
  size_t max_pending_output = 4 << 20;
  // A packet begun must be whole within this time (a client trickling a 1 MiB packet a byte
  // at a time would hold its buffer for ever): the connection is closed.
  std::chrono::seconds packet_timeout{120};
  // Connections beyond this are closed as soon as accepted (the MTA applies its default
  // action): each may hold a packet's buffer; Postfix opens one per smtpd process.
  size_t max_connections = 4096;
  int backlog = 512;
};

// What the loop has done, for metrics (read from any thread).
struct ServerCounters {
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> closed_malformed{0};  // closed for a protocol error or an oversized packet
  std::atomic<uint64_t> closed_idle{0};        // silent too long, or a packet begun and not finished
  std::atomic<uint64_t> refused{0};            // over max_connections, or no descriptor left
  std::atomic<uint64_t> deadlines{0};         // answers given by OnEndOfMessageDeadline
  std::atomic<int64_t> open{0};               // connections open now
};

class Server {
 public:
  using HandlerFactory = Session::HandlerFactory;
  // Opens the listening socket: "unix:PATH" or "local:PATH" (a stale socket file there is
  // replaced), "inet:PORT@ADDRESS" (or "inet:PORT": loopback), "inet6:PORT@ADDRESS".
  static Result<std::unique_ptr<Server>> Listen(const std::string& spec, ServerOptions options, HandlerFactory make);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until Stop; then connections still open are served until they close or the drain
  // time passes (then they are closed). Call once, on the loop's thread.
  void Run();
  // From any thread: stop accepting; Run returns once no connection is open, or after `drain`.
  void Stop(std::chrono::milliseconds drain);

  const ServerCounters& counters() const { return counters_; }
  // The unix socket's path ("" for TCP); the port bound (TCP; 0 for unix).
  const std::string& unix_path() const { return unix_path_; }
  int port() const { return port_; }

  struct Mailbox;  // the answers finished on other threads (server.cc)

 private:
  struct Connection;
  Server(int listener, ServerOptions options, HandlerFactory make);
  void Accept();
  void ReadFrom(Connection& c);
  void Flush(Connection& c);
  void Close(int fd, std::atomic<uint64_t>* reason);
  void TakeMail();
  void Tick();
  void Finish(Connection& c, Session::State state);

  int listener_ = -1;
  // Out of descriptors (EMFILE): the listener leaves the epoll set until then, so the loop does
  // not spin on a connection it cannot take.
  std::chrono::steady_clock::time_point listener_paused_until_{};
  bool listener_paused_ = false;
  int epoll_ = -1;
  int wake_ = -1;  // eventfd: the mailbox has answers, or Stop was called
  std::string unix_path_;
  int port_ = 0;
  ServerOptions options_;
  HandlerFactory make_;
  std::shared_ptr<Mailbox> mailbox_;
  struct Connections;
  std::unique_ptr<Connections> connections_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> drain_ms_{0};
  ServerCounters counters_;
  uint64_t next_id_ = 1;
};

}  // namespace sendguard::milter_protocol
