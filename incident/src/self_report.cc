// SPDX-License-Identifier: Apache-2.0
// The self-report breach draft (see self_report.h).
#include "sendguard/incident/self_report.h"

#include <ctime>

#include "sendguard/common/text.h"
#include "sendguard/incident/incident_service.h"
#include "sendguard/incident/london_time.h"

namespace sendguard::incident {

using nlohmann::json;

json SelfReportDraft(const json& send, const std::string& reporter_name, const std::string& reporter_email,
                     const std::string& how, const std::string& note) {
  const std::time_t at = send.value("at", int64_t{0});
  const std::string findings = send.value("findings", "");
  std::string what = "Self-reported misdirected email, sent " + common::FormatTime(at, "%Y-%m-%dT%H:%MZ") + " (queue id " +
                     send.value("queue_id", "") + "). sendguard saw: verdict " + send.value("verdict", "") + ", outcome " +
                     send.value("outcome", "") + ", findings " + (findings.empty() ? "none" : findings) +
                     ", recipient domains " + send.value("recipient_domains", json::array()).dump() + ".";
  const std::string said = common::MaskedNote(note, 1000);
  if (!said.empty()) what += " The sender says: " + said;
  json draft = {{"title", "Misdirected email (self-reported)"},
                {"kind", "BREACH"},
                {"s1_aware_local", FormatLocalDateTime(NowUtc())},
                {"s1_how_found_out", how},
                {"s4_types", {"INCORRECT_RECIPIENT"}},
                {"disclosure_channel", "EMAIL"},
                {"s5_what_happened", what}};
  if (!reporter_name.empty()) draft["s1_name"] = reporter_name;
  if (!reporter_email.empty()) {
    draft["s1_email"] = reporter_email;
    if (reporter_name.empty()) draft["s1_name"] = reporter_email;
  }
  return draft;
}

std::string SelfReportKey(const json& send) { return "self-report-" + send.value("message_id_hash", ""); }

Outcome<std::string> FileSelfReportDraft(IncidentService& service, const Actor& reporter, const json& send,
                                         const std::string& reporter_name, const std::string& reporter_email,
                                         const std::string& how, const std::string& note) {
  json draft = SelfReportDraft(send, reporter_name, reporter_email, how, note);
  json composed = json::object();
  for (const char* field : {"kind", "disclosure_channel"}) {
    composed[field] = draft[field];
    draft.erase(field);
  }
  return service.Create(draft, reporter, SelfReportKey(send), send.value("message_sha256", ""), composed);
}

}  // namespace sendguard::incident
