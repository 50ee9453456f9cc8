// SPDX-License-Identifier: Apache-2.0
// Sending one message over SMTP with libcurl: the assessment core's mail to the IG mailbox,
// and the milter's hold notifications and releases (re-injection into the MTA).
#pragma once

#include <string>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::common {

struct SmtpSend {
  std::string url;                      // smtp://HOST:PORT (smtps:// for implicit TLS)
  std::string from;                     // envelope sender, without angle brackets ("" = null sender)
  std::vector<std::string> recipients;  // envelope recipients
  std::string message;                  // headers and body, CRLF line ends
  long connect_timeout_ms = 3000;
  long timeout_ms = 15000;
};

// Sends the message; the error names curl's reason and the server's last reply code.
// Every recipient must be accepted (a refused RCPT fails the whole send).
Status SendSmtp(const SmtpSend& send);

}  // namespace sendguard::common
