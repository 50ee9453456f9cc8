// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the milter protocol engine's side of one MTA connection (milter_protocol::
// Session), fed whatever an MTA, or something pretending to be one, might send. The first
// byte chooses how the stream is cut into reads (1 to 64 bytes, or all at once), whether end
// of message is answered at once or later (then by the answer or by the deadline), and
// whether the handler throws at a header. Invariants: what the engine writes is whole packets
// only; a closed session stays closed and says why; after negotiation the version agreed is
// never above what was offered nor above 6, and the steps agreed are within the offer.
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "sendguard/milter_protocol/mta_side.h"
#include "sendguard/milter_protocol/session.h"

namespace {

using namespace sendguard::milter_protocol;

struct FuzzHandler : Handler {
  bool defer = false;
  bool throw_at_header = false;
  int headers = 0;
  Negotiation Negotiate(const Negotiation& offered) override {
    return {6, offered.actions, offered.steps & (step::kNoHelo | step::kNoReplyHeader | step::kNoReplyBody | step::kSkip)};
  }
  Reply OnHeader(const Session&, std::string_view name, std::string_view) override {
    if (throw_at_header && ++headers == 2) throw std::runtime_error("handler failure");
    if (name == "X-Reject") return Reply::WithText(Reply::Kind::kReject, "550", "5.7.1", {"held%", "verdict"});
    return {};
  }
  Reply OnBody(const Session&, std::string_view chunk) override {
    return chunk.size() % 7 == 3 ? Reply::Of(Reply::Kind::kSkip) : Reply::Continue();
  }
  std::variant<Reply, Deferred> OnEndOfMessage(const Session& s, Completion) override {
    if (defer) return Deferred{std::chrono::milliseconds(1)};
    Reply r = Reply::Accept();
    r.changes = {Modification::AddHeader("X-Q", std::string(s.Macro("i"))), Modification::DeleteHeader("X-Old", 2),
                 {Modification::Kind::kReplaceBody, "", std::string(70000, 'b'), 0}, Modification::Quarantine("q")};
    return r;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned control = data[0];
  const std::string_view stream = sendguard::fuzz::Bytes(data + 1, size - 1);
  const size_t read_size = (control & 0x40) ? stream.size() + 1 : (control & 0x3f) + 1;
  const bool defer = control & 0x80;
  int deferred_answers = 0;
  Session session(
      [&] {
        auto h = std::make_unique<FuzzHandler>();
        h->defer = defer;
        h->throw_at_header = (control & 0x3) == 0x3;
        return h;
      },
      [] { return Completion(); }, SessionLimits{1 << 16});
  std::string out;
  for (size_t at = 0; at < stream.size() && session.state() != Session::State::kClosed; at += read_size) {
    session.Receive(stream.substr(at, read_size), &out);
    while (session.state() == Session::State::kWaiting) {
      // Answered, or the deadline passes: alternately.
      if (++deferred_answers % 2) {
        session.Answer(Reply::Discard(), &out);
      } else {
        session.DeadlinePassed(&out);
      }
    }
    std::string rest;
    sendguard::milter_protocol::mta::Cut(out, &rest);
    sendguard::fuzz::Check(rest.empty(), "the engine wrote part of a packet");
    if (session.agreed().version != 0) {
      sendguard::fuzz::Check(session.agreed().version <= 6 && session.agreed().version <= session.offered().version,
                             "agreed a version above the offer");
      sendguard::fuzz::Check((session.agreed().steps & ~session.offered().steps) == 0, "agreed steps outside the offer");
    }
    out.clear();
  }
  if (session.state() == Session::State::kClosed) {
    sendguard::fuzz::Check(!session.close_reason().empty(), "closed without a reason");
    std::string more;
    session.Receive(std::string_view("\0\0\0\x01Q", 5), &more);
    sendguard::fuzz::Check(more.empty() && session.state() == Session::State::kClosed, "a closed session answered");
  }
  session.Closed();
  return 0;
}
