// SPDX-License-Identifier: Apache-2.0
// What a filter built on the engine implements (Handler: one per MTA connection, every call
// on the event loop's thread) and what it answers with (Reply: a verdict, an SMTP reply text,
// and at end of message the changes to make). The engine knows nothing of scanning.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sendguard::milter_protocol {

class Session;

// One change to the message, made at end of message (needs the matching negotiated action).
struct Modification {
  enum class Kind { kAddHeader, kInsertHeader, kChangeHeader, kAddRcpt, kAddRcptWithArgs, kDelRcpt, kReplaceBody,
                    kChangeFrom, kQuarantine };
  Kind kind;
  std::string name;   // header name; recipient or sender address; quarantine reason
  std::string value;  // header value (ChangeHeader: empty deletes); ESMTP arguments; body bytes
  uint32_t index = 0; // ChangeHeader: which one of that name (1 = first); InsertHeader: position

  static Modification AddHeader(std::string n, std::string v) { return {Kind::kAddHeader, std::move(n), std::move(v), 0}; }
  static Modification ChangeHeader(std::string n, uint32_t i, std::string v) {
    return {Kind::kChangeHeader, std::move(n), std::move(v), i};
  }
  static Modification DeleteHeader(std::string n, uint32_t i) { return {Kind::kChangeHeader, std::move(n), "", i}; }
  static Modification AddRcpt(std::string r) { return {Kind::kAddRcpt, std::move(r), "", 0}; }
  static Modification Quarantine(std::string reason) { return {Kind::kQuarantine, std::move(reason), "", 0}; }
};

// The answer to one step.
struct Reply {
  enum class Kind { kContinue, kAccept, kReject, kTempfail, kDiscard, kSkip, kConnectionFail, kShutdown };
  Kind kind = Kind::kContinue;
  // Reject and Tempfail may carry an SMTP reply: a 3-digit code of the matching class ("550",
  // "451"), an enhanced code ("5.7.1"), and lines of text (several make a multi-line reply).
  std::string rcode;
  std::string xcode;
  std::vector<std::string> lines;
  std::vector<Modification> changes;  // end of message only, sent before the verdict, in order

  static Reply Of(Kind kind) {
    Reply r;
    r.kind = kind;
    return r;
  }
  static Reply Continue() { return {}; }
  static Reply Accept() { return Of(Kind::kAccept); }
  static Reply Tempfail() { return Of(Kind::kTempfail); }
  static Reply Discard() { return Of(Kind::kDiscard); }
  // Reject or Tempfail with an SMTP reply.
  static Reply WithText(Kind kind, std::string rcode, std::string xcode, std::vector<std::string> lines) {
    Reply r = Of(kind);
    r.rcode = std::move(rcode);
    r.xcode = std::move(xcode);
    r.lines = std::move(lines);
    return r;
  }
};

// How a connection was made, as the MTA reports it (SMFIC_CONNECT).
struct ConnectInfo {
  std::string hostname;
  char family = 'U';     // '4', '6', 'L' (unix), 'U' (unknown)
  uint16_t port = 0;
  std::string address;   // the client's address as text (or the socket path)
};

// What the MTA offers at negotiation, and what the filter takes of it.
struct Negotiation {
  uint32_t version = 0;
  uint32_t actions = 0;
  uint32_t steps = 0;
};

// Finishes an end of message that the handler answered later (a scan on another thread).
// Copyable; Finish may be called from any thread, and only the first call counts.
class Completion {
 public:
  // Runs `make` on the event loop's thread if the connection still waits for this message's
  // answer (not closed, not aborted, its deadline not passed) and sends the Reply it returns.
  void Finish(std::function<Reply()> make) const {
    if (target_) target_->Finish(std::move(make));
  }
  // True once nobody waits for this answer any more (the connection closed, or the deadline
  // answered): work not yet started for it can be skipped. From any thread.
  bool Cancelled() const { return target_ && target_->Cancelled(); }

  // Where Finish goes (the event loop's mailbox, or a test's).
  struct Target {
    virtual ~Target() = default;
    virtual void Finish(std::function<Reply()> make) = 0;
    virtual bool Cancelled() const { return false; }
  };
  Completion() = default;
  explicit Completion(std::shared_ptr<Target> target) : target_(std::move(target)) {}

 private:
  std::shared_ptr<Target> target_;
};

// What end of message answers: a Reply now, or later through the Completion, with a deadline
// after which OnEndOfMessageDeadline answers instead (0: none).
struct Deferred {
  std::chrono::milliseconds deadline{0};
};

// A filter's side of one MTA connection. Steps the handler leaves at the default answer
// Continue. An exception out of any call is a fault: the engine closes the connection (the MTA
// applies its default action); a filter that wants another answer catches its own.
class Handler {
 public:
  virtual ~Handler() = default;
  // The MTA's offer; returns what the filter takes (the engine keeps it within the offer).
  virtual Negotiation Negotiate(const Negotiation& offered) = 0;
  virtual Reply OnConnect(const Session&, const ConnectInfo&) { return {}; }
  virtual Reply OnHelo(const Session&, std::string_view) { return {}; }
  virtual Reply OnMail(const Session&, const std::vector<std::string_view>&) { return {}; }
  virtual Reply OnRcpt(const Session&, const std::vector<std::string_view>&) { return {}; }
  virtual Reply OnData(const Session&) { return {}; }
  virtual Reply OnHeader(const Session&, std::string_view, std::string_view) { return {}; }
  virtual Reply OnEndOfHeaders(const Session&) { return {}; }
  virtual Reply OnBody(const Session&, std::string_view) { return {}; }
  virtual Reply OnUnknown(const Session&, std::string_view) { return {}; }
  // End of message: a Reply now, or a Deferred (the answer comes through `done`).
  virtual std::variant<Reply, Deferred> OnEndOfMessage(const Session&, Completion done) = 0;
  // A Deferred's deadline passed before `done` finished: the answer now.
  virtual Reply OnEndOfMessageDeadline(const Session&) { return Reply::Tempfail(); }
  // The message was abandoned (SMFIC_ABORT), or the connection closed while one was open.
  virtual void OnAbort(const Session&) {}
  // The SMTP connection ended (SMFIC_QUIT, SMFIC_QUIT_NC, or the socket closed). Last call.
  virtual void OnClose(const Session&) {}
};

}  // namespace sendguard::milter_protocol
