// SPDX-License-Identifier: Apache-2.0
// The MTA's side of the milter protocol, for tests, benches, the fuzzer and the differential
// test against libmilter: command packets built as Postfix and Sendmail send them, replies cut
// into packets, and a blocking client connection that sends a script and reads the answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/milter_protocol/wire.h"

namespace sendguard::milter_protocol::mta {

struct Packet {
  char code = 0;
  std::string data;
  bool operator==(const Packet&) const = default;
};

std::string Negotiate(uint32_t version, uint32_t actions, uint32_t steps);
std::string Macros(char stage, const std::vector<std::pair<std::string, std::string>>& pairs);
std::string Connect(const std::string& host, char family, uint16_t port, const std::string& address);
std::string Helo(const std::string& name);
std::string Mail(const std::vector<std::string>& args);
std::string Rcpt(const std::vector<std::string>& args);
std::string Data();
std::string Header(const std::string& name, const std::string& value);
std::string EndOfHeaders();
std::string Body(std::string_view chunk);  // one packet; split longer bodies with BodyChunks
std::string BodyChunks(std::string_view body);
std::string EndOfBody();
std::string Abort();
std::string Quit();
std::string QuitNewConnection();
std::string Unknown(const std::string& line);

// Cuts `bytes` into packets (a trailing partial packet is left in *rest).
std::vector<Packet> Cut(std::string_view bytes, std::string* rest = nullptr);
// True for a packet that ends the MTA's wait at end of message or at an answered step
// (everything but modifications and progress).
bool IsVerdict(const Packet& p);
// "a", "y:550 5.7.1 ...", "h:X-Name=value": a packet as a line, for test messages and diffs.
std::string Describe(const Packet& p);

// A blocking connection to a milter ("unix:PATH", "inet:PORT@ADDRESS").
class Client {
 public:
  static Result<Client> Connect(const std::string& spec, std::chrono::milliseconds timeout);
  Client(Client&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Client& operator=(Client&&) = delete;
  ~Client();
  Status Send(std::string_view bytes);
  // Reads packets up to and including the next verdict; IoError on timeout or close.
  Result<std::vector<Packet>> UntilVerdict(std::chrono::milliseconds timeout);
  // Whether the milter closed the connection within `timeout` (nothing more to read).
  bool ClosedWithin(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

 private:
  explicit Client(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::string pending_;
};

}  // namespace sendguard::milter_protocol::mta
