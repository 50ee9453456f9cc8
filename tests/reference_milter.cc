// SPDX-License-Identifier: Apache-2.0
// reference_milter: the milter of tests/milter_differential_test.cc. One scripted filter on two
// engines: Sendmail's libmilter (the reference) and sendguard's own (milter_protocol::Server).
// Its answers are driven by the message itself, the same on both engines:
//   RCPT <reject-at-rcpt@...>           550 5.1.1 at RCPT (headers come too late to say it)
//   X-Act: add-header NAME VALUE        X-Act: change-header NAME INDEX VALUE
//   X-Act: delete-header NAME INDEX     X-Act: add-rcpt ADDR          X-Act: quarantine REASON
//   X-Act: macro NAME                   adds "X-Macro: NAME=value" (the value at end of message)
//   X-Act: body-size                    adds "X-Body-Size: N" (body bytes seen)
//   X-Act: reject 550 5.7.1 a|b|c       X-Act: tempfail 451 4.7.1 text     X-Act: tempfail
//   X-Act: discard                      X-Act: skip-body (SMFIS_SKIP at the first chunk)
// Changes are made at end of message in the order given, then the first verdict (default
// accept). It negotiates the actions it uses and the protocol steps of --steps (hex), within
// the MTA's offer. Kept apart from bench/null_milter.cc: the bench's floor must stay a milter
// that does nothing, and this one is needed by a test in every build tree (the sanitizer tree
// builds no bench/).
//   reference_milter --engine libmilter|sendguard --socket PATH [--steps HEX]
#include <CLI/CLI.hpp>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include "sendguard/milter_protocol/handler.h"
#include "sendguard/milter_protocol/server.h"
#include "sendguard/milter_protocol/session.h"

namespace {

namespace mp = sendguard::milter_protocol;

constexpr uint32_t kActions = mp::action::kAddHeaders | mp::action::kChangeHeaders | mp::action::kAddRcpt |
                              mp::action::kQuarantine;
uint32_t g_steps = 0;

// --- the script, engine-neutral -------------------------------------------------------------

struct Verdict {
  enum Kind { kContinue, kAccept, kReject, kTempfail, kDiscard, kSkip } kind = kContinue;
  std::string rcode, xcode;
  std::vector<std::string> lines;
};

struct Change {
  enum Kind { kAddHeader, kChangeHeader, kAddRcpt, kQuarantine } kind;
  std::string name, value;
  uint32_t index = 0;
};

std::vector<std::string> Words(const std::string& s, size_t max_words) {
  // The first max_words - 1 words, then the rest of the line as the last one.
  std::vector<std::string> out;
  size_t at = 0;
  while (at < s.size() && out.size() + 1 < max_words) {
    while (at < s.size() && s[at] == ' ') ++at;
    const size_t end = s.find(' ', at);
    out.push_back(s.substr(at, end == std::string::npos ? std::string::npos : end - at));
    at = end == std::string::npos ? s.size() : end + 1;
  }
  while (at < s.size() && s[at] == ' ') ++at;
  if (at < s.size()) out.push_back(s.substr(at));
  return out;
}

Verdict ReplyVerdict(Verdict::Kind kind, const std::string& rest) {
  Verdict v;
  v.kind = kind;
  const auto w = Words(rest, 3);
  if (w.size() >= 2) {
    v.rcode = w[0];
    v.xcode = w[1];
    if (w.size() == 3) {
      std::string text = w[2];
      for (size_t at = 0;;) {
        const size_t bar = text.find('|', at);
        v.lines.push_back(text.substr(at, bar == std::string::npos ? std::string::npos : bar - at));
        if (bar == std::string::npos) break;
        at = bar + 1;
      }
    }
  }
  return v;
}

// One connection's script: what the message asked for so far.
class Script {
 public:
  void StartMessage() {
    acts_.clear();
    body_ = 0;
    skipped_ = false;
  }
  Verdict Rcpt(std::string_view addr) const {
    if (addr.find("reject-at-rcpt") != std::string_view::npos) {
      return ReplyVerdict(Verdict::kReject, "550 5.1.1 no such user here");
    }
    return {};
  }
  void Header(std::string_view name, std::string_view value) {
    if (name == "X-Act") acts_.emplace_back(value);
  }
  // skip_ok: SMFIP_SKIP agreed and the body step answered.
  Verdict Body(size_t size, bool skip_ok) {
    body_ += size;
    if (!skipped_ && skip_ok) {
      for (const auto& a : acts_) {
        if (a == "skip-body") {
          skipped_ = true;
          return Verdict{Verdict::kSkip, "", "", {}};
        }
      }
    }
    return {};
  }
  Verdict End(const std::function<std::string(const std::string&)>& macro, std::vector<Change>* changes) const {
    std::optional<Verdict> verdict;
    for (const auto& a : acts_) {
      const auto w = Words(a, 2);
      if (w.empty()) continue;
      const std::string& verb = w[0];
      const std::string rest = w.size() > 1 ? w[1] : "";
      if (verb == "add-header") {
        const auto p = Words(rest, 2);
        if (p.size() == 2) changes->push_back({Change::kAddHeader, p[0], p[1], 0});
      } else if (verb == "change-header") {
        const auto p = Words(rest, 3);
        if (p.size() == 3) changes->push_back({Change::kChangeHeader, p[0], p[2], static_cast<uint32_t>(std::stoul(p[1]))});
      } else if (verb == "delete-header") {
        const auto p = Words(rest, 2);
        if (p.size() == 2) changes->push_back({Change::kChangeHeader, p[0], "", static_cast<uint32_t>(std::stoul(p[1]))});
      } else if (verb == "add-rcpt") {
        changes->push_back({Change::kAddRcpt, rest, "", 0});
      } else if (verb == "quarantine") {
        changes->push_back({Change::kQuarantine, rest, "", 0});
      } else if (verb == "macro") {
        changes->push_back({Change::kAddHeader, "X-Macro", rest + "=" + macro(rest), 0});
      } else if (verb == "body-size") {
        changes->push_back({Change::kAddHeader, "X-Body-Size", std::to_string(body_), 0});
      } else if (!verdict && verb == "reject") {
        verdict = ReplyVerdict(Verdict::kReject, rest);
      } else if (!verdict && verb == "tempfail") {
        verdict = ReplyVerdict(Verdict::kTempfail, rest);
      } else if (!verdict && verb == "discard") {
        verdict = Verdict{Verdict::kDiscard, "", "", {}};
      }
    }
    return verdict ? *verdict : Verdict{Verdict::kAccept, "", "", {}};
  }

 private:
  std::vector<std::string> acts_;
  size_t body_ = 0;
  bool skipped_ = false;
};

// --- libmilter ---------------------------------------------------------------------------------
// libmilter runs each connection on its own thread from negotiation to close (and keeps the
// negotiation across SMFIC_QUIT_NC), so the connection's state is thread-local.

struct LibmilterConnection {
  unsigned long steps = 0;  // what was asked within the offer (libmilter may fake a "no reply")
  unsigned long actions = 0;
  Script script;
  // A verdict given at a "no reply" step waits for the next answered step, as sendguard's
  // engine does it (libmilter itself would drop it: sendreply() forces SMFIS_NOREPLY there).
  std::optional<Verdict> held;
};
// Each connection's state, by its context: libmilter may run one connection's callbacks on
// different threads of its pool (under load it does), so thread-local state would be lost.
// A context's entry is reset at negotiation; contexts are reused, so the map stays small.
std::mutex g_conns_mu;
std::map<SMFICTX*, LibmilterConnection> g_conns;
LibmilterConnection& Conn(SMFICTX* ctx) {
  std::lock_guard lock(g_conns_mu);
  return g_conns[ctx];  // std::map: references stay valid as others are added
}

std::string Escaped(const std::string& line) {
  // libmilter passes reply text as given; the MTA reads '%' as a format character.
  std::string out;
  for (char c : line) {
    out.push_back(c);
    if (c == '%') out.push_back('%');
  }
  return out;
}

sfsistat Encode(SMFICTX* ctx, const Verdict& v) {
  switch (v.kind) {
    case Verdict::kContinue: return SMFIS_CONTINUE;
    case Verdict::kAccept: return SMFIS_ACCEPT;
    case Verdict::kDiscard: return SMFIS_DISCARD;
    case Verdict::kSkip: return SMFIS_SKIP;
    case Verdict::kReject:
    case Verdict::kTempfail: {
      if (!v.rcode.empty()) {
        std::vector<std::string> l;
        for (const auto& line : v.lines) l.push_back(Escaped(line));
        char* r = const_cast<char*>(v.rcode.c_str());
        char* x = const_cast<char*>(v.xcode.c_str());
        auto at = [&](size_t i) { return const_cast<char*>(l[i].c_str()); };
        switch (l.size()) {
          case 0: smfi_setreply(ctx, r, x, nullptr); break;
          case 1: smfi_setreply(ctx, r, x, at(0)); break;
          case 2: smfi_setmlreply(ctx, r, x, at(0), at(1), nullptr); break;
          case 3: smfi_setmlreply(ctx, r, x, at(0), at(1), at(2), nullptr); break;
          default: smfi_setmlreply(ctx, r, x, at(0), at(1), at(2), at(3), nullptr); break;
        }
      }
      return v.kind == Verdict::kReject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
    }
  }
  return SMFIS_CONTINUE;
}

// One step's answer, as sendguard's Session::Respond gives it.
sfsistat Respond(SMFICTX* ctx, unsigned long no_reply, const std::function<Verdict()>& step) {
  auto& c = Conn(ctx);
  const bool silent = (c.steps & no_reply) != 0;
  if (c.held) {
    if (silent) return SMFIS_NOREPLY;
    Verdict v = *c.held;
    c.held.reset();
    return Encode(ctx, v);
  }
  Verdict v = step();
  if (silent) {
    if (v.kind != Verdict::kContinue && v.kind != Verdict::kSkip) c.held = v;
    return SMFIS_NOREPLY;
  }
  return Encode(ctx, v);
}

sfsistat LmNegotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long, unsigned long, unsigned long* pf0,
                     unsigned long* pf1, unsigned long* pf2, unsigned long* pf3) {
  auto& c = Conn(ctx);
  c = LibmilterConnection{};
  c.actions = f0 & kActions;
  c.steps = f1 & g_steps;
  *pf0 = c.actions;
  *pf1 = c.steps;
  *pf2 = 0;
  *pf3 = 0;
  return SMFIS_CONTINUE;
}
sfsistat LmConnect(SMFICTX* ctx, char*, _SOCK_ADDR*) { return Respond(ctx, SMFIP_NR_CONN, [] { return Verdict{}; }); }
sfsistat LmHelo(SMFICTX* ctx, char*) { return Respond(ctx, SMFIP_NR_HELO, [] { return Verdict{}; }); }
sfsistat LmMail(SMFICTX* ctx, char**) {
  Conn(ctx).script.StartMessage();
  return Respond(ctx, SMFIP_NR_MAIL, [] { return Verdict{}; });
}
sfsistat LmRcpt(SMFICTX* ctx, char** argv) {
  const std::string addr = argv[0] ? argv[0] : "";
  return Respond(ctx, SMFIP_NR_RCPT, [&] { return Conn(ctx).script.Rcpt(addr); });
}
sfsistat LmData(SMFICTX* ctx) { return Respond(ctx, SMFIP_NR_DATA, [] { return Verdict{}; }); }
sfsistat LmUnknown(SMFICTX* ctx, const char*) { return Respond(ctx, SMFIP_NR_UNKN, [] { return Verdict{}; }); }
sfsistat LmHeader(SMFICTX* ctx, char* name, char* value) {
  return Respond(ctx, SMFIP_NR_HDR, [&] {
    Conn(ctx).script.Header(name, value);
    return Verdict{};
  });
}
sfsistat LmEoh(SMFICTX* ctx) { return Respond(ctx, SMFIP_NR_EOH, [] { return Verdict{}; }); }
sfsistat LmBody(SMFICTX* ctx, unsigned char*, size_t size) {
  auto& c = Conn(ctx);
  const bool skip_ok = (c.steps & SMFIP_SKIP) && !(c.steps & SMFIP_NR_BODY);
  return Respond(ctx, SMFIP_NR_BODY, [&] { return c.script.Body(size, skip_ok); });
}
sfsistat LmEom(SMFICTX* ctx) {
  auto& c = Conn(ctx);
  if (c.held) {
    Verdict v = *c.held;
    c.held.reset();
    return Encode(ctx, v);
  }
  std::vector<Change> changes;
  const Verdict v = c.script.End(
      [ctx](const std::string& name) {
        const char* value = smfi_getsymval(ctx, const_cast<char*>(name.c_str()));
        return std::string(value ? value : "");
      },
      &changes);
  for (const auto& ch : changes) {
    char* n = const_cast<char*>(ch.name.c_str());
    char* val = const_cast<char*>(ch.value.c_str());
    switch (ch.kind) {
      case Change::kAddHeader: smfi_addheader(ctx, n, val); break;
      case Change::kChangeHeader: smfi_chgheader(ctx, n, static_cast<int>(ch.index), val); break;
      case Change::kAddRcpt: smfi_addrcpt(ctx, n); break;
      case Change::kQuarantine: smfi_quarantine(ctx, n); break;
    }
  }
  return Encode(ctx, v);
}
sfsistat LmAbort(SMFICTX* ctx) {
  auto& c = Conn(ctx);
  c.held.reset();
  c.script.StartMessage();
  return SMFIS_CONTINUE;
}
sfsistat LmClose(SMFICTX* ctx) {
  // Also called at SMFIC_QUIT_NC, after which libmilter keeps the negotiation.
  auto& c = Conn(ctx);
  c.held.reset();
  c.script = Script{};
  return SMFIS_CONTINUE;
}

int RunLibmilter(const std::string& path) {
  smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("reference_milter");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_ADDRCPT | SMFIF_QUARANTINE;
  desc.xxfi_connect = LmConnect;
  desc.xxfi_helo = LmHelo;
  desc.xxfi_envfrom = LmMail;
  desc.xxfi_envrcpt = LmRcpt;
  desc.xxfi_header = LmHeader;
  desc.xxfi_eoh = LmEoh;
  desc.xxfi_body = LmBody;
  desc.xxfi_eom = LmEom;
  desc.xxfi_abort = LmAbort;
  desc.xxfi_close = LmClose;
  desc.xxfi_unknown = LmUnknown;
  desc.xxfi_data = LmData;
  desc.xxfi_negotiate = LmNegotiate;
  std::string spec = "unix:" + path;
  if (smfi_setconn(spec.data()) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS) return 1;
  if (smfi_opensocket(1) != MI_SUCCESS) return 1;
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}

// --- sendguard's engine ------------------------------------------------------------------------

mp::Reply ToReply(const Verdict& v) {
  mp::Reply r;
  switch (v.kind) {
    case Verdict::kContinue: r.kind = mp::Reply::Kind::kContinue; break;
    case Verdict::kAccept: r.kind = mp::Reply::Kind::kAccept; break;
    case Verdict::kReject: r.kind = mp::Reply::Kind::kReject; break;
    case Verdict::kTempfail: r.kind = mp::Reply::Kind::kTempfail; break;
    case Verdict::kDiscard: r.kind = mp::Reply::Kind::kDiscard; break;
    case Verdict::kSkip: r.kind = mp::Reply::Kind::kSkip; break;
  }
  r.rcode = v.rcode;
  r.xcode = v.xcode;
  r.lines = v.lines;
  return r;
}

class ScriptHandler : public mp::Handler {
 public:
  mp::Negotiation Negotiate(const mp::Negotiation&) override {
    // Asks for all it wants: the engine keeps it within the offer.
    return {mp::kProtocolVersion, kActions, g_steps};
  }
  mp::Reply OnMail(const mp::Session&, const std::vector<std::string_view>&) override {
    script_.StartMessage();
    return {};
  }
  mp::Reply OnRcpt(const mp::Session&, const std::vector<std::string_view>& args) override {
    return ToReply(script_.Rcpt(args.empty() ? std::string_view() : args[0]));
  }
  mp::Reply OnHeader(const mp::Session&, std::string_view name, std::string_view value) override {
    script_.Header(name, value);
    return {};
  }
  mp::Reply OnBody(const mp::Session& s, std::string_view chunk) override {
    const uint32_t steps = s.agreed().steps;
    return ToReply(script_.Body(chunk.size(), (steps & mp::step::kSkip) && !(steps & mp::step::kNoReplyBody)));
  }
  std::variant<mp::Reply, mp::Deferred> OnEndOfMessage(const mp::Session& s, mp::Completion) override {
    std::vector<Change> changes;
    mp::Reply r = ToReply(script_.End([&s](const std::string& name) { return std::string(s.Macro(name)); }, &changes));
    for (const auto& c : changes) {
      switch (c.kind) {
        case Change::kAddHeader: r.changes.push_back(mp::Modification::AddHeader(c.name, c.value)); break;
        case Change::kChangeHeader: r.changes.push_back(mp::Modification::ChangeHeader(c.name, c.index, c.value)); break;
        case Change::kAddRcpt: r.changes.push_back(mp::Modification::AddRcpt(c.name)); break;
        case Change::kQuarantine: r.changes.push_back(mp::Modification::Quarantine(c.name)); break;
      }
    }
    return r;
  }
  void OnAbort(const mp::Session&) override { script_.StartMessage(); }

 private:
  Script script_;
};

int RunSendguard(const std::string& path) {
  auto server = mp::Server::Listen("unix:" + path, mp::ServerOptions{}, [] { return std::make_unique<ScriptHandler>(); });
  if (!server.ok()) {
    std::fprintf(stderr, "reference_milter: %s\n", server.status().ToString().c_str());
    return 1;
  }
  (*server)->Run();  // until the test kills it
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"reference_milter: one scripted milter on libmilter or on sendguard's engine"};
  std::string engine;
  std::string path;
  std::string steps = "0";
  app.add_option("--engine", engine, "libmilter or sendguard")->required()->check(CLI::IsMember({"libmilter", "sendguard"}));
  app.add_option("--socket", path, "unix socket path")->required();
  app.add_option("--steps", steps, "protocol steps to ask for (hex, within the MTA's offer)");
  CLI11_PARSE(app, argc, argv);
  g_steps = static_cast<uint32_t>(std::stoul(steps, nullptr, 16));
  return engine == "libmilter" ? RunLibmilter(path) : RunSendguard(path);
}
