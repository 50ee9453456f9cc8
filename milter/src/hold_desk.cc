// SPDX-License-Identifier: Apache-2.0
// Hold-and-confirm on the milter's side (see hold_desk.h).
#include "sendguard/milter/hold_desk.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "sendguard/common/smtp_client.h"
#include "sendguard/common/text.h"
#include "sendguard/milter/incident_draft.h"
#include "sendguard/milter/incident_outbox.h"
#include "sendguard/milter/mail_outbox.h"
#include "sendguard/rules/address_list.h"
#include "sendguard/rules/recipients.h"

namespace sendguard::milter {
namespace {

using nlohmann::json;

// An envelope address as the MTA passed it ("<a@b>") without its angle brackets.
std::string Bare(const std::string& address) {
  std::string a(common::Trim(address));
  if (a.size() >= 2 && a.front() == '<' && a.back() == '>') a = a.substr(1, a.size() - 2);
  return a;
}

// The recipients the warning is about: everyone outside the organisation, its partners and
// secure domains (a lookalike domain is outside too); when nobody is, those a signal names.
std::vector<std::string> FlaggedRecipients(const Decision& d, const rules::PolicyEngine& policy) {
  std::set<std::string> named;
  for (const auto& s : d.verdict.signals) {
    if (!s.recipient.empty()) named.insert(rules::NormaliseAddress(s.recipient));
  }
  std::vector<std::string> outside, signalled;
  for (const auto& r : d.facts.recipients) {
    const std::string a = rules::NormaliseAddress(Bare(r));
    const rules::RecipientClass c = rules::Classify(policy.organisation().directory, a);
    if (c == rules::RecipientClass::kExternal || c == rules::RecipientClass::kFreemail) outside.push_back(Bare(r));
    if (named.count(a)) signalled.push_back(Bare(r));
  }
  return outside.empty() ? signalled : outside;
}

bool Ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// The notice's words in each language; {subject}, {explanation}, {link}, {cancel}, {when}.
struct NoticeWords {
  const char* your_email;
  const char* subject;
  const char* body;
};
const NoticeWords kNoticeEn{
    "your email", "Not sent yet: please confirm or cancel {subject}",
    "Your email {subject} has not been sent yet.\r\n\r\n{explanation}\r\n\r\n"
    "If you are sure it should go, confirm it here. You can also send it to everyone except\r\n"
    "the recipients it was flagged for:\r\n\r\n    {link}\r\n\r\n"
    "If it should not go, cancel it here:\r\n\r\n    {cancel}\r\n\r\n"
    "Nothing is sent unless you confirm. The link works once. If you do nothing, the email is\r\n"
    "deleted at {when}.\r\n\r\n-- \r\nsendguard, on behalf of your information governance team\r\n"};
const NoticeWords kNoticeCy{
    "eich e-bost", "Heb ei anfon eto: cadarnhewch neu canslwch {subject}",
    "Nid yw eich e-bost {subject} wedi'i anfon eto.\r\n\r\n{explanation}\r\n\r\n"
    "Os ydych yn siŵr y dylai fynd, cadarnhewch yma. Gallwch hefyd ei anfon at bawb heblaw'r\r\n"
    "derbynwyr y tynnwyd sylw atynt:\r\n\r\n    {link}\r\n\r\n"
    "Os na ddylai fynd, canslwch ef yma:\r\n\r\n    {cancel}\r\n\r\n"
    "Ni chaiff dim ei anfon oni bai eich bod yn cadarnhau. Mae'r ddolen yn gweithio unwaith. Os na wnewch\r\n"
    "ddim, caiff yr e-bost ei ddileu am {when}.\r\n\r\n-- \r\nsendguard, ar ran eich tîm llywodraethu gwybodaeth\r\n"};

// The notice to the sender, in their language: what was found, and the links to confirm or
// cancel (the Welsh links keep the pages in Welsh).
std::string Notice(const HeldMessage& m, const Config& config, const std::string& link) {
  const bool cy = m.language == "cy";
  const NoticeWords& w = cy ? kNoticeCy : kNoticeEn;
  const bool plain = !m.subject.empty() && Ascii(m.subject) && m.subject.size() <= 120;
  const std::string subject = plain ? "\"" + m.subject + "\"" : w.your_email;
  const std::string lang = cy ? "&lang=cy" : "";
  const std::string text = common::FillPlaceholders(w.body, {{"subject", subject}, {"explanation", m.explanation}, {"link", link + lang},
                                           {"cancel", link + "&action=cancel" + lang},
                                           {"when", common::LocalTimeWords(m.expires, m.language)}});
  return NoticeMessage(config.notify_from, m.sender, common::FillPlaceholders(w.subject, {{"subject", subject}}), "hold-" + m.id, m.created, text);
}

std::vector<std::string> Domains(const std::vector<std::string>& addresses) {
  std::set<std::string> out;
  for (const auto& a : addresses) out.insert(rules::DomainOf(rules::NormaliseAddress(a)));
  return {out.begin(), out.end()};
}

const HoldOutcome kBadLink{403, "", "this link is not valid (it may have been copied incompletely)"};

}  // namespace

std::string HoldPendingKey(const std::string& id) { return "hold:" + id; }

Result<std::string> HoldDesk::Hold(const Decision& d, const rules::PolicyEngine& policy, const Config& config,
                                   const std::string& raw, const std::string& queue_id, const std::string& message_id,
                                   const std::string& subject, std::time_t now) {
  HeldMessage m;
  m.id = NewHoldId();
  m.sender = Bare(d.facts.sender);
  for (const auto& r : d.facts.recipients) m.recipients.push_back(Bare(r));
  m.flagged = FlaggedRecipients(d, policy);
  m.subject = subject;
  m.explanation = d.verdict.explanation;
  m.language = d.verdict.language == "cy" ? "cy" : "en";
  m.raw = raw;
  m.created = now;
  m.expires = now + int64_t{config.confirm_ttl_minutes} * 60;
  if (m.sender.empty()) return InvalidArgument("a message with a null sender cannot be held for confirmation");
  if (m.id.empty()) return Internal("no random bytes for a hold id");
  common::SqlTransaction tx(db_);
  if (Status st = held_.Hold(m); !st.ok()) return st;
  DraftContext c{DraftId(hasher_, queue_id, message_id, now), "WARNED_USER_CANCELLED", message_id, now};
  json draft = json::parse(BuildIncidentDraft(d, policy, c));
  draft["mf_warning"] = {{"mode", "HOLD_AND_CONFIRM"}, {"outcome", "EXPIRED"}};
  // Filed as expired by the outbox thread when the hold expires (HeldMessages::Expire moves only
  // messages still held, so a release in flight is recorded as what it was); this later expiry
  // is only a backstop.
  const std::time_t file_expired_at = m.expires + 86400;
  if (Status st = IncidentOutbox(db_).HoldWarning(HoldPendingKey(m.id), c.event_id, draft.dump(), file_expired_at); !st.ok()) {
    return st;
  }
  const std::string base = config.link_base_url.empty() ? config.core_url : config.link_base_url;
  const std::string link = base + "/staff/hold/" + m.id + "?t=" + HoldLinkToken(hasher_, m.id);
  if (Status st = MailOutbox(db_, key_).Enqueue("notice-" + m.id, config.notify_from, {m.sender}, Notice(m, config, link), now);
      !st.ok()) {
    return st;
  }
  if (Status st = tx.Commit(); !st.ok()) return st;
  if (queued_) queued_();
  return m.id;
}

bool HoldDesk::AcceptRelease(const std::string& header, std::time_t now) {
  auto id = ReleaseHeaderId(hasher_, header);
  if (!id) return false;
  auto marked = held_.MarkReleased(*id, now);
  return marked.ok() && *marked;
}

bool HoldDesk::LinkValid(const std::string& id, const std::string& token) const {
  return holds::IsHoldId(id) && HoldLinkTokenValid(hasher_, id, token);
}

HoldOutcome HoldDesk::Check(const std::string& id, const std::string& token, std::time_t now) {
  if (!LinkValid(id, token)) return kBadLink;
  return CheckHeld(id, now);
}

HoldOutcome HoldDesk::CheckHeld(const std::string& id, std::time_t now) {
  HoldOutcome out;
  auto state = held_.State(id);
  if (!state.ok()) return {500, "", state.status().message()};
  out.state = state->first;
  if (out.state.empty()) return {404, "", "no such held message"};
  if (out.state == "held" && state->second <= now) return {410, "expired", "the time to confirm has passed"};
  if (out.state != "held") return {409, out.state, "this message is no longer waiting (" + out.state + ")"};
  return out;
}

HoldOutcome HoldDesk::Show(const std::string& id, const std::string& token, std::time_t now, std::string* json_out) {
  HoldOutcome out = Check(id, token, now);
  if (out.http_status == 403 || out.http_status == 404 || out.http_status == 500) return out;
  HeldMessage view;
  if (out.http_status == 200) {
    auto m = held_.Load(id);
    if (!m.ok() || !*m) return {500, out.state, m.ok() ? "the held copy is missing" : m.status().message()};
    view = std::move(**m);
  }
  view.id = id;
  view.state = out.state;
  *json_out = holds::HoldViewJson(view, out.http_status == 200);
  return out;
}

Status HoldDesk::FileOutcome(const std::string& id, const std::string& mf_action, const std::string& warning,
                             std::time_t now) {
  IncidentOutbox outbox(db_);
  auto pending = outbox.TakeWarning(HoldPendingKey(id));
  if (!pending.ok()) return pending.status();
  if (!*pending) return Status();  // already filed (expired meanwhile)
  json draft = json::parse((*pending)->second, nullptr, false);
  if (!draft.is_object()) return Internal("pending incident for hold " + id + " is not JSON");
  draft["mf_action"] = mf_action;
  draft["mf_warning"] = json::parse(warning);
  draft["title"] = "Mail filter: " + mf_action + " (warn, held for confirmation)";
  if (Status st = outbox.Enqueue((*pending)->first, draft.dump(), now); !st.ok()) return st;
  if (queued_) queued_();
  return Status();
}

HoldOutcome HoldDesk::Confirm(const std::string& id, const std::string& token, const ConfirmRequest& request,
                              const std::string& smtp_url, std::time_t now) {
  if (!LinkValid(id, token)) return kBadLink;
  return Release(id, request, smtp_url, now);
}

HoldOutcome HoldDesk::Release(const std::string& id, const ConfirmRequest& request, const std::string& smtp_url,
                              std::time_t now, std::time_t answered_at) {
  const std::time_t as_of = answered_at ? answered_at : now;  // the expiry is judged when the sender answered
  HoldOutcome out = CheckHeld(id, as_of);
  if (out.http_status != 200) return out;
  if (std::string problem = holds::ConfirmRequestProblem(request); !problem.empty()) return {422, out.state, problem};
  auto loaded = held_.Load(id);
  if (!loaded.ok() || !*loaded) return {500, out.state, loaded.ok() ? "the held copy is missing" : loaded.status().message()};
  const HeldMessage& m = **loaded;
  std::vector<std::string> to, left_out;
  for (const auto& r : m.recipients) {
    const bool flagged = std::find(m.flagged.begin(), m.flagged.end(), r) != m.flagged.end();
    (request.except_flagged && flagged ? left_out : to).push_back(r);
  }
  if (to.empty()) return {422, out.state, "leaving out the flagged recipients leaves nobody to send to"};
  const bool partial = !left_out.empty();
  const std::string final_state = partial ? "partially_released" : "released";
  auto begun = held_.BeginRelease(id, final_state, now, as_of);
  if (!begun.ok()) return {500, out.state, begun.status().message()};
  if (!*begun) return CheckHeld(id, as_of);  // someone else got there first
  common::SmtpSend send{smtp_url, m.sender, to, "X-Sendguard-Release: " + ReleaseHeader(hasher_, id) + "\r\n" + m.raw};
  send.timeout_ms = 120000;  // the copy passes this milter again on its way in
  const Status sent = common::SendSmtp(send);
  auto state = held_.EndRelease(id, sent.ok(), now);
  if (!state.ok()) return {500, "", state.status().message()};
  if (*state == "held") return {502, *state, "the mail server did not take the message: " + sent.message()};
  json warning = {{"mode", "HOLD_AND_CONFIRM"},
                  {"outcome", partial ? "PARTIALLY_RELEASED" : "CONFIRMED"},
                  {"justification_reason", request.reason},
                  {"justification_text", common::MaskedNote(request.text, 500)},
                  {"excluded_recipient_domains", Domains(left_out)},
                  {"excluded_recipients", left_out.size()}};
  if (Status st = FileOutcome(id, "WARNED_USER_OVERRODE", warning.dump(), now); !st.ok()) {
    return {500, *state, "sent, but the incident could not be queued: " + st.message()};
  }
  return {200, *state, "", to.size()};
}

HoldOutcome HoldDesk::Cancel(const std::string& id, const std::string& token, std::time_t now) {
  if (!LinkValid(id, token)) return kBadLink;
  return CancelHeld(id, now);
}

HoldOutcome HoldDesk::CancelHeld(const std::string& id, std::time_t now, std::time_t answered_at) {
  const std::time_t as_of = answered_at ? answered_at : now;
  HoldOutcome out = CheckHeld(id, as_of);
  if (out.http_status != 200) return out;
  auto cancelled = held_.Cancel(id, now);
  if (!cancelled.ok()) return {500, out.state, cancelled.status().message()};
  if (!*cancelled) return CheckHeld(id, as_of);
  const json warning = {{"mode", "HOLD_AND_CONFIRM"}, {"outcome", "CANCELLED"}};
  if (Status st = FileOutcome(id, "WARNED_USER_CANCELLED", warning.dump(), now); !st.ok()) {
    return {500, "cancelled", "cancelled, but the incident could not be queued: " + st.message()};
  }
  return {200, "cancelled", ""};
}

}  // namespace sendguard::milter
