// SPDX-License-Identifier: Apache-2.0
// smtp_load: the SMTP client side of bench/mail_path_bench.sh. Sends every message file of a
// directory (in name order, round-robin over the sessions, each session one persistent SMTP
// connection) to HOST:PORT, and prints one JSON line: messages, accepted, rejected, deferred,
// seconds, messages per second, and the latency of end of data (from the final "." to the
// server's reply: the part a milter adds to) at p50 and p99 in milliseconds.
//   smtp_load --port N --sessions S --dir DIR [--repeat R] [--from A] [--to B] [--seq-start K]
// --from and --to may hold placeholders for message number n (--seq-start plus the message's
// index in this run): {n}, {n%K} (n modulo K) and {n/K} (n divided by K), so that every
// message can go to another recipient (bench/shared_store_bench.sh: a recipient history that
// grows): --to 'person{n}@partner{n/10}.example.org' --from 'staff{n%40}@council.example.gov.uk'.
// {h}, {h%K} and {h/K} are the same numbers as 8 scrambled hex digits, for names that do not
// look alike (person41 and person42 at partner4 and partner5 trip sendguard's lookalike signals).
// --header-to writes the envelope recipient into the message's To: header as well (the
// corpus's own To: is otherwise a second, visible recipient of every message).
#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

class Connection {
 public:
  bool Open(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && Reply() / 100 == 2;
  }
  ~Connection() {
    if (fd_ >= 0) close(fd_);
  }
  bool Send(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      ssize_t n = write(fd_, s.data() + done, s.size() - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // The final reply code of a (possibly multi-line) reply; 0 on a broken connection.
  int Reply() {
    for (;;) {
      size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos) {
        char tmp[4096];
        ssize_t n = read(fd_, tmp, sizeof tmp);
        if (n <= 0) return 0;
        buf_.append(tmp, static_cast<size_t>(n));
      }
      std::string line = buf_.substr(0, eol);
      buf_.erase(0, eol + 2);
      if (line.size() >= 4 && line[3] == '-') continue;
      return line.size() >= 3 ? std::atoi(line.substr(0, 3).c_str()) : 0;
    }
  }
  int Command(const std::string& c) { return Send(c + "\r\n") ? Reply() : 0; }

 private:
  int fd_ = -1;
  std::string buf_;
};

// Dot-stuffed, CRLF line ends, ending in CRLF "." CRLF.
std::string ForData(const std::string& raw) {
  std::string out;
  out.reserve(raw.size() + 64);
  bool line_start = true;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (line_start && c == '.') out.push_back('.');
    if (c == '\n' && (i == 0 || raw[i - 1] != '\r')) out.push_back('\r');
    out.push_back(c);
    line_start = c == '\n';
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out + ".\r\n";
}

// 8 hex digits from v (splitmix64's finaliser): neighbouring numbers give unrelated names.
std::string Scrambled(uint64_t v) {
  v += 0x9e3779b97f4a7c15ULL;
  v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
  v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
  v ^= v >> 31;
  char out[9];
  std::snprintf(out, sizeof out, "%08x", static_cast<unsigned>(v & 0xffffffffULL));
  return out;
}

// The address for message n: {n}, {n%K}, {n/K} and their scrambled {h...} forms replaced
// (anything else kept as it is).
std::string Expand(const std::string& tmpl, uint64_t n) {
  if (tmpl.find('{') == std::string::npos) return tmpl;
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    const size_t close = tmpl.find('}', i);
    if (tmpl[i] == '{' && close != std::string::npos && close > i + 1 && (tmpl[i + 1] == 'n' || tmpl[i + 1] == 'h')) {
      const std::string inner = tmpl.substr(i + 2, close - i - 2);  // "", "%K" or "/K"
      uint64_t v = n;
      if (!inner.empty() && (inner[0] == '%' || inner[0] == '/') && inner.size() > 1) {
        const uint64_t k = std::max<uint64_t>(1, std::strtoull(inner.c_str() + 1, nullptr, 10));
        v = inner[0] == '%' ? n % k : n / k;
      }
      out += tmpl[i + 1] == 'h' ? Scrambled(v) : std::to_string(v);
      i = close + 1;
    } else {
      out.push_back(tmpl[i++]);
    }
  }
  return out;
}

// The message (as ForData made it) with its first To: header, folded lines and all, naming
// `to` alone; unchanged when its header has no To:.
std::string WithHeaderTo(const std::string& m, const std::string& to) {
  const size_t end = m.find("\r\n\r\n");
  size_t at = m.compare(0, 3, "To:") == 0 ? 0 : m.find("\r\nTo:");
  if (at == std::string::npos || (end != std::string::npos && at > end)) return m;
  if (at != 0) at += 2;
  size_t eol = m.find("\r\n", at);
  while (eol != std::string::npos && eol + 2 < m.size() && (m[eol + 2] == ' ' || m[eol + 2] == '\t')) eol = m.find("\r\n", eol + 2);
  if (eol == std::string::npos) return m;
  return m.substr(0, at) + "To: " + to + m.substr(eol);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"smtp_load: send a directory of messages over S SMTP sessions and time them"};
  int port = 25, sessions = 4, repeat = 1;
  std::string dir, from = "staff@council.example.gov.uk", to = "partner@example.org";
  app.add_option("--port", port)->required();
  app.add_option("--sessions", sessions);
  app.add_option("--dir", dir)->required();
  app.add_option("--repeat", repeat, "send the directory this many times");
  app.add_option("--from", from, "sender; {n}, {n%K}, {n/K} replaced by the message number");
  app.add_option("--to", to, "recipient; {n}, {n%K}, {n/K} replaced by the message number");
  uint64_t seq_start = 0;
  bool header_to = false;
  app.add_flag("--header-to", header_to, "put the envelope recipient in the To: header too");
  app.add_option("--seq-start", seq_start, "the number of this run's first message (for {n})");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<std::string> messages;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    messages.push_back(ForData({std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()}));
  }
  const size_t total = messages.size() * static_cast<size_t>(repeat);
  std::atomic<size_t> next{0}, accepted{0}, rejected{0}, deferred{0}, broken{0};
  std::mutex mu;
  std::vector<double> latencies;
  latencies.reserve(total);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int s = 0; s < sessions; ++s) {
    threads.emplace_back([&] {
      auto conn = std::make_unique<Connection>();
      bool open = conn->Open(port) && conn->Command("EHLO bench.council.example.gov.uk") / 100 == 2;
      std::vector<double> mine;
      for (size_t i; (i = next++) < total;) {
        if (!open) {
          conn = std::make_unique<Connection>();
          open = conn->Open(port) && conn->Command("EHLO bench.council.example.gov.uk") / 100 == 2;
          if (!open) {
            ++broken;
            continue;
          }
        }
        const std::string rcpt = Expand(to, seq_start + i);
        if (conn->Command("MAIL FROM:<" + Expand(from, seq_start + i) + ">") / 100 != 2 ||
            conn->Command("RCPT TO:<" + rcpt + ">") / 100 != 2 ||
            conn->Command("DATA") != 354) {
          ++broken;
          conn->Command("RSET");
          continue;
        }
        const std::string& stored = messages[i % messages.size()];
        const std::string rewritten = header_to ? WithHeaderTo(stored, rcpt) : std::string();
        const std::string& m = header_to ? rewritten : stored;
        // All but the final "." first, so the clock covers only the end of data and the reply.
        conn->Send(m.substr(0, m.size() - 3));
        const auto t0 = Clock::now();
        conn->Send(".\r\n");
        const int code = conn->Reply();
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (code / 100 == 2) ++accepted;
        else if (code / 100 == 5) ++rejected;
        else if (code / 100 == 4) ++deferred;
        else {
          ++broken;
          open = false;
        }
      }
      if (open) conn->Command("QUIT");
      std::lock_guard lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    return latencies[std::min(latencies.size() - 1, static_cast<size_t>(p * static_cast<double>(latencies.size())))];
  };
  std::printf(
      "{\"sessions\": %d, \"messages\": %zu, \"accepted\": %zu, \"rejected\": %zu, \"deferred\": %zu, \"broken\": %zu, "
      "\"seconds\": %.3f, \"per_second\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f}\n",
      sessions, total, accepted.load(), rejected.load(), deferred.load(), broken.load(), seconds,
      static_cast<double>(total) / seconds, pct(0.50), pct(0.99));
  return broken.load() == 0 ? 0 : 1;
}
