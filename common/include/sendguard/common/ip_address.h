// SPDX-License-Identifier: Apache-2.0
// IP addresses as text: a socket address printed, and whether a string is one address.
// Used by the HTTP server (the client's address), the milter (the SMTP client's) and the
// core's config (trusted proxies).
#pragma once

#include <string>

struct sockaddr;

namespace sendguard::common {

// The IPv4 or IPv6 address of `addr` as text; "" for null or another family.
std::string AddressText(const sockaddr* addr);

// True when `text` is one IPv4 or IPv6 address (not a name, not a range).
bool IsIpAddress(const std::string& text);

}  // namespace sendguard::common
