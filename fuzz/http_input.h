// SPDX-License-Identifier: Apache-2.0
// Turns a fuzz input into the HttpRequest the servers' handlers receive after libmicrohttpd
// has parsed the wire: "METHOD PATH[?QUERY]" on the first line, "Name: value" header lines,
// a blank line, then the body. Header names are lower-cased and the query split on & and =
// (percent-decoded), as common/http_server.cc does.
#pragma once

#include <string>
#include <string_view>

#include "sendguard/common/http_server.h"
#include "sendguard/common/text.h"

namespace sendguard::fuzz {

inline std::string PercentDecoded(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1; };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

inline common::HttpRequest ParseRequest(std::string_view in) {
  common::HttpRequest req;
  req.client_ip = "127.0.0.1";
  auto next_line = [&in]() {
    const size_t eol = in.find('\n');
    std::string_view line = in.substr(0, eol);
    in.remove_prefix(eol == std::string_view::npos ? in.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  std::string_view first = next_line();
  const size_t sp = first.find(' ');
  req.method = std::string(first.substr(0, sp));
  std::string_view target = sp == std::string_view::npos ? std::string_view("/") : first.substr(sp + 1);
  const size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view query = target.substr(q + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      const std::string_view pair = query.substr(0, amp);
      const size_t eq = pair.find('=');
      req.query[PercentDecoded(pair.substr(0, eq))] = eq == std::string_view::npos ? "" : PercentDecoded(pair.substr(eq + 1));
      query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    }
  }
  while (!in.empty()) {
    const std::string_view line = next_line();
    if (line.empty()) break;
    const size_t colon = line.find(':');
    std::string name = common::AsciiLower(line.substr(0, colon));
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    req.headers[name] = std::string(value);
  }
  req.body = std::string(in);
  return req;
}

}  // namespace sendguard::fuzz
