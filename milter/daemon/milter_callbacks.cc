// SPDX-License-Identifier: Apache-2.0
// The libmilter callbacks. They only collect (envelope, headers, body into a bounded spool);
// at end of message the work goes to a scanning thread and the reply comes back as data
// (MilterReply), which is carried out here. Nothing here decides anything. Every callback is
// registered through the noexcept trampoline of callback_guard.h; what it catches is answered
// here (Faulted). A message the milter died on before is answered unscanned (poison journal).
#include <arpa/inet.h>
#include <cxxabi.h>
#include <netinet/in.h>
#include <libmilter/mfapi.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "callback_guard.h"
#include "daemon_state.h"
#include "fault_points.h"
#include "message_spool.h"
#include "sendguard/common/ip_address.h"
#include "sendguard/common/text.h"

namespace sendguard::milter {

DaemonState& Daemon() {
  static DaemonState state;
  return state;
}

bool InNetworks(const std::string& address, const std::vector<std::string>& networks) {
  unsigned char addr[16];
  int family = address.find(':') != std::string::npos ? AF_INET6 : AF_INET;
  std::string a = address;
  if (!a.empty() && a.front() == '[') a = a.substr(1, a.size() - 2);
  if (a.rfind("IPv6:", 0) == 0) a = a.substr(5);
  if (inet_pton(family, a.c_str(), addr) != 1) return false;
  for (const auto& net : networks) {
    size_t slash = net.find('/');
    std::string base = net.substr(0, slash);
    int net_family = base.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    if (net_family != family) continue;
    unsigned char n[16];
    if (inet_pton(family, base.c_str(), n) != 1) continue;
    int bits = slash == std::string::npos ? (family == AF_INET ? 32 : 128) : std::atoi(net.c_str() + slash + 1);
    bool match = true;
    for (int i = 0; i < bits && match; ++i) {
      int mask = 0x80 >> (i % 8);
      match = (addr[i / 8] & mask) == (n[i / 8] & mask);
    }
    if (match) return true;
  }
  return false;
}

namespace {

// One SMTP connection and the message in progress on it.
struct Session {
  std::string client_addr;
  unsigned long protocol = 0;  // the SMFIP_ flags agreed at negotiation
  // the message in progress
  Snapshot snapshot;
  std::string sender;
  std::vector<std::string> recipients;
  std::string headers;  // as received, CRLF line ends
  std::string subject;
  std::string message_id;
  std::string auth;
  std::string release;  // X-Sendguard-Release, on a copy released from hold
  // X-Sendguard-* headers the message arrived with (name as given, how many): removed before
  // sendguard adds its own, so nobody can forge a verdict or a confirmation.
  std::vector<std::pair<std::string, int>> incoming_sendguard;
  std::unique_ptr<MessageSpool> body;
  bool spool_failed = false;
  PoisonDigest digest;  // of the header fields so far (the body joins at end of message)
  // A callback threw (Faulted): the message, or every message on the connection (a fault at
  // negotiate or connect), is answered per fail_modes.internal_error at its end.
  bool message_fault = false;
  bool connection_fault = false;

  void Reset() {
    snapshot = Snapshot();
    sender.clear();
    recipients.clear();
    headers.clear();
    subject.clear();
    message_id.clear();
    auth.clear();
    release.clear();
    incoming_sendguard.clear();
    body.reset();
    spool_failed = false;
    digest = PoisonDigest();
    message_fault = false;
  }
};

Session* Get(SMFICTX* ctx) { return static_cast<Session*>(smfi_getpriv(ctx)); }

// The connection's session, made on its first callback (negotiate, or connect for an MTA
// that does not negotiate).
Session* SessionFor(SMFICTX* ctx) {
  if (Session* s = Get(ctx)) return s;
  auto* s = new Session();
  ++Daemon().sessions;
  smfi_setpriv(ctx, s);
  return s;
}

// Protocol negotiation. Over a unix socket the MTA is told to skip HELO, DATA, end of headers
// and unknown commands and not to wait for an answer to connect, MAIL, RCPT, each header or
// each body chunk: the message costs the MTA one round trip, at end of message, where the
// verdict is. Over TCP every step that is sent is answered (only HELO and unknown commands
// are skipped): Postfix writes to the milter without TCP_NODELAY, so a packet it sends that is
// never answered (a no-reply step, or the macros of a skipped step) leaves its next write
// waiting for this side's delayed ACK, about 40 ms per message (measured with
// bench/mail_path_bench.sh). An answer carries the ACK at once.
constexpr unsigned long kSkipAlways = SMFIP_NOHELO | SMFIP_NOUNKNOWN;
constexpr unsigned long kSkipLocal = SMFIP_NODATA | SMFIP_NOEOH;
constexpr unsigned long kNoReplyLocal = SMFIP_NR_CONN | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_BODY;

sfsistat OnNegotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
                     unsigned long* pf0, unsigned long* pf1, unsigned long* pf2, unsigned long* pf3) {
  *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_ADDRCPT);
  unsigned long wanted = kSkipAlways;
  if (Daemon().local_socket) wanted |= kSkipLocal | kNoReplyLocal;
  *pf1 = f1 & wanted;
  *pf2 = 0;
  *pf3 = 0;
  SessionFor(ctx)->protocol = *pf1;
  return SMFIS_CONTINUE;
}

// What a collecting step returns: no answer at all where the MTA agreed not to wait for one.
sfsistat Continue(const Session* s, unsigned long no_reply_flag) {
  return s && (s->protocol & no_reply_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

std::string Macro(SMFICTX* ctx, const char* name) {
  const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
  return v ? v : "";
}

std::string EscapePercent(const std::string& s) {
  std::string out;
  for (char c : s) {
    out.push_back(c);
    if (c == '%') out.push_back('%');
  }
  return out;
}

std::string WithCrlf(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out.push_back('\r');
    out.push_back(s[i]);
  }
  return out;
}

// Every X-Sendguard-* header the message arrived with (the last of each name first, so the
// indexes still hold).
void RemoveIncomingSendguardHeaders(SMFICTX* ctx, const Session& s) {
  for (const auto& [name, count] : s.incoming_sendguard) {
    for (int i = count; i >= 1; --i) smfi_chgheader(ctx, const_cast<char*>(name.c_str()), i, nullptr);
  }
}

// Carries out `r` for the message in `s`: on acceptance the X-Sendguard-* headers it arrived
// with go first, then sendguard's own are added.
sfsistat Carry(SMFICTX* ctx, const MilterReply& r, const Session& s) {
  if (r.kind == MilterReply::Kind::kDiscard) return SMFIS_DISCARD;
  if (r.kind != MilterReply::Kind::kAccept) {
    std::array<std::string, 32> escaped;
    std::array<char*, 33> lines{};
    for (size_t i = 0; i < r.lines.size() && i < 32; ++i) {
      escaped[i] = EscapePercent(r.lines[i]);
      lines[i] = escaped[i].data();
    }
    smfi_setmlreply(ctx, r.rcode.c_str(), r.xcode.c_str(), lines[0], lines[1], lines[2], lines[3], lines[4], lines[5],
                    lines[6], lines[7], lines[8], lines[9], lines[10], lines[11], lines[12], lines[13], lines[14],
                    lines[15], lines[16], lines[17], lines[18], lines[19], lines[20], lines[21], lines[22], lines[23],
                    lines[24], lines[25], lines[26], lines[27], lines[28], lines[29], lines[30], lines[31], nullptr);
    return r.kind == MilterReply::Kind::kReject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
  }
  RemoveIncomingSendguardHeaders(ctx, s);
  for (const auto& name : r.remove_headers) {
    bool gone = false;  // an X-Sendguard-* header removed above already
    for (const auto& [seen, count] : s.incoming_sendguard) gone |= common::AsciiLower(seen) == common::AsciiLower(name);
    if (!gone) smfi_chgheader(ctx, const_cast<char*>(name.c_str()), 1, nullptr);
  }
  for (const auto& [name, value] : r.add_headers) {
    smfi_addheader(ctx, const_cast<char*>(name.c_str()), const_cast<char*>(value.c_str()));
  }
  if (!r.new_subject.empty()) smfi_chgheader(ctx, const_cast<char*>("Subject"), 1, const_cast<char*>(r.new_subject.c_str()));
  for (const auto& rcpt : r.add_recipients) smfi_addrcpt(ctx, const_cast<char*>(rcpt.c_str()));
  if (!r.quarantine_reason.empty()) smfi_quarantine(ctx, const_cast<char*>(r.quarantine_reason.c_str()));
  return SMFIS_ACCEPT;
}

void LogMessage(const std::string& queue_id, const std::string& direction, const JobResult& r) {
  DaemonState& d = Daemon();
  if (d.json_log) {
    nlohmann::json j = {{"queue_id", queue_id},      {"direction", direction},      {"verdict", r.verdict},
                        {"monitored", r.monitored},  {"outcome", r.reply.outcome},  {"findings", r.summary},
                        {"policies", r.policies},    {"signals", r.signals},        {"incomplete", r.incomplete_reason},
                        {"incident", r.incident},     {"scan_ms", r.scan_seconds * 1000.0}};
    d.log->info("{}", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    d.log->info("qid={} direction={} verdict={} monitored={} outcome={} findings=\"{}\" policies={} signals={} "
                "incomplete={} incident={} scan_ms={:.2f}",
                queue_id, direction, r.verdict, r.monitored, r.reply.outcome, r.summary,
                r.policies.empty() ? "-" : r.policies, r.signals.empty() ? "-" : r.signals,
                r.incomplete_reason.empty() ? "-" : r.incomplete_reason, r.incident.empty() ? "-" : r.incident,
                r.scan_seconds * 1000.0);
  }
}

// Answers the message per the fail mode `action` for `reason`; `detail` (" key=value ...", no
// personal data) ends the log line.
sfsistat FailMode(SMFICTX* ctx, const Session& s, FailAction action, const std::string& reason, const std::string& direction,
                  const std::string& detail = "") {
  DaemonState& d = Daemon();
  d.metrics.CountFailMode(reason, FailActionName(action));
  d.metrics.CountMessage(direction, "unscanned", std::string("fail_") + FailActionName(action));
  d.log->warn("qid={} direction={} fail_mode={} action={}{}", Macro(ctx, "i"), direction, reason, FailActionName(action),
              detail);
  MilterReply reply = ReplyForFailure(action, reason, "");
  if (s.snapshot.config) ForRecipients(reply, *s.snapshot.config, s.recipients);
  return Carry(ctx, reply, s);
}

// The config a message is answered under: the one it started with, else the live one.
std::shared_ptr<const Config> ConfigFor(const Session* s) {
  if (s && s->snapshot.config) return s->snapshot.config;
  DaemonState& d = Daemon();
  return d.snapshots ? d.snapshots->Current().config : nullptr;
}

// outbound: from a logged-in client or from milter.internal_networks.
std::string DirectionOf(const Session& s, const Config* c) {
  const bool outbound = !s.auth.empty() || (c && InNetworks(s.client_addr, c->milter.internal_networks));
  return outbound ? "outbound" : "inbound";
}

// The poison journal's record and clear around the scan, and the test build's crash point.
void JournalHooks(MessageJob& job, const std::string& digest) {
  PoisonJournal* journal = Daemon().journal.get();
  job.before_scan = [journal, digest](const MessageJob& j) {
    if (journal && !digest.empty()) {
      if (Status st = journal->Begin(digest); !st.ok()) {
        Daemon().log->warn("qid={} poison journal not written ({}): scanned without crash protection", j.queue_id, st.message());
      }
    }
    fault::BeforeScan(j.raw);  // nothing in the shipped program
  };
  job.after_scan = [journal, digest](const MessageJob&) {
    if (journal && !digest.empty()) journal->End(digest);
  };
}

// Looks the message up in the poison journal by its digest. The milter died on it
// poison_after_crashes times: answered unscanned per fail_modes.poison_message (a crash loop on
// one message would stop all mail), true with *rc. Fewer: `job` is scanned alone. Either way
// `job` gets the journal's record and clear.
bool PoisonAnswered(SMFICTX* ctx, Session& s, const MilterSettings& m, const std::string& direction, const std::string& body,
                    MessageJob& job, sfsistat* rc) {
  DaemonState& d = Daemon();
  s.digest.AddBody(body);
  const std::string digest = d.hasher ? s.digest.Finish(*d.hasher) : "";
  const int crashes = d.journal && !digest.empty() ? d.journal->Crashes(digest) : 0;
  const std::string detail = " digest=" + digest.substr(0, 12) + " crashes=" + std::to_string(crashes);
  if (crashes >= m.poison_after_crashes) {
    *rc = FailMode(ctx, s, m.fail_modes.poison_message, "poison_message", direction, detail);
    return true;
  }
  if (crashes > 0) {
    d.log->info("qid={} direction={} scanned alone: in flight when the milter died before ({})", Macro(ctx, "i"), direction,
                detail.substr(1));
  }
  job.alone = crashes > 0;
  JournalHooks(job, digest);
  return false;
}

sfsistat OnConnect(SMFICTX* ctx, char*, _SOCK_ADDR* hostaddr) {
  Session* s = SessionFor(ctx);
  s->client_addr = common::AddressText(hostaddr);  // Postfix passes it here, not as a macro
  if (s->client_addr.empty()) s->client_addr = Macro(ctx, "{client_addr}");
  return Continue(s, SMFIP_NR_CONN);
}

sfsistat OnEnvFrom(SMFICTX* ctx, char** argv) {
  Session* s = Get(ctx);
  if (!s) return SMFIS_TEMPFAIL;
  s->Reset();
  s->snapshot = Daemon().snapshots->Current();
  s->sender = argv && argv[0] ? argv[0] : "";
  s->auth = Macro(ctx, "{auth_authen}");
  if (s->client_addr.empty()) s->client_addr = Macro(ctx, "{client_addr}");
  const Config* c = s->snapshot.config.get();
  int64_t memory = c ? c->milter.spool_memory_bytes : (1 << 20);
  int64_t max = c ? c->milter.max_message_bytes : (64ll << 20);
  s->body = std::make_unique<MessageSpool>(Daemon().spool_dir, memory, max);
  return Continue(s, SMFIP_NR_MAIL);
}

sfsistat OnEnvRcpt(SMFICTX* ctx, char** argv) {
  Session* s = Get(ctx);
  if (s && argv && argv[0]) s->recipients.emplace_back(argv[0]);
  return Continue(s, SMFIP_NR_RCPT);
}

sfsistat OnHeader(SMFICTX* ctx, char* name, char* value) {
  Session* s = Get(ctx);
  if (!s) return SMFIS_CONTINUE;  // never: the session is made at negotiation or connect
  std::string n = name ? name : "";
  std::string v = value ? value : "";
  s->headers += n + ": " + WithCrlf(v) + "\r\n";
  std::string lower = common::AsciiLower(n);
  if (lower == "subject" && s->subject.empty()) s->subject = v;
  if (lower == "message-id" && s->message_id.empty()) s->message_id = v;
  if (lower == "x-sendguard-release" && s->release.empty()) s->release = v;
  s->digest.AddHeader(n, v);
  if (lower.rfind("x-sendguard", 0) == 0) {
    bool counted = false;
    for (auto& [seen, count] : s->incoming_sendguard) {
      if (common::AsciiLower(seen) == lower) {
        ++count;
        counted = true;
      }
    }
    if (!counted) s->incoming_sendguard.emplace_back(n, 1);
  }
  return Continue(s, SMFIP_NR_HDR);
}

sfsistat OnEoh(SMFICTX*) { return SMFIS_CONTINUE; }

sfsistat OnBody(SMFICTX* ctx, unsigned char* chunk, size_t len) {
  Session* s = Get(ctx);
  if (s && s->body && !s->body->Append(reinterpret_cast<const char*>(chunk), len)) s->spool_failed = true;
  return Continue(s, SMFIP_NR_BODY);
}

sfsistat OnEom(SMFICTX* ctx) {
  Session* s = Get(ctx);
  DaemonState& d = Daemon();
  if (s && (s->message_fault || s->connection_fault)) {
    // A callback threw earlier (Faulted logged it): whatever was collected is not trusted.
    const auto config = ConfigFor(s);
    const FailAction action = config ? config->milter.fail_modes.internal_error : FailModes().internal_error;
    const sfsistat rc = FailMode(ctx, *s, action, "internal_error", DirectionOf(*s, config.get()));
    s->Reset();
    return rc;
  }
  if (!s || !s->body) return SMFIS_TEMPFAIL;
  const std::string queue_id = Macro(ctx, "i");
  const Config* c = s->snapshot.config.get();
  const std::string direction = DirectionOf(*s, c);
  if (!c || !s->snapshot.rules) {
    // Started without rules (or they never loaded): the admin's fail mode answers.
    const FailAction action = c ? c->milter.fail_modes.rules_unavailable : FailModes().rules_unavailable;
    return FailMode(ctx, *s, action, "rules_unavailable", direction);
  }
  const MilterSettings& m = c->milter;
  if (direction == "inbound" && m.scan == ScanDirection::kOutbound) {
    RemoveIncomingSendguardHeaders(ctx, *s);
    smfi_addheader(ctx, const_cast<char*>("X-Sendguard-Scan"), const_cast<char*>("skipped; direction=inbound"));
    d.metrics.CountMessage(direction, "skipped", "accepted");
    return SMFIS_ACCEPT;
  }
  if (s->spool_failed) return FailMode(ctx, *s, m.fail_modes.internal_error, "spool_failed", direction);
  if (s->body->oversize()) return FailMode(ctx, *s, m.fail_modes.oversize, "oversize", direction);
  MessageJob job;
  job.snapshot = s->snapshot;
  job.raw = s->headers + "\r\n";
  std::string body;
  if (!s->body->ReadAll(&body)) return FailMode(ctx, *s, m.fail_modes.internal_error, "spool_failed", direction);
  if (sfsistat rc = SMFIS_TEMPFAIL; PoisonAnswered(ctx, *s, m, direction, body, job, &rc)) return rc;
  job.raw += body;
  job.envelope.sender = s->sender;
  job.envelope.recipients = s->recipients;
  job.queue_id = queue_id;
  job.message_id = s->message_id;
  job.subject = s->subject;
  job.direction = direction;
  job.release_header = s->release;
  std::string failure;
  auto result = d.pool->Run(std::move(job), std::chrono::milliseconds(m.message_timeout_ms), &failure);
  if (!result) {
    // The deadline passed (waiting included): scan_timeout; no worker free or a failure inside:
    // internal_error, as the fail-mode table says.
    FailAction action = failure == "scan_timeout" ? m.fail_modes.scan_timeout : m.fail_modes.internal_error;
    return FailMode(ctx, *s, action, failure, direction);
  }
  d.metrics.CountMessage(direction, result->verdict, result->reply.outcome);
  if (!result->incident.empty()) d.metrics.CountIncident(result->incident);
  for (const auto& [type, n] : result->findings) d.metrics.CountFinding(type, n);
  if (!result->incomplete_reason.empty()) d.metrics.CountIncomplete(result->incomplete_reason);
  d.metrics.ObserveScanSeconds(result->scan_seconds);
  d.metrics.CountOcr(result->ocr.read, result->ocr.cached, result->ocr.tiny_skipped, result->ocr.not_read);
  LogMessage(queue_id, direction, *result);
  sfsistat rc = Carry(ctx, result->reply, *s);
  s->Reset();
  return rc;
}

sfsistat OnAbort(SMFICTX* ctx) {
  if (Session* s = Get(ctx)) s->Reset();
  return SMFIS_CONTINUE;
}

// Marks the message (at negotiate and connect: every message on the connection) to be answered
// per fail_modes.internal_error at its end.
void MarkFault(Session* s, Step step) noexcept {
  if (!s) return;
  (step == Step::kNegotiate || step == Step::kConnect ? s->connection_fault : s->message_fault) = true;
}

// Frees the connection's session (at close, or after a fault there): at most once.
void CloseSession(SMFICTX* ctx) noexcept {
  Session* s = Get(ctx);
  if (!s) return;
  smfi_setpriv(ctx, nullptr);
  --Daemon().sessions;
  delete s;
}

sfsistat OnClose(SMFICTX* ctx) {
  CloseSession(ctx);
  return SMFIS_CONTINUE;
}

// The step's no-reply flag (what a collecting step returns when the MTA agreed not to wait).
unsigned long NoReplyFlag(Step step) {
  switch (step) {
    case Step::kConnect: return SMFIP_NR_CONN;
    case Step::kEnvFrom: return SMFIP_NR_MAIL;
    case Step::kEnvRcpt: return SMFIP_NR_RCPT;
    case Step::kHeader: return SMFIP_NR_HDR;
    case Step::kEoh: return SMFIP_NR_EOH;
    case Step::kBody: return SMFIP_NR_BODY;
    default: return 0;
  }
}

// `text` with quoted spans left out (a library's message may quote the bytes it was reading)
// and every word holding an '@' shown as [address].
std::string WithoutQuotesOrAddresses(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\'' || text[i] == '"') {
      const size_t close = text.find(text[i], i + 1);
      if (close == std::string::npos) break;
      out += std::string(1, text[i]) + "..." + text[i];
      i = close;
      continue;
    }
    const size_t end = std::min(text.find_first_of(" '\"", i), text.size());
    const std::string word = text.substr(i, end - i);
    out += word.find('@') == std::string::npos ? word : "[address]";
    if (end < text.size() && text[end] == ' ') out.push_back(' ');
    i = end < text.size() && text[end] == ' ' ? end : end - 1;
  }
  return out;
}

// The exception being handled, for the log: its type, and its message with digits masked,
// addresses and quoted text left out (no content of the message reaches the log through it).
std::string DescribeException() {
  std::string type = "unknown exception";
  if (const std::type_info* t = abi::__cxa_current_exception_type()) {
    int status = 0;
    char* name = abi::__cxa_demangle(t->name(), nullptr, nullptr, &status);
    type = name ? name : t->name();
    std::free(name);
  }
  std::string what;
  try {
    throw;
  } catch (const std::exception& e) {
    what = e.what() ? e.what() : "";
  } catch (...) {
  }
  return what.empty() ? type : type + ": " + WithoutQuotesOrAddresses(common::MaskedNote(what, 160));
}

}  // namespace

const char* StepName(Step step) {
  switch (step) {
    case Step::kNegotiate: return "negotiate";
    case Step::kConnect: return "connect";
    case Step::kEnvFrom: return "envfrom";
    case Step::kEnvRcpt: return "envrcpt";
    case Step::kHeader: return "header";
    case Step::kEoh: return "eoh";
    case Step::kBody: return "body";
    case Step::kEom: return "eom";
    case Step::kAbort: return "abort";
    case Step::kClose: return "close";
  }
  return "unknown";
}

void SafeNegotiation(unsigned long f0, unsigned long, unsigned long, unsigned long, unsigned long* pf0, unsigned long* pf1,
                     unsigned long* pf2, unsigned long* pf3) noexcept {
  *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_ADDRCPT);
  *pf1 = 0;
  *pf2 = 0;
  *pf3 = 0;
}

sfsistat Faulted(SMFICTX* ctx, Step step) noexcept {
  try {
    DaemonState& d = Daemon();
    d.metrics.CountCallbackFault(StepName(step));
    const std::string fault = DescribeException();
    const std::string qid = Macro(ctx, "i");
    const char* then = "the message is answered per fail_modes.internal_error";
    if (step == Step::kNegotiate || step == Step::kConnect) then = "every message on this connection is answered per fail_modes.internal_error";
    if (step == Step::kAbort || step == Step::kClose) then = "no message to answer";
    d.log->error("qid={} fault in {}: {}; {}", qid.empty() ? "-" : qid, StepName(step), fault, then);
    switch (step) {
      case Step::kAbort:
        if (Session* s = Get(ctx)) s->Reset();
        return SMFIS_CONTINUE;
      case Step::kClose:
        CloseSession(ctx);
        return SMFIS_CONTINUE;
      case Step::kEom: {
        Session* s = Get(ctx);
        Session none;
        const auto config = ConfigFor(s);
        const FailAction action = config ? config->milter.fail_modes.internal_error : FailModes().internal_error;
        const sfsistat rc = FailMode(ctx, s ? *s : none, action, "internal_error", DirectionOf(s ? *s : none, config.get()));
        if (s) s->Reset();
        return rc;
      }
      default: {
        Session* s = SessionFor(ctx);
        if (step == Step::kNegotiate) s->protocol = 0;  // as SafeNegotiation answered
        MarkFault(s, step);
        return Continue(s, NoReplyFlag(step));
      }
    }
  } catch (...) {
    // Failing even to answer the fault (no memory to log it): end of message answers tempfail,
    // the one answer that never loses mail or lets it through unscanned; an earlier step marks
    // the message when it has a session.
    if (step == Step::kEom) return SMFIS_TEMPFAIL;
    if (step == Step::kClose) return SMFIS_CONTINUE;
    Session* s = Get(ctx);
    if (step == Step::kNegotiate && s) s->protocol = 0;
    if (step != Step::kAbort) MarkFault(s, step);
    return Continue(s, NoReplyFlag(step));
  }
}

struct smfiDesc* FilterDescription() {
  static struct smfiDesc desc = {
      const_cast<char*>("sendguard"),
      SMFI_VERSION,
      SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_ADDRCPT,
      Guarded<Step::kConnect, OnConnect>::Call,
      nullptr,  // helo
      Guarded<Step::kEnvFrom, OnEnvFrom>::Call,
      Guarded<Step::kEnvRcpt, OnEnvRcpt>::Call,
      Guarded<Step::kHeader, OnHeader>::Call,
      Guarded<Step::kEoh, OnEoh>::Call,
      Guarded<Step::kBody, OnBody>::Call,
      Guarded<Step::kEom, OnEom>::Call,
      Guarded<Step::kAbort, OnAbort>::Call,
      Guarded<Step::kClose, OnClose>::Call,
      nullptr,  // unknown
      nullptr,  // data
      Guarded<Step::kNegotiate, OnNegotiate>::Call,
  };
  return &desc;
}

}  // namespace sendguard::milter
