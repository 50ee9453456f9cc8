// SPDX-License-Identifier: Apache-2.0
// miltertest scripts for the protocol and hand-over tests: Lua literals, one message's
// commands, a connection, and the reply checks.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace sendguard::testing::lua {

// A Lua string literal for any bytes.
inline std::string Lua(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 32 && c < 127) {
      out += static_cast<char>(c);
    } else {
      out += "\\" + std::to_string(c);
    }
  }
  return out + "\"";
}

struct Msg {
  std::string from = "staff@council.example.gov.uk";
  std::vector<std::string> to = {"friend@example.org"};
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body = "See you at one.\r\n";
  size_t chunk = 0;  // 0: one body chunk
  std::string auth = "staff";
  std::string qid = "Q1";
};

// Lua that sends one message on `conn` and leaves the EOM reply to check.
inline std::string SendLua(const Msg& m) {
  std::string s;
  if (!m.auth.empty()) s += "mt.macro(conn, SMFIC_MAIL, \"{auth_authen}\", " + Lua(m.auth) + ", \"i\", " + Lua(m.qid) + ")\n";
  else s += "mt.macro(conn, SMFIC_MAIL, \"i\", " + Lua(m.qid) + ")\n";
  s += "assert(mt.mailfrom(conn, " + Lua("<" + m.from + ">") + ") == nil, 'mailfrom')\n";
  for (const auto& r : m.to) s += "assert(mt.rcptto(conn, " + Lua("<" + r + ">") + ") == nil, 'rcpt')\n";
  std::vector<std::pair<std::string, std::string>> headers = m.headers;
  if (headers.empty()) {
    std::string to;
    for (const auto& r : m.to) to += (to.empty() ? "" : ", ") + r;
    headers = {{"From", m.from}, {"To", to}, {"Subject", "test"}, {"Message-ID", "<" + m.qid + "@council.example.gov.uk>"}};
  }
  for (const auto& [n, v] : headers) s += "assert(mt.header(conn, " + Lua(n) + ", " + Lua(v) + ") == nil, 'header')\n";
  s += "assert(mt.eoh(conn) == nil, 'eoh')\n";
  size_t step = m.chunk ? m.chunk : m.body.size();
  for (size_t at = 0; at < m.body.size(); at += step) {
    s += "assert(mt.bodystring(conn, " + Lua(m.body.substr(at, step)) + ") == nil, 'body')\n";
  }
  s += "assert(mt.eom(conn) == nil, 'eom')\n";
  return s;
}

inline std::string Connect(const std::string& client_ip = "192.0.2.10") {
  return "conn = mt.connect(\"inet:PORT@127.0.0.1\")\nassert(conn ~= nil, 'connect')\n"
         "mt.macro(conn, SMFIC_CONNECT, \"{client_addr}\", " + Lua(client_ip) + ")\n"
         "assert(mt.conninfo(conn, \"client.example\", " + Lua(client_ip) + ") == nil, 'conninfo')\n";
}

inline const char* kAccepted = "assert(mt.getreply(conn) == SMFIR_ACCEPT, 'expected accept')\n";
inline const char* kRejected = "assert(mt.getreply(conn) == SMFIR_REPLYCODE, 'expected a reply code (reject)')\n";

}  // namespace sendguard::testing::lua
