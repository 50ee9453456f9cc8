// SPDX-License-Identifier: Apache-2.0
// One MTA connection's side of the milter protocol, without I/O: bytes in, bytes out. Parses
// packets within a size bound, negotiates, keeps the macros of each stage, calls the Handler
// for each step and encodes its answers, leaving out the answers the MTA agreed not to wait
// for. Anything malformed closes the connection (the MTA then applies its default action).
// Single-threaded: the event loop (server.h) drives it; tests and the fuzzer drive it directly.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sendguard/milter_protocol/handler.h"
#include "sendguard/milter_protocol/wire.h"

namespace sendguard::milter_protocol {

struct SessionLimits {
  // The largest packet taken. Body chunks are at most 65,535 bytes; Postfix sends a header as
  // one packet, up to its header_size_limit (100 KiB by default).
  size_t max_packet = 1 << 20;
};

class Session {
 public:
  // `make_handler` makes the connection's handler at negotiation (again after SMFIC_QUIT_NC);
  // `make_completion` makes the Completion a deferred end of message finishes through.
  using HandlerFactory = std::function<std::unique_ptr<Handler>()>;
  using CompletionFactory = std::function<Completion()>;
  Session(HandlerFactory make_handler, CompletionFactory make_completion, SessionLimits limits = {});
  ~Session();  // a handler still open is told the connection closed
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  enum class State {
    kOpen,     // reading the MTA's next command
    kWaiting,  // end of message answered later (Completion), input held until then
    kClosed,   // the connection is to be closed; close_reason() says why
  };
  // Takes bytes read from the MTA; appends what is to be written back to *out.
  State Receive(std::string_view bytes, std::string* out);
  // A deferred end of message is answered (on the loop's thread): `reply` is sent, then any
  // input that arrived meanwhile is taken.
  State Answer(const Reply& reply, std::string* out);
  // The deferred end of message's deadline passed: the handler's deadline answer is sent.
  State DeadlinePassed(std::string* out);
  // The socket closed or failed: the handler is told (abort of an open message, then close).
  void Closed();

  State state() const { return state_; }
  // Between MAIL and the answer at end of message (or its abort).
  bool in_message() const { return in_message_; }
  const std::string& close_reason() const { return close_reason_; }
  // The deadline of the end of message being waited for (0: none).
  std::chrono::milliseconds deadline() const { return deadline_; }
  // Bytes received and not yet taken (part of a packet, or input held while waiting).
  size_t buffered() const { return in_.size() - in_at_; }
  // Counts ends of message; a Completion is for one of them only.
  uint64_t message_number() const { return messages_; }

  // A macro the MTA sent, as libmilter's smfi_getsymval finds it: the stages searched latest
  // first (end of headers, end of message, DATA, RCPT, MAIL, HELO, connect), so "i" sent at
  // MAIL and again at end of message is the end of message's; "i" and "{i}" are one. A stage
  // keeps its macros until the MTA sends that stage's again or an earlier command clears them
  // (an abort clears none). "" when not sent.
  std::string_view Macro(std::string_view name) const;
  const Negotiation& agreed() const { return agreed_; }
  // What the MTA offered at negotiation.
  const Negotiation& offered() const { return offered_; }

 private:
  enum Stage { kStageConnect, kStageHelo, kStageMail, kStageRcpt, kStageData, kStageEom, kStageEoh, kStages };
  State Run(std::string* out);
  // One packet; false when the connection is to be closed or the session now waits.
  bool Dispatch(char code, std::string_view data, std::string* out);
  bool Negotiate(std::string_view data, std::string* out);
  bool TakeMacros(std::string_view data);
  // One step the handler answers (`call`), unless a held verdict answers it.
  template <typename Call>
  bool Step(uint32_t no_reply, std::string* out, Call&& call);
  // Sends `reply` for a step unless the MTA agreed not to wait (then a verdict other than
  // Continue is held for the next step it waits for).
  void Respond(Reply reply, uint32_t no_reply, std::string* out);
  bool EndOfMessage(std::string_view data, std::string* out);
  void Encode(const Reply& reply, bool end_of_message, std::string* out) const;
  bool Fail(std::string reason);
  void ClearStages(int from);
  void EndHandler();

  HandlerFactory make_handler_;
  CompletionFactory make_completion_;
  PacketReader reader_;
  std::unique_ptr<Handler> handler_;
  State state_ = State::kOpen;
  std::string close_reason_;
  std::string in_;
  size_t in_at_ = 0;
  Negotiation offered_;
  Negotiation agreed_;
  bool negotiated_ = false;
  bool in_message_ = false;
  std::optional<Reply> held_;
  std::chrono::milliseconds deadline_{0};
  uint64_t messages_ = 0;
  std::array<std::vector<std::pair<std::string, std::string>>, kStages> macros_;
};

}  // namespace sendguard::milter_protocol
