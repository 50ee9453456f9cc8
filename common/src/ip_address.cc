// SPDX-License-Identifier: Apache-2.0
// IP addresses as text (see ip_address.h).
#include "sendguard/common/ip_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

namespace sendguard::common {

std::string AddressText(const sockaddr* addr) {
  if (!addr) return "";
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf, sizeof buf);
  } else if (addr->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

bool IsIpAddress(const std::string& text) {
  in6_addr scratch;
  return inet_pton(AF_INET, text.c_str(), &scratch) == 1 || inet_pton(AF_INET6, text.c_str(), &scratch) == 1;
}

}  // namespace sendguard::common
