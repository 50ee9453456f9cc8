// SPDX-License-Identifier: Apache-2.0
// sendguard's side of each MTA connection, on the milter protocol engine (milter_protocol/):
// the steps only collect (envelope, headers, body into a bounded spool); at end of message the
// work goes to a scanning thread and the reply comes back as data (MilterReply), which is
// turned into the engine's Reply here, on the event loop's thread. Nothing here decides
// anything. Every step runs inside Guard: an exception is answered here (Faulted). A message
// the milter died on before is answered unscanned (poison journal).
#include <cxxabi.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon_state.h"
#include "fault_points.h"
#include "message_spool.h"
#include "sendguard/common/text.h"
#include "sendguard/milter/relay_trust.h"
#include "sendguard/milter_protocol/session.h"

namespace sendguard::milter {

DaemonState& Daemon() {
  static DaemonState state;
  return state;
}

namespace mp = milter_protocol;

// The queue id as it goes into log lines: the MTA's own characters only, bounded (whatever a
// client of the milter socket puts in the "i" macro cannot forge a field or carry text).
static std::string SafeQueueId(std::string_view id) {
  std::string out;
  for (char c : id.substr(0, 64)) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '?');
  return out;
}

namespace {

// The steps sendguard handles, for the fault log, metrics and the test build's fault points.
enum class Step { kNegotiate, kConnect, kEnvFrom, kEnvRcpt, kHeader, kEoh, kBody, kEom, kAbort, kClose };

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

// More X-Sendguard-* headers than this on one message: answered per fail_modes.internal_error.
constexpr int kMaxForgedHeaders = 1000;
// X-MS-Exchange-CrossTenant-Id headers kept for a trusted relay's tenant check; one more and
// the message is not the organisation's (relay_trust.h). Each value is cut at kMaxTenantBytes.
constexpr size_t kMaxTenantHeaders = 16;
constexpr size_t kMaxTenantBytes = 128;
// The warning about an MTA that does not offer every action: once per process.
std::atomic<bool> warned_actions{false};

// Actions sendguard takes at end of message.
constexpr uint32_t kActions = mp::action::kAddHeaders | mp::action::kChangeHeaders | mp::action::kQuarantine |
                              mp::action::kAddRcpt;

// Protocol negotiation. Over a unix socket the MTA is told to skip HELO, DATA, end of headers
// and unknown commands and not to wait for an answer to connect, MAIL, RCPT, each header or
// each body chunk: the message costs the MTA one round trip, at end of message, where the
// verdict is. Over TCP every step that is sent is answered (only HELO and unknown commands
// are skipped): Postfix writes to the milter without TCP_NODELAY, so a packet it sends that is
// never answered (a no-reply step, or the macros of a skipped step) leaves its next write
// waiting for this side's delayed ACK, about 40 ms per message (measured with
// bench/mail_path_bench.sh). An answer carries the ACK at once.
constexpr uint32_t kSkipAlways = mp::step::kNoHelo | mp::step::kNoUnknown;
constexpr uint32_t kSkipLocal = mp::step::kNoData | mp::step::kNoEndOfHeaders;
constexpr uint32_t kNoReplyLocal = mp::step::kNoReplyConnect | mp::step::kNoReplyMail | mp::step::kNoReplyRcpt |
                                   mp::step::kNoReplyHeader | mp::step::kNoReplyBody;

std::string WithCrlf(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out.push_back('\r');
    out.push_back(s[i]);
  }
  return out;
}

// The message in progress on one connection, and what is known of the connection.
struct Message {
  Snapshot snapshot;
  std::string sender;
  std::vector<std::string> recipients;
  std::string headers;  // as received, CRLF line ends
  std::string subject;
  std::string message_id;
  std::string auth;
  std::string cert_subject;  // {cert_subject}: a client certificate Postfix verified
  std::vector<std::string> tenant_ids;  // X-MS-Exchange-CrossTenant-Id values (at most kMaxTenantHeaders)
  bool tenant_ids_overflow = false;
  std::string release;  // X-Sendguard-Release, on a copy released from hold
  std::string queue_id;
  // X-Sendguard-* headers the message arrived with, by lower-cased name (name as given, how
  // many): removed before sendguard adds its own, so nobody can forge a verdict or a confirmation.
  std::map<std::string, std::pair<std::string, int>> incoming_sendguard;
  int incoming_sendguard_total = 0;
  bool headers_oversize = false;  // the header section alone passed max_message_bytes
  std::unique_ptr<MessageSpool> body;
  bool spool_failed = false;
  PoisonDigest digest;  // of the header fields so far (the body joins at end of message)
  bool fault = false;   // a step threw (Faulted): answered per fail_modes.internal_error at its end
  std::string direction;  // set at end of message
};

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

// The config a message is answered under: the one it started with, else the live one.
std::shared_ptr<const Config> ConfigFor(const Snapshot& s) {
  if (s.config) return s.config;
  DaemonState& d = Daemon();
  return d.snapshots ? d.snapshots->Current().config : nullptr;
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


// sendguard's handler of one MTA connection (every call on the event loop's thread).
class Connection : public mp::Handler {
 public:
  Connection() { ++Daemon().sessions; }
  ~Connection() override { --Daemon().sessions; }

  mp::Negotiation Negotiate(const mp::Negotiation& offered) override {
    try {
      fault::AtCallback(StepName(Step::kNegotiate));
      uint32_t wanted = kSkipAlways;
      if (Daemon().local_socket) wanted |= kSkipLocal | kNoReplyLocal;
      agreed_actions_ = offered.actions & kActions;
      if (agreed_actions_ != kActions && !warned_actions.exchange(true)) {
        Daemon().log->warn("the MTA does not offer every action sendguard needs (offered 0x{:x}, needed 0x{:x}): a message "
                           "whose answer needs a missing one is answered per fail_modes.internal_error (reason "
                           "action_not_negotiated); check milter_protocol (Postfix: 6) and the MTA's milter settings",
                           offered.actions, kActions);
      }
      return {mp::kProtocolVersion, agreed_actions_, offered.steps & wanted};
    } catch (...) {
      // Every step sent and answered; every message on the connection answered per
      // fail_modes.internal_error.
      Faulted(Step::kNegotiate, nullptr);
      connection_fault_ = true;
      agreed_actions_ = offered.actions & kActions;
      return {mp::kProtocolVersion, agreed_actions_, 0};
    }
  }

  mp::Reply OnConnect(const mp::Session& s, const mp::ConnectInfo& info) override {
    return Guard(Step::kConnect, s, [&] {
      // Postfix passes the address here, not as a macro.
      if (info.family == '4' || info.family == '6') client_addr_ = info.address;
      if (client_addr_.empty()) client_addr_ = std::string(s.Macro("{client_addr}"));
    });
  }

  mp::Reply OnMail(const mp::Session& s, const std::vector<std::string_view>& args) override {
    return Guard(Step::kEnvFrom, s, [&] {
      m_ = Message();
      m_.snapshot = Daemon().snapshots->Current();
      m_.sender = args.empty() ? "" : std::string(args[0]);
      m_.auth = std::string(s.Macro("{auth_authen}"));
      m_.cert_subject = std::string(s.Macro("{cert_subject}"));  // a HELO-stage macro
      if (client_addr_.empty()) client_addr_ = std::string(s.Macro("{client_addr}"));
      const Config* c = m_.snapshot.config.get();
      const int64_t memory = c ? c->milter.spool_memory_bytes : (1 << 20);
      const int64_t max = c ? c->milter.max_message_bytes : (64ll << 20);
      m_.body = std::make_unique<MessageSpool>(Daemon().spool_dir, memory, max);
    });
  }

  mp::Reply OnRcpt(const mp::Session& s, const std::vector<std::string_view>& args) override {
    return Guard(Step::kEnvRcpt, s, [&] {
      if (!args.empty()) m_.recipients.emplace_back(args[0]);
    });
  }

  mp::Reply OnHeader(const mp::Session& s, std::string_view name, std::string_view value) override {
    return Guard(Step::kHeader, s, [&] {
      const std::string n(name), v(value);
      const std::string lower = common::AsciiLower(n);
      if (lower.rfind("x-sendguard", 0) == 0) {
        // Counted even past the size limit: an oversize message accepted per its fail mode
        // still loses every X-Sendguard-* header it arrived with.
        auto [it, added] = m_.incoming_sendguard.try_emplace(lower, n, 0);
        ++it->second.second;
        ++m_.incoming_sendguard_total;
      }
      if (lower == "x-ms-exchange-crosstenant-id") {
        // Kept past the size limit too: the trusted-relay check must see every one.
        if (m_.tenant_ids.size() < kMaxTenantHeaders) m_.tenant_ids.emplace_back(v.substr(0, kMaxTenantBytes));
        else m_.tenant_ids_overflow = true;
      }
      const Config* c = m_.snapshot.config.get();
      const size_t max = static_cast<size_t>(c ? c->milter.max_message_bytes : (64ll << 20));
      if (m_.headers_oversize || m_.headers.size() + n.size() + v.size() + 4 > max) {
        m_.headers_oversize = true;  // answered per fail_modes.oversize; nothing more kept
        return;
      }
      m_.headers += n + ": " + WithCrlf(v) + "\r\n";
      if (lower == "subject" && m_.subject.empty()) m_.subject = v;
      if (lower == "message-id" && m_.message_id.empty()) m_.message_id = v;
      if (lower == "x-sendguard-release" && m_.release.empty()) m_.release = v;
      m_.digest.AddHeader(n, v);
    });
  }

  mp::Reply OnEndOfHeaders(const mp::Session& s) override {
    return Guard(Step::kEoh, s, [] {});
  }

  mp::Reply OnBody(const mp::Session& s, std::string_view chunk) override {
    return Guard(Step::kBody, s, [&] {
      if (m_.body && !m_.body->Append(chunk.data(), chunk.size())) m_.spool_failed = true;
    });
  }

  std::variant<mp::Reply, mp::Deferred> OnEndOfMessage(const mp::Session& s, mp::Completion done) override {
    try {
      fault::AtCallback(StepName(Step::kEom));
      return EndOfMessage(s, std::move(done));
    } catch (...) {
      return Faulted(Step::kEom, &s);
    }
  }

  mp::Reply OnEndOfMessageDeadline(const mp::Session&) override {
    // The deadline passed (waiting for a scanning thread included): the scan's result, when
    // it comes, is dropped.
    const Config* c = m_.snapshot.config.get();
    const FailAction action = c ? c->milter.fail_modes.scan_timeout : FailModes().scan_timeout;
    mp::Reply r = FailMode(action, "scan_timeout");
    m_ = Message();
    return r;
  }

  void OnAbort(const mp::Session& s) override {
    try {
      fault::AtCallback(StepName(Step::kAbort));
      m_ = Message();
    } catch (...) {
      Faulted(Step::kAbort, &s);
    }
  }

  void OnClose(const mp::Session& s) override {
    try {
      fault::AtCallback(StepName(Step::kClose));
    } catch (...) {
      Faulted(Step::kClose, &s);
    }
  }

 private:
  // Runs a collecting step; an exception is a fault (the message is answered per
  // fail_modes.internal_error at its end; at connect, every message on the connection).
  template <typename F>
  mp::Reply Guard(Step step, const mp::Session& s, F&& f) {
    try {
      fault::AtCallback(StepName(step));
      f();
    } catch (...) {
      Faulted(step, &s);
      (step == Step::kConnect ? connection_fault_ : m_.fault) = true;
    }
    return mp::Reply::Continue();
  }

  // outbound: from a logged-in client, from a trusted relay (milter.trusted_relays: Exchange
  // Online's outbound connector) when the message meets that relay's requirements, or from
  // milter.internal_networks. A relay's ranges decide before internal_networks; its mail that
  // fails a requirement is inbound. `relay` (when given) says which relay and what failed.
  std::string DirectionOf(const Config* c, RelayJudgement* relay = nullptr) const {
    if (!m_.auth.empty()) return "outbound";
    if (!c) return "inbound";
    const RelayEvidence evidence{client_addr_, m_.cert_subject, m_.tenant_ids, m_.tenant_ids_overflow, m_.sender};
    const RelayJudgement judged = JudgeRelay(c->milter.trusted_relays, evidence, c->organisation.directory);
    if (relay) *relay = judged;
    if (judged.relay) return judged.ours ? "outbound" : "inbound";
    return InNetworks(client_addr_, c->milter.internal_networks) ? "outbound" : "inbound";
  }

  // Every X-Sendguard-* header the message arrived with (the last of each name first, so the
  // indexes still hold).
  void RemoveIncomingSendguardHeaders(mp::Reply& r) const {
    for (const auto& [lower, seen] : m_.incoming_sendguard) {
      const auto& [name, count] = seen;
      for (int i = count; i >= 1; --i) r.changes.push_back(mp::Modification::DeleteHeader(name, static_cast<uint32_t>(i)));
    }
  }

  // `r` as the engine's Reply for this message: on acceptance the X-Sendguard-* headers it
  // arrived with go first, then sendguard's own are added.
  mp::Reply Carry(const MilterReply& r) const {
    using Kind = mp::Reply::Kind;
    if (r.kind == MilterReply::Kind::kDiscard) return mp::Reply::Discard();
    if (r.kind != MilterReply::Kind::kAccept) {
      std::vector<std::string> lines(r.lines.begin(), r.lines.begin() + std::min<size_t>(r.lines.size(), 32));
      return mp::Reply::WithText(r.kind == MilterReply::Kind::kReject ? Kind::kReject : Kind::kTempfail, r.rcode, r.xcode,
                                 std::move(lines));
    }
    mp::Reply out = mp::Reply::Accept();
    RemoveIncomingSendguardHeaders(out);
    for (const auto& name : r.remove_headers) {
      const bool gone = m_.incoming_sendguard.count(common::AsciiLower(name)) > 0;  // removed above already
      if (!gone) out.changes.push_back(mp::Modification::DeleteHeader(name, 1));
    }
    for (const auto& [name, value] : r.add_headers) out.changes.push_back(mp::Modification::AddHeader(name, value));
    if (!r.new_subject.empty()) out.changes.push_back(mp::Modification::ChangeHeader("Subject", 1, r.new_subject));
    for (const auto& rcpt : r.add_recipients) out.changes.push_back(mp::Modification::AddRcpt(rcpt));
    if (!r.quarantine_reason.empty()) out.changes.push_back(mp::Modification::Quarantine(r.quarantine_reason));
    return out;
  }

  // Answers the message per the fail mode `action` for `reason`; `detail` (" key=value ...", no
  // personal data) ends the log line.
  mp::Reply FailMode(FailAction action, const std::string& reason, const std::string& detail = "") const {
    DaemonState& d = Daemon();
    const auto config = ConfigFor(m_.snapshot);
    const std::string direction = m_.direction.empty() ? DirectionOf(config.get()) : m_.direction;
    d.metrics.CountFailMode(reason, FailActionName(action));
    d.metrics.CountMessage(direction, "unscanned", std::string("fail_") + FailActionName(action));
    d.log->warn("qid={} direction={} fail_mode={} action={}{}", m_.queue_id, direction, reason, FailActionName(action),
                detail);
    MilterReply reply = ReplyForFailure(action, reason, "");
    if (config) ForRecipients(reply, *config, m_.recipients);
    return Carry(reply);
  }

  // Looks the message up in the poison journal by its digest. The milter died on it
  // poison_after_crashes times: answered unscanned per fail_modes.poison_message (a crash loop
  // on one message would stop all mail), with *answer. Fewer: `job` is scanned alone. Either
  // way `job` gets the journal's record and clear.
  bool PoisonAnswered(const MilterSettings& m, const std::string& body, MessageJob& job, mp::Reply* answer) {
    DaemonState& d = Daemon();
    m_.digest.AddBody(body);
    const std::string digest = d.hasher ? m_.digest.Finish(*d.hasher) : "";
    const int crashes = d.journal && !digest.empty() ? d.journal->Crashes(digest) : 0;
    const std::string detail = " digest=" + digest.substr(0, 12) + " crashes=" + std::to_string(crashes);
    if (crashes >= m.poison_after_crashes) {
      *answer = FailMode(m.fail_modes.poison_message, "poison_message", detail);
      return true;
    }
    if (crashes > 0) {
      d.log->info("qid={} direction={} scanned alone: in flight when the milter died before ({})", m_.queue_id, m_.direction,
                  detail.substr(1));
    }
    job.alone = crashes > 0;
    JournalHooks(job, digest);
    return false;
  }

  std::variant<mp::Reply, mp::Deferred> EndOfMessage(const mp::Session& s, mp::Completion done) {
    DaemonState& d = Daemon();
    m_.queue_id = SafeQueueId(s.Macro("i"));
    if (m_.fault || connection_fault_) {
      // A step threw earlier (Faulted logged it): whatever was collected is not trusted.
      const auto config = ConfigFor(m_.snapshot);
      return Finish(FailMode(config ? config->milter.fail_modes.internal_error : FailModes().internal_error, "internal_error"));
    }
    if (!m_.body) return mp::Reply::Tempfail();  // end of message without MAIL: not the protocol
    const Config* c = m_.snapshot.config.get();
    RelayJudgement relay;
    m_.direction = DirectionOf(c, &relay);
    if (relay.relay && !relay.ours) {
      // From a trusted relay's addresses without its proof: someone else's mail (another
      // Microsoft 365 tenant's, say). Names the relay and the requirement only.
      const bool refuse = relay.relay->reject_not_ours;
      d.log->info("qid={} direction=inbound relay={} not the organisation's: unmet={} action={}", m_.queue_id,
                  relay.relay->name, relay.unmet, refuse ? "reject" : "inbound");
      if (refuse) {
        d.metrics.CountMessage(m_.direction, "unscanned", "relay_refused");
        return Finish(mp::Reply::WithText(mp::Reply::Kind::kReject, "550", "5.7.1",
                                          {"this gateway relays only its own organisation's mail"}));
      }
    }
    if (!c || !m_.snapshot.rules) {
      // Started without rules (or they never loaded): the admin's fail mode answers.
      return Finish(FailMode(c ? c->milter.fail_modes.rules_unavailable : FailModes().rules_unavailable, "rules_unavailable"));
    }
    const MilterSettings& m = c->milter;
    if (m_.incoming_sendguard_total > kMaxForgedHeaders) {
      // Removing each would be an answer of megabytes: a message like this was made to attack.
      return Finish(FailMode(m.fail_modes.internal_error, "forged_headers",
                             " count=" + std::to_string(m_.incoming_sendguard_total)));
    }
    if (m_.direction == "inbound" && m.scan == ScanDirection::kOutbound) {
      mp::Reply r = mp::Reply::Accept();
      RemoveIncomingSendguardHeaders(r);
      r.changes.push_back(mp::Modification::AddHeader("X-Sendguard-Scan", "skipped; direction=inbound"));
      d.metrics.CountMessage(m_.direction, "skipped", "accepted");
      return Finish(std::move(r));
    }
    if (m_.spool_failed) return Finish(FailMode(m.fail_modes.internal_error, "spool_failed"));
    if (m_.headers_oversize || m_.body->oversize()) return Finish(FailMode(m.fail_modes.oversize, "oversize"));
    MessageJob job;
    job.snapshot = m_.snapshot;
    job.raw = m_.headers + "\r\n";
    std::string body;
    if (!m_.body->ReadAll(&body)) return Finish(FailMode(m.fail_modes.internal_error, "spool_failed"));
    if (mp::Reply r; PoisonAnswered(m, body, job, &r)) return Finish(std::move(r));
    job.raw += body;
    job.envelope.sender = m_.sender;
    job.envelope.recipients = m_.recipients;
    job.queue_id = m_.queue_id;
    job.message_id = m_.message_id;
    job.subject = m_.subject;
    job.direction = m_.direction;
    job.release_header = m_.release;
    job.cancelled = [done] { return done.Cancelled(); };
    const bool queued = d.pool->Submit(std::move(job), [this, done](std::optional<JobResult> result) {
      auto shared = std::make_shared<std::optional<JobResult>>(std::move(result));
      // Runs on the event loop only while this connection still waits for this message.
      done.Finish([this, shared] { return Scanned(std::move(*shared)); });
    });
    // No scanning thread free and the queue full: internal_error, as the fail-mode table says.
    if (!queued) return Finish(FailMode(m.fail_modes.internal_error, "overloaded"));
    return mp::Deferred{std::chrono::milliseconds(m.message_timeout_ms)};
  }

  // The scan's result, on the event loop's thread.
  mp::Reply Scanned(std::optional<JobResult> result) {
    DaemonState& d = Daemon();
    if (!result) {
      const Config* c = m_.snapshot.config.get();
      return Finish(FailMode(c ? c->milter.fail_modes.internal_error : FailModes().internal_error, "internal_error"));
    }
    d.metrics.CountMessage(m_.direction, result->verdict, result->reply.outcome);
    if (!result->incident.empty()) d.metrics.CountIncident(result->incident);
    for (const auto& [type, n] : result->findings) d.metrics.CountFinding(type, n);
    if (!result->incomplete_reason.empty()) d.metrics.CountIncomplete(result->incomplete_reason);
    d.metrics.ObserveScanSeconds(result->scan_seconds);
    d.metrics.CountOcr(result->ocr.read, result->ocr.cached, result->ocr.tiny_skipped, result->ocr.not_read);
    LogMessage(m_.queue_id, m_.direction, *result);
    return Finish(Carry(result->reply));
  }

  // The message is answered: the next starts afresh. An answer that needs a change the MTA did
  // not agree to at negotiation (it would be dropped: a quarantine would become a delivery,
  // forged X-Sendguard-* headers would stay) is answered per fail_modes.internal_error instead.
  mp::Reply Finish(mp::Reply r) {
    if (const uint32_t missing = ActionsNeeded(r) & ~agreed_actions_;
        missing && r.kind != mp::Reply::Kind::kReject && r.kind != mp::Reply::Kind::kTempfail) {
      const Config* c = m_.snapshot.config.get();
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%x", missing);
      r = FailMode(c ? c->milter.fail_modes.internal_error : FailModes().internal_error, "action_not_negotiated",
                   std::string(" missing_actions=") + hex);
    }
    m_ = Message();
    return r;
  }

  static uint32_t ActionsNeeded(const mp::Reply& r) {
    uint32_t needed = 0;
    for (const auto& m : r.changes) {
      switch (m.kind) {
        case mp::Modification::Kind::kAddHeader:
        case mp::Modification::Kind::kInsertHeader: needed |= mp::action::kAddHeaders; break;
        case mp::Modification::Kind::kChangeHeader: needed |= mp::action::kChangeHeaders; break;
        case mp::Modification::Kind::kAddRcpt: needed |= mp::action::kAddRcpt; break;
        case mp::Modification::Kind::kQuarantine: needed |= mp::action::kQuarantine; break;
        default: needed |= mp::action::kChangeBody; break;  // sendguard makes no other change
      }
    }
    return needed;
  }

  // Logs and counts a fault in `step`; at end of message, the answer per
  // fail_modes.internal_error.
  mp::Reply Faulted(Step step, const mp::Session* s) noexcept {
    try {
      DaemonState& d = Daemon();
      d.metrics.CountCallbackFault(StepName(step));
      const std::string fault = DescribeException();
      const std::string qid = s ? SafeQueueId(s->Macro("i")) : "";
      const char* then = "the message is answered per fail_modes.internal_error";
      if (step == Step::kNegotiate || step == Step::kConnect) then = "every message on this connection is answered per fail_modes.internal_error";
      if (step == Step::kAbort || step == Step::kClose) then = "no message to answer";
      d.log->error("qid={} fault in {}: {}; {}", qid.empty() ? "-" : qid, StepName(step), fault, then);
      if (step == Step::kAbort) m_ = Message();
      if (step != Step::kEom) return mp::Reply::Continue();
      m_.queue_id = qid;
      const auto config = ConfigFor(m_.snapshot);
      return Finish(FailMode(config ? config->milter.fail_modes.internal_error : FailModes().internal_error, "internal_error"));
    } catch (...) {
      // Failing even to answer the fault (no memory to log it): tempfail, the one answer that
      // never loses mail or lets it through unscanned.
      return mp::Reply::Tempfail();
    }
  }

  std::string client_addr_;
  uint32_t agreed_actions_ = kActions;
  bool connection_fault_ = false;  // a fault at negotiate or connect: every message fails
  Message m_;
};

}  // namespace

std::unique_ptr<milter_protocol::Handler> NewConnectionHandler() { return std::make_unique<Connection>(); }

}  // namespace sendguard::milter
