// SPDX-License-Identifier: Apache-2.0
// RFC 5322 address lists as people write them in To/Cc/From: display names, quoted
// strings, comments, groups. Pure text handling; encoded words in display names are
// decoded by the caller (the scanner owns MIME).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sendguard::rules {

struct MailAddress {
  std::string display;  // "Mrs A Patel" (unquoted; "" when none)
  std::string address;  // "a.patel@example.org" as written, without angle brackets
};

// Parses a header value such as `"Patel, A" <a.patel@x.org>, b@y.org, Team: c@z.org;`.
// Items without an '@' are skipped; never throws.
std::vector<MailAddress> ParseAddressList(std::string_view value);

// The bare address of an envelope argument ("<A@X.org>" -> "a@x.org"): angle brackets and
// white space removed, lower-cased.
std::string NormaliseAddress(std::string_view address);

// Lower-case name words of a display name or local part, for matching a salutation to a
// recipient: "Mrs A. Patel" -> {"patel"}; "anita.patel2" -> {"anita", "patel"}. Titles and
// single letters are dropped.
std::vector<std::string> NameTokens(std::string_view text);

}  // namespace sendguard::rules
