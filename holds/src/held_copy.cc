// SPDX-License-Identifier: Apache-2.0
// A held message's definitions shared by the gateway and the core (see held_copy.h).
#include "sendguard/holds/held_copy.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "sendguard/common/text.h"

namespace sendguard::holds {
namespace {

using nlohmann::json;

json AddressList(const std::vector<std::string>& list) {
  json out = json::array();
  for (const auto& a : list) out.push_back(common::RepairUtf8(a));
  return out;
}

}  // namespace

std::string NewHoldId() { return common::RandomHex(16); }

bool IsHoldId(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string HoldLinkToken(const common::KeyedHasher& hasher, const std::string& id) {
  return hasher.Hex("sendguard hold link|" + id).substr(0, 32);
}

bool HoldLinkTokenValid(const common::KeyedHasher& hasher, const std::string& id, const std::string& token) {
  return hasher.Verifies("sendguard hold link|" + id, token, 32);  // under any key of the ring
}

std::string ReleaseHeader(const common::KeyedHasher& hasher, const std::string& id) {
  return id + "; sig=" + hasher.Hex("sendguard release|" + id);
}

std::optional<std::string> ReleaseHeaderId(const common::KeyedHasher& hasher, const std::string& value) {
  const std::string v(common::Trim(value));
  const size_t semi = v.find("; sig=");
  if (semi == std::string::npos) return std::nullopt;
  const std::string id = v.substr(0, semi);
  if (!hasher.Verifies("sendguard release|" + id, v.substr(semi + 6))) return std::nullopt;
  return id;
}

const std::vector<std::string>& JustificationReasons() {
  static const std::vector<std::string> kReasons = {"RECIPIENTS_CHECKED", "SHARING_AGREEMENT", "DATA_SUBJECT_REQUEST",
                                                    "OTHER"};
  return kReasons;
}

std::string HeldPlain(const HeldMessage& m) {
  const json meta = {{"sender", common::RepairUtf8(m.sender)}, {"recipients", AddressList(m.recipients)},
                     {"flagged", AddressList(m.flagged)},     {"subject", common::RepairUtf8(m.subject)},
                     {"explanation", common::RepairUtf8(m.explanation)}, {"language", m.language}};
  std::string plain = meta.dump();
  plain.push_back('\0');
  plain += m.raw;
  return plain;
}

Result<HeldMessage> ParseHeldPlain(const std::string& id, const std::string& plain) {
  const size_t nul = plain.find('\0');
  const json meta = json::parse(plain.substr(0, nul), nullptr, false);
  if (nul == std::string::npos || !meta.is_object()) return InvalidArgument("held message " + id + ": bad layout");
  HeldMessage m;
  m.id = id;
  m.sender = meta.value("sender", "");
  m.recipients = meta.value("recipients", std::vector<std::string>{});
  m.flagged = meta.value("flagged", std::vector<std::string>{});
  m.subject = meta.value("subject", "");
  m.explanation = meta.value("explanation", "");
  m.language = meta.value("language", "en") == "cy" ? "cy" : "en";
  m.raw = plain.substr(nul + 1);
  return m;
}

std::string HoldViewJson(const HeldMessage& m, bool with_content) {
  json view = {{"id", m.id}, {"state", m.state}, {"reasons", JustificationReasons()}};
  if (with_content) {
    json recipients = json::array();
    for (const auto& r : m.recipients) {
      recipients.push_back({{"address", common::RepairUtf8(r)},
                            {"flagged", std::find(m.flagged.begin(), m.flagged.end(), r) != m.flagged.end()}});
    }
    view["subject"] = common::RepairUtf8(m.subject);
    view["explanation"] = common::RepairUtf8(m.explanation);
    view["recipients"] = recipients;
    view["expires"] = static_cast<int64_t>(m.expires);
    view["expires_local"] = common::LocalTimeWords(m.expires, m.language);
    view["language"] = m.language;
    view["partial_possible"] = !m.flagged.empty() && m.flagged.size() < m.recipients.size();
  }
  return view.dump();
}

std::string ConfirmRequestProblem(const ConfirmRequest& request) {
  const auto& reasons = JustificationReasons();
  if (std::find(reasons.begin(), reasons.end(), request.reason) == reasons.end()) return "choose a reason for sending";
  if (request.reason == "OTHER" && common::Trim(request.text).empty()) return "say why the email should be sent";
  if (request.text.size() > 500) return "the explanation is longer than 500 characters";
  return "";
}

}  // namespace sendguard::holds
