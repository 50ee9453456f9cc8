// SPDX-License-Identifier: Apache-2.0
// The epoll event loop (see server.h).
#include "sendguard/milter_protocol/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sendguard::milter_protocol {

namespace {

using Clock = std::chrono::steady_clock;

void Wake(int fd) {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(fd, &one, sizeof one);
}

// A host name (as libmilter took one: "inet:8899@gw.example"), resolved to its first address of
// `family`.
bool Resolve(const std::string& host, int family, sockaddr_storage* out) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || !found) return false;
  std::memcpy(out, found->ai_addr, std::min<size_t>(found->ai_addrlen, sizeof *out));
  freeaddrinfo(found);
  return true;
}

Result<int> OpenListener(const std::string& spec, int backlog, std::string* unix_path, int* port) {
  const size_t colon = spec.find(':');
  const std::string kind = colon == std::string::npos ? "" : spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? spec : spec.substr(colon + 1);
  int fd = -1;
  if (kind == "unix" || kind == "local") {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (rest.empty() || rest.size() >= sizeof addr.sun_path) return InvalidArgument("bad unix socket path in " + spec);
    std::memcpy(addr.sun_path, rest.c_str(), rest.size() + 1);
    struct stat st {};
    if (lstat(rest.c_str(), &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) return InvalidArgument(rest + " exists and is not a socket");
      unlink(rest.c_str());  // a stale socket from an earlier run
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const std::string why = std::strerror(errno);
      if (fd >= 0) close(fd);
      return IoError("cannot bind the milter socket " + rest + ": " + why);
    }
    *unix_path = rest;
  } else if (kind == "inet" || kind == "inet6") {
    const size_t at = rest.find('@');
    const std::string port_text = rest.substr(0, at);
    std::string host = at == std::string::npos ? (kind == "inet" ? "127.0.0.1" : "::1") : rest.substr(at + 1);
    if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    char* end = nullptr;
    const long p = std::strtol(port_text.c_str(), &end, 10);
    if (port_text.empty() || *end || p < 0 || p > 65535) return InvalidArgument("bad port in milter socket " + spec);
    const bool v6 = kind == "inet6" || host.find(':') != std::string::npos;
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1 && !Resolve(host, AF_INET6, &ss)) {
        return InvalidArgument("bad address in milter socket " + spec);
      }
      a->sin6_port = htons(static_cast<uint16_t>(p));
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1 && !Resolve(host, AF_INET, &ss)) {
        return InvalidArgument("bad address in milter socket " + spec);
      }
      a->sin_port = htons(static_cast<uint16_t>(p));
      len = sizeof *a;
    }
    fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    if (fd >= 0) {
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      // Replies are small writes: Nagle would hold them back for the MTA's delayed ACK.
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      const std::string why = std::strerror(errno);
      if (fd >= 0) close(fd);
      return IoError("cannot bind the milter socket " + spec + ": " + why);
    }
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen);
    *port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  } else {
    return InvalidArgument("milter socket must be unix:PATH, local:PATH, inet:PORT@ADDRESS or inet6:PORT@ADDRESS, not " + spec);
  }
  if (listen(fd, backlog) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return IoError("cannot listen on the milter socket " + spec + ": " + why);
  }
  return fd;
}

}  // namespace

struct Server::Mailbox {
  struct Item {
    uint64_t connection;
    uint64_t message;
    std::function<Reply()> make;
  };
  std::mutex mu;
  std::vector<Item> items;
  int wake = -1;
};

namespace {

// A deferred end of message's way back to the loop: one Finish counts.
struct MailboxTarget : Completion::Target {
  std::weak_ptr<Server::Mailbox> mailbox;
  uint64_t connection = 0;
  uint64_t message = 0;
  std::atomic<bool> used{false};
  std::atomic<bool> cancelled{false};
  bool Cancelled() const override { return cancelled.load(); }
  void Finish(std::function<Reply()> make) override {
    if (used.exchange(true)) return;
    auto box = mailbox.lock();
    if (!box) return;  // the server is gone
    std::lock_guard<std::mutex> lock(box->mu);
    box->items.push_back({connection, message, std::move(make)});
    Wake(box->wake);
  }
};

}  // namespace

struct Server::Connection {
  int fd = -1;
  uint64_t id = 0;
  std::unique_ptr<Session> session;
  std::string out;
  Clock::time_point last_read;
  Clock::time_point deadline_at{};   // awaited answer's deadline (max(): none)
  Clock::time_point progress_at{};   // next progress packet
  Clock::time_point partial_since{}; // when the input began to hold part of a packet (0: none)
  uint64_t waiting_message = 0;      // the end of message the deadline and progress are for
  bool writing = false;              // EPOLLOUT armed
  std::weak_ptr<MailboxTarget> pending;  // the awaited answer's target (cancelled if nobody waits)
  void Cancel() {
    if (auto t = pending.lock()) t->cancelled = true;
  }
};

struct Server::Connections {
  std::unordered_map<int, std::unique_ptr<Connection>> by_fd;
  std::unordered_map<uint64_t, int> fd_of;
  std::unordered_set<int> waiting;  // fds awaiting an end-of-message answer
};

Result<std::unique_ptr<Server>> Server::Listen(const std::string& spec, ServerOptions options, HandlerFactory make) {
  std::string unix_path;
  int port = 0;
  auto fd = OpenListener(spec, options.backlog, &unix_path, &port);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<Server> s(new Server(*fd, options, std::move(make)));
  s->unix_path_ = unix_path;
  s->port_ = port;
  if (s->epoll_ < 0 || s->wake_ < 0) return IoError(std::string("cannot start the event loop: ") + std::strerror(errno));
  return s;
}

Server::Server(int listener, ServerOptions options, HandlerFactory make)
    : listener_(listener), options_(options), make_(std::move(make)), mailbox_(std::make_shared<Mailbox>()),
      connections_(std::make_unique<Connections>()) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  mailbox_->wake = wake_;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = listener_;
  if (epoll_ >= 0) epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &ev);
  ev.data.fd = wake_;
  if (epoll_ >= 0 && wake_ >= 0) epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &ev);
}

Server::~Server() {
  while (!connections_->by_fd.empty()) Close(connections_->by_fd.begin()->first, nullptr);
  {
    std::lock_guard<std::mutex> lock(mailbox_->mu);
    mailbox_->wake = -1;
  }
  if (listener_ >= 0) {
    close(listener_);
    if (!unix_path_.empty()) unlink(unix_path_.c_str());
  }
  if (wake_ >= 0) close(wake_);
  if (epoll_ >= 0) close(epoll_);
}

void Server::Stop(std::chrono::milliseconds drain) {
  drain_ms_ = drain.count();
  stopping_ = true;
  std::lock_guard<std::mutex> lock(mailbox_->mu);
  if (mailbox_->wake >= 0) Wake(mailbox_->wake);
}

void Server::Accept() {
  for (;;) {
    const int fd = accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // The connection waits in the backlog; the listener stays readable, so it leaves the
        // epoll set for a moment instead of waking the loop again at once.
        ++counters_.refused;
        epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_, nullptr);
        listener_paused_ = true;
        listener_paused_until_ = Clock::now() + std::chrono::milliseconds(100);
      }
      return;  // EAGAIN: all taken
    }
    if (connections_->by_fd.size() >= options_.max_connections) {
      ++counters_.refused;
      close(fd);
      continue;
    }
    if (unix_path_.empty()) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    auto c = std::make_unique<Connection>();
    c->fd = fd;
    c->id = next_id_++;
    c->last_read = Clock::now();
    const uint64_t id = c->id;
    std::weak_ptr<Mailbox> box = mailbox_;
    Connection* raw = c.get();
    c->session = std::make_unique<Session>(make_, [box, id, raw] {
      auto t = std::make_shared<MailboxTarget>();
      t->mailbox = box;
      t->connection = id;
      t->message = raw->session->message_number();
      raw->pending = t;
      return Completion(t);
    }, options_.limits);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(fd);
      continue;
    }
    connections_->fd_of[id] = fd;
    connections_->by_fd[fd] = std::move(c);
    ++counters_.accepted;
    ++counters_.open;
  }
}

void Server::Close(int fd, std::atomic<uint64_t>* reason) {
  auto it = connections_->by_fd.find(fd);
  if (it == connections_->by_fd.end()) return;
  std::unique_ptr<Connection> c = std::move(it->second);
  connections_->by_fd.erase(it);
  connections_->fd_of.erase(c->id);
  connections_->waiting.erase(fd);
  if (reason) ++*reason;
  c->Cancel();  // a scan not yet started for it is skipped
  c->session->Closed();
  close(fd);  // also leaves the epoll set
  --counters_.open;
}

void Server::Flush(Connection& c) {
  size_t done = 0;
  while (done < c.out.size()) {
    const ssize_t n = send(c.fd, c.out.data() + done, c.out.size() - done, MSG_NOSIGNAL);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    c.out.clear();
    Close(c.fd, nullptr);  // the MTA went away
    return;
  }
  c.out.erase(0, done);
  const bool want_write = !c.out.empty();
  if (want_write && c.out.size() > options_.max_pending_output) {
    Close(c.fd, &counters_.closed_malformed);
    return;
  }
  if (want_write != c.writing) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u);
    ev.data.fd = c.fd;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    c.writing = want_write;
  }
}

// After the session moved: waits are timed, a closed session's connection is closed (once
// what it had to say is written).
void Server::Finish(Connection& c, Session::State state) {
  const int fd = c.fd;
  // A new wait: the first, or the next message taken from held input right after an answer.
  if (state == Session::State::kWaiting &&
      (!connections_->waiting.count(fd) || c.waiting_message != c.session->message_number())) {
    connections_->waiting.insert(fd);
    c.waiting_message = c.session->message_number();
    const auto now = Clock::now();
    const auto deadline = c.session->deadline();
    c.deadline_at = deadline.count() > 0 ? now + deadline : Clock::time_point::max();
    c.progress_at = now + options_.progress_every;
  } else if (state != Session::State::kWaiting) {
    connections_->waiting.erase(fd);
  }
  if (!c.out.empty()) Flush(c);
  if (!connections_->by_fd.count(fd)) return;  // Flush closed it
  if (state == Session::State::kClosed) {
    const bool protocol_error = c.session->close_reason() != "quit";
    Close(fd, protocol_error ? &counters_.closed_malformed : nullptr);
  }
}

void Server::ReadFrom(Connection& c) {
  static thread_local char buffer[256 * 1024];
  const ssize_t n = recv(c.fd, buffer, sizeof buffer, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    Close(c.fd, nullptr);
    return;
  }
  c.last_read = Clock::now();
  const int fd = c.fd;
  Finish(c, c.session->Receive(std::string_view(buffer, static_cast<size_t>(n)), &c.out));
  if (!connections_->by_fd.count(fd)) return;
  const bool partial = c.session->state() == Session::State::kOpen && c.session->buffered() > 0;
  if (!partial) {
    c.partial_since = {};
  } else if (c.partial_since == Clock::time_point{}) {
    c.partial_since = c.last_read;
  }
}

void Server::TakeMail() {
  uint64_t count;
  [[maybe_unused]] ssize_t n = read(wake_, &count, sizeof count);
  std::vector<Mailbox::Item> items;
  {
    std::lock_guard<std::mutex> lock(mailbox_->mu);
    items.swap(mailbox_->items);
  }
  for (auto& item : items) {
    auto fd = connections_->fd_of.find(item.connection);
    if (fd == connections_->fd_of.end()) continue;  // the connection closed meanwhile
    Connection& c = *connections_->by_fd.at(fd->second);
    if (c.session->state() != Session::State::kWaiting || c.session->message_number() != item.message) continue;
    Reply reply = Reply::Tempfail();
    try {
      reply = item.make();
    } catch (...) {
      // the filter could not say: tempfail, which loses nothing
    }
    Finish(c, c.session->Answer(reply, &c.out));
  }
}

void Server::Tick() {
  const auto now = Clock::now();
  std::vector<int> due(connections_->waiting.begin(), connections_->waiting.end());
  for (int fd : due) {
    auto it = connections_->by_fd.find(fd);
    if (it == connections_->by_fd.end()) continue;
    Connection& c = *it->second;
    if (now >= c.deadline_at) {
      ++counters_.deadlines;
      c.Cancel();
      Finish(c, c.session->DeadlinePassed(&c.out));
    } else if (now >= c.progress_at) {
      AppendPacket(&c.out, reply::kProgress, "");
      c.progress_at = now + options_.progress_every;
      Flush(c);
    }
  }
}

void Server::Run() {
  epoll_event ready[128];
  auto last_idle_check = Clock::now();
  Clock::time_point drain_until = Clock::time_point::max();
  for (;;) {
    if (listener_paused_ && !stopping_ && Clock::now() >= listener_paused_until_) {
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = listener_;
      epoll_ctl(epoll_, EPOLL_CTL_ADD, listener_, &ev);
      listener_paused_ = false;
    }
    if (stopping_ && listener_ >= 0) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, listener_, nullptr);
      close(listener_);
      listener_ = -1;
      if (!unix_path_.empty()) unlink(unix_path_.c_str());
      drain_until = Clock::now() + std::chrono::milliseconds(drain_ms_.load());
    }
    if (stopping_) {
      // Connections between messages are closed now (the MTA's next message on one gets its
      // default action); a message in progress is finished, within the drain time.
      std::vector<int> between;
      for (const auto& [fd, c] : connections_->by_fd) {
        if (!c->session->in_message() && c->session->state() != Session::State::kWaiting) between.push_back(fd);
      }
      for (int fd : between) Close(fd, nullptr);
      if (connections_->by_fd.empty() || Clock::now() >= drain_until) break;
    }
    // Sleep until the next deadline or progress packet, at most a second (idle checks).
    auto wake_at = Clock::now() + std::chrono::seconds(1);
    if (listener_paused_) wake_at = std::min(wake_at, listener_paused_until_);
    for (int fd : connections_->waiting) {
      const Connection& c = *connections_->by_fd.at(fd);
      wake_at = std::min({wake_at, c.deadline_at, c.progress_at});
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake_at - Clock::now()).count();
    const int n = epoll_wait(epoll_, ready, 128, static_cast<int>(std::max<int64_t>(0, wait)));
    for (int i = 0; i < n; ++i) {
      const int fd = ready[i].data.fd;
      if (fd == listener_) {
        Accept();
        continue;
      }
      if (fd == wake_) {
        TakeMail();
        continue;
      }
      auto it = connections_->by_fd.find(fd);
      if (it == connections_->by_fd.end()) continue;
      Connection& c = *it->second;
      if (ready[i].events & EPOLLOUT) Flush(c);
      if (!connections_->by_fd.count(fd)) continue;
      if (ready[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ReadFrom(c);
    }
    Tick();
    const auto now = Clock::now();
    if (now - last_idle_check >= std::chrono::seconds(1)) {
      last_idle_check = now;
      std::vector<int> idle;
      for (const auto& [fd, c] : connections_->by_fd) {
        if (connections_->waiting.count(fd)) continue;
        const bool silent = now - c->last_read >= options_.idle_timeout;
        const bool trickling = c->partial_since != Clock::time_point{} && now - c->partial_since >= options_.packet_timeout;
        if (silent || trickling) idle.push_back(fd);
      }
      for (int fd : idle) Close(fd, &counters_.closed_idle);
    }
  }
  while (!connections_->by_fd.empty()) Close(connections_->by_fd.begin()->first, nullptr);
}

}  // namespace sendguard::milter_protocol
