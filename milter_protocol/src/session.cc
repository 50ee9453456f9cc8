// SPDX-License-Identifier: Apache-2.0
// The protocol state machine of one connection (see session.h).
#include "sendguard/milter_protocol/session.h"

#include <algorithm>

namespace sendguard::milter_protocol {

namespace {

// The NUL-terminated strings of `data`; false when the last one is not terminated.
bool SplitStrings(std::string_view data, std::vector<std::string_view>* out) {
  out->clear();
  if (data.empty() || data.back() != '\0') return false;
  size_t at = 0;
  while (at < data.size()) {
    const size_t end = data.find('\0', at);
    out->push_back(data.substr(at, end - at));
    at = end + 1;
  }
  return true;
}

constexpr size_t kMaxMacrosPerStage = 128;

// "i" and "{i}" name one macro, as libmilter has it.
std::string_view Bare(std::string_view name) {
  if (name.size() == 3 && name.front() == '{' && name.back() == '}') return name.substr(1, 1);
  return name;
}

// The answer's action flag: a change the MTA did not agree to is not sent.
uint32_t ActionFor(Modification::Kind kind) {
  switch (kind) {
    case Modification::Kind::kAddHeader: return action::kAddHeaders;
    case Modification::Kind::kInsertHeader: return action::kAddHeaders;
    case Modification::Kind::kChangeHeader: return action::kChangeHeaders;
    case Modification::Kind::kAddRcpt: return action::kAddRcpt;
    case Modification::Kind::kAddRcptWithArgs: return action::kAddRcptWithArgs;
    case Modification::Kind::kDelRcpt: return action::kDelRcpt;
    case Modification::Kind::kReplaceBody: return action::kChangeBody;
    case Modification::Kind::kChangeFrom: return action::kChangeFrom;
    case Modification::Kind::kQuarantine: return action::kQuarantine;
  }
  return ~0u;
}

std::string Terminated(std::string_view a) {
  std::string s(a);
  s.push_back('\0');
  return s;
}

// Reply text as the MTA takes it: CR and LF inside a line become spaces; '%' is doubled
// (Sendmail refuses a reply with a lone '%'; Postfix turns "%%" back into "%").
std::string ReplyLine(std::string_view line) {
  std::string out;
  for (char c : line) {
    if (c == '\r' || c == '\n' || c == '\0') c = ' ';
    out.push_back(c);
    if (c == '%') out.push_back('%');
  }
  return out;
}

// "550-5.7.1 first\r\n550 5.7.1 last", as libmilter's smfi_setmlreply writes it.
std::string ReplyText(const Reply& r) {
  std::string text;
  if (r.lines.empty()) return r.rcode + " " + r.xcode;
  for (size_t i = 0; i < r.lines.size(); ++i) {
    if (i > 0) text += "\r\n";
    text += r.rcode + (i + 1 < r.lines.size() ? "-" : " ") + r.xcode + " " + ReplyLine(r.lines[i]);
  }
  return text;
}

bool ValidCode(const std::string& rcode, char klass) {
  return rcode.size() == 3 && rcode[0] == klass && std::isdigit(static_cast<unsigned char>(rcode[1])) &&
         std::isdigit(static_cast<unsigned char>(rcode[2]));
}

}  // namespace

Session::Session(HandlerFactory make_handler, CompletionFactory make_completion, SessionLimits limits)
    : make_handler_(std::move(make_handler)), make_completion_(std::move(make_completion)), reader_(limits.max_packet) {}

Session::~Session() { Closed(); }

void Session::EndHandler() {
  if (!handler_) return;
  std::unique_ptr<Handler> h = std::move(handler_);
  try {
    if (in_message_) h->OnAbort(*this);
    in_message_ = false;
    h->OnClose(*this);
  } catch (...) {
  }
}

void Session::Closed() {
  EndHandler();
  if (state_ != State::kClosed) {
    state_ = State::kClosed;
    if (close_reason_.empty()) close_reason_ = "connection closed by the MTA";
  }
}

bool Session::Fail(std::string reason) {
  state_ = State::kClosed;
  close_reason_ = std::move(reason);
  EndHandler();
  return false;
}

std::string_view Session::Macro(std::string_view name) const {
  const std::string_view want = Bare(name);
  // Latest stage first, as libmilter's smfi_getsymval searches its macro array backwards.
  for (auto stage = macros_.rbegin(); stage != macros_.rend(); ++stage) {
    for (const auto& [n, v] : *stage) {
      if (Bare(n) == want) return v;
    }
  }
  return {};
}

void Session::ClearStages(int from) {
  for (int i = from; i < kStages; ++i) macros_[i].clear();
}

Session::State Session::Receive(std::string_view bytes, std::string* out) {
  if (state_ == State::kClosed) return state_;
  in_.append(bytes);
  if (state_ == State::kWaiting) {
    // The MTA waits for the verdict; it may still abort or quit. Anything beyond one packet is
    // not the protocol: the buffer stays bounded.
    if (in_.size() - in_at_ > reader_.max_packet() + 5) Fail("the MTA sent more than a packet while waiting for an answer");
    return state_;
  }
  return Run(out);
}

Session::State Session::Run(std::string* out) {
  while (state_ == State::kOpen) {
    char code = 0;
    std::string_view data;
    const auto next = reader_.Take(in_, &in_at_, &code, &data);
    if (next == PacketReader::Next::kNeedMore) break;
    if (next == PacketReader::Next::kMalformed) {
      Fail("malformed or oversized packet");
      break;
    }
    try {
      if (!Dispatch(code, data, out)) break;
    } catch (...) {
      Fail(std::string("the filter failed at command '") + code + "'");
      break;
    }
  }
  if (in_at_ == in_.size()) {
    in_.clear();
    in_at_ = 0;
    if (in_.capacity() > 65536) std::string().swap(in_);  // a large packet's room is not kept while idle
  } else if (in_at_ > 65536 && in_at_ > in_.size() / 2) {
    in_.erase(0, in_at_);
    in_at_ = 0;
  }
  return state_;
}

bool Session::Dispatch(char code, std::string_view data, std::string* out) {
  if (!negotiated_ && code != command::kNegotiate) {
    if (code == command::kQuit) return Fail("quit");
    return Fail(std::string("command '") + code + "' before negotiation");
  }
  std::vector<std::string_view> args;
  switch (code) {
    case command::kNegotiate:
      return Negotiate(data, out);
    case command::kMacro:
      return TakeMacros(data) || Fail("malformed macro packet");
    case command::kConnect: {
      // hostname NUL, family, then (unless unknown) port (2 bytes, network order), address NUL
      const size_t nul = data.find('\0');
      if (nul == std::string_view::npos || nul + 1 >= data.size()) return Fail("malformed connect packet");
      ConnectInfo info;
      info.hostname = std::string(data.substr(0, nul));
      info.family = data[nul + 1];
      if (info.family != 'U') {
        const std::string_view rest = data.substr(nul + 2);
        if (rest.size() < 3 || rest.back() != '\0') return Fail("malformed connect packet");
        info.port = static_cast<uint16_t>((static_cast<unsigned char>(rest[0]) << 8) | static_cast<unsigned char>(rest[1]));
        info.address = std::string(rest.substr(2, rest.find('\0', 2) - 2));
      }
      ClearStages(kStageConnect + 1);
      return Step(step::kNoReplyConnect, out, [&] { return handler_->OnConnect(*this, info); });
    }
    case command::kHelo:
      if (!SplitStrings(data, &args)) return Fail("malformed HELO packet");
      ClearStages(kStageHelo + 1);
      return Step(step::kNoReplyHelo, out, [&] { return handler_->OnHelo(*this, args[0]); });
    case command::kMail:
      if (!SplitStrings(data, &args)) return Fail("malformed MAIL packet");
      ClearStages(kStageMail + 1);
      in_message_ = true;
      return Step(step::kNoReplyMail, out, [&] { return handler_->OnMail(*this, args); });
    case command::kRcpt:
      if (!SplitStrings(data, &args)) return Fail("malformed RCPT packet");
      ClearStages(kStageRcpt + 1);
      return Step(step::kNoReplyRcpt, out, [&] { return handler_->OnRcpt(*this, args); });
    case command::kData:
      return Step(step::kNoReplyData, out, [&] { return handler_->OnData(*this); });
    case command::kHeader: {
      if (!SplitStrings(data, &args) || args.size() != 2) return Fail("malformed header packet");
      return Step(step::kNoReplyHeader, out, [&] { return handler_->OnHeader(*this, args[0], args[1]); });
    }
    case command::kEndOfHeaders:
      return Step(step::kNoReplyEndOfHeaders, out, [&] { return handler_->OnEndOfHeaders(*this); });
    case command::kBody:
      return Step(step::kNoReplyBody, out, [&] { return handler_->OnBody(*this, data); });
    case command::kEndOfBody:
      return EndOfMessage(data, out);
    case command::kUnknown:
      return Step(step::kNoReplyUnknown, out, [&] { return handler_->OnUnknown(*this, data.substr(0, data.find('\0'))); });
    case command::kAbort:
      // The macros stay, as libmilter keeps them: the next MAIL and RCPT replace their own
      // stage's and clear the later stages.
      held_.reset();
      if (in_message_) handler_->OnAbort(*this);
      in_message_ = false;
      return true;
    case command::kQuit:
      EndHandler();
      state_ = State::kClosed;
      close_reason_ = "quit";
      return false;
    case command::kQuitNewConnection:
      // The MTA keeps the socket for another SMTP connection: a new negotiation follows.
      EndHandler();
      negotiated_ = false;
      held_.reset();
      ClearStages(kStageConnect);
      return true;
    default:
      return Fail(std::string("unknown command byte ") + std::to_string(static_cast<unsigned char>(code)));
  }
}

bool Session::Negotiate(std::string_view data, std::string* out) {
  if (negotiated_) return Fail("a second negotiation on one connection");
  agreed_ = Negotiation();  // nothing is agreed until this one succeeds (after SMFIC_QUIT_NC too)
  if (data.size() < 12) return Fail("negotiation packet too short");
  offered_.version = ReadUint32(data.data());
  offered_.actions = ReadUint32(data.data() + 4);
  offered_.steps = ReadUint32(data.data() + 8);
  if (offered_.version < kOldestVersion) return Fail("the MTA speaks protocol version " + std::to_string(offered_.version));
  // As libmilter reads an offer of nothing: version 1's actions and steps.
  if (offered_.actions == 0) offered_.actions = 0x0F;
  if (offered_.steps == 0) offered_.steps = 0x3F;
  handler_ = make_handler_();
  if (!handler_) return Fail("no handler for the connection");
  Negotiation wanted = handler_->Negotiate(offered_);
  agreed_.version = std::min(offered_.version, kProtocolVersion);
  agreed_.actions = wanted.actions & offered_.actions;
  // Steps the MTA does not offer are not taken: a step left out that it cannot leave out is
  // then sent, and a "no reply" it cannot do is answered.
  agreed_.steps = wanted.steps & offered_.steps & step::kAll;
  negotiated_ = true;
  ClearStages(kStageConnect);
  std::string reply;
  AppendUint32(&reply, agreed_.version);
  AppendUint32(&reply, agreed_.actions);
  AppendUint32(&reply, agreed_.steps);
  AppendPacket(out, reply::kNegotiate, reply);
  return true;
}

bool Session::TakeMacros(std::string_view data) {
  if (data.empty()) return false;
  int stage;
  switch (data[0]) {
    case command::kConnect: stage = kStageConnect; break;
    case command::kHelo: stage = kStageHelo; break;
    case command::kMail: stage = kStageMail; break;
    case command::kRcpt: stage = kStageRcpt; break;
    case command::kData: stage = kStageData; break;
    case command::kEndOfBody: stage = kStageEom; break;
    case command::kEndOfHeaders: stage = kStageEoh; break;
    default: return true;  // macros for a step no filter asks about: ignored
  }
  std::vector<std::string_view> args;
  if (data.size() > 1 && !SplitStrings(data.substr(1), &args)) return false;
  // MTAs send a handful a stage (Postfix's defaults: under ten); each pair costs far more kept
  // than sent, so a packet of thousands is refused rather than stored.
  if (args.size() / 2 > kMaxMacrosPerStage) return false;
  auto& list = macros_[stage];
  list.clear();
  for (size_t i = 0; i + 1 < args.size(); i += 2) list.emplace_back(std::string(args[i]), std::string(args[i + 1]));
  return true;
}

template <typename Call>
bool Session::Step(uint32_t no_reply, std::string* out, Call&& call) {
  // A verdict held from a no-reply step is given instead of asking the handler again.
  Respond(held_ ? Reply{} : call(), no_reply, out);
  return true;
}

void Session::Respond(Reply reply, uint32_t no_reply, std::string* out) {
  if (no_reply && (agreed_.steps & no_reply)) {
    if (reply.kind != Reply::Kind::kContinue && reply.kind != Reply::Kind::kSkip && !held_) held_ = std::move(reply);
    return;
  }
  if (held_) {
    reply = std::move(*held_);
    held_.reset();
  }
  Encode(reply, false, out);
}

bool Session::EndOfMessage(std::string_view data, std::string* out) {
  if (!data.empty() && !held_) handler_->OnBody(*this, data);  // the last chunk may come with it
  ++messages_;
  in_message_ = false;
  if (held_) {
    Encode(*held_, false, out);
    held_.reset();
    return true;
  }
  auto answer = handler_->OnEndOfMessage(*this, make_completion_ ? make_completion_() : Completion());
  if (auto* reply = std::get_if<Reply>(&answer)) {
    Encode(*reply, true, out);
    return true;
  }
  in_message_ = true;  // still open: an abort or close now abandons it
  deadline_ = std::get<Deferred>(answer).deadline;
  state_ = State::kWaiting;
  return false;
}

Session::State Session::Answer(const Reply& reply, std::string* out) {
  if (state_ != State::kWaiting) return state_;
  in_message_ = false;
  state_ = State::kOpen;
  Encode(reply, true, out);
  return Run(out);
}

Session::State Session::DeadlinePassed(std::string* out) {
  if (state_ != State::kWaiting) return state_;
  Reply reply = Reply::Tempfail();
  try {
    reply = handler_->OnEndOfMessageDeadline(*this);
  } catch (...) {
  }
  return Answer(reply, out);
}

void Session::Encode(const Reply& reply, bool end_of_message, std::string* out) const {
  if (end_of_message) {
    for (const auto& m : reply.changes) {
      if ((agreed_.actions & ActionFor(m.kind)) == 0) continue;
      std::string data;
      switch (m.kind) {
        case Modification::Kind::kAddHeader:
          AppendPacket(out, reply::kAddHeader, Terminated(m.name) + Terminated(m.value));
          break;
        case Modification::Kind::kInsertHeader:
        case Modification::Kind::kChangeHeader:
          AppendUint32(&data, m.index);
          data += Terminated(m.name) + Terminated(m.value);
          AppendPacket(out, m.kind == Modification::Kind::kInsertHeader ? reply::kInsertHeader : reply::kChangeHeader, data);
          break;
        case Modification::Kind::kAddRcpt:
          AppendPacket(out, reply::kAddRcpt, Terminated(m.name));
          break;
        case Modification::Kind::kAddRcptWithArgs:
          AppendPacket(out, reply::kAddRcptWithArgs, Terminated(m.name) + Terminated(m.value));
          break;
        case Modification::Kind::kDelRcpt:
          AppendPacket(out, reply::kDelRcpt, Terminated(m.name));
          break;
        case Modification::Kind::kReplaceBody:
          for (size_t at = 0; at < m.value.size(); at += kBodyChunk) {
            AppendPacket(out, reply::kReplaceBody, std::string_view(m.value).substr(at, kBodyChunk));
          }
          break;
        case Modification::Kind::kChangeFrom:
          AppendPacket(out, reply::kChangeFrom, Terminated(m.name) + (m.value.empty() ? "" : Terminated(m.value)));
          break;
        case Modification::Kind::kQuarantine:
          AppendPacket(out, reply::kQuarantine, Terminated(m.name));
          break;
      }
    }
  }
  switch (reply.kind) {
    case Reply::Kind::kContinue: AppendPacket(out, reply::kContinue, ""); return;
    case Reply::Kind::kAccept: AppendPacket(out, reply::kAccept, ""); return;
    case Reply::Kind::kDiscard: AppendPacket(out, reply::kDiscard, ""); return;
    case Reply::Kind::kConnectionFail: AppendPacket(out, reply::kConnectionFail, ""); return;
    case Reply::Kind::kShutdown: AppendPacket(out, reply::kShutdown, ""); return;
    case Reply::Kind::kSkip:
      AppendPacket(out, (agreed_.steps & step::kSkip) ? reply::kSkip : reply::kContinue, "");
      return;
    case Reply::Kind::kReject:
    case Reply::Kind::kTempfail: {
      const bool reject = reply.kind == Reply::Kind::kReject;
      if (ValidCode(reply.rcode, reject ? '5' : '4')) {
        AppendPacket(out, reply::kReplyCode, Terminated(ReplyText(reply)));
      } else {
        AppendPacket(out, reject ? reply::kReject : reply::kTempfail, "");
      }
      return;
    }
  }
}

}  // namespace sendguard::milter_protocol
