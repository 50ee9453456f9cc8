// SPDX-License-Identifier: Apache-2.0
// The message the MTA end-to-end tests (Postfix, Sendmail) send: from a council officer, with
// a unique marker header; a sensitive one carries the given NHS numbers with health terms
// (the SMTP reply parsing is smtp_reply.h).
#pragma once

#include <string>
#include <vector>

#include "sendguard/synth/synth.h"

namespace sendguard::testing {

inline std::string CouncilMessage(const std::string& marker, const std::string& to, const std::vector<std::string>& nhs,
                                  bool sensitive, const std::string& subject = "referrals", const std::string& extra = "") {
  std::string m = "From: Sam Okafor <s.okafor@council.example.gov.uk>\r\nTo: " + to + "\r\nSubject: " + subject +
                  "\r\nMessage-ID: <" + marker + "@council.example.gov.uk>\r\nX-Test-Id: " + marker +
                  "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear Jo,\r\n";
  if (sensitive) {
    m += "The mental health referrals, with medication reviews:\r\n";
    for (const auto& n : nhs) m += "NHS number " + synth::Grouped(n, {3, 3, 4}, ' ') + " depression\r\n";
  } else {
    m += "See you at the meeting.\r\n";
  }
  return m + extra + "Sam\r\n";
}

}  // namespace sendguard::testing
