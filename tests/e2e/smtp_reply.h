// SPDX-License-Identifier: Apache-2.0
// The part of an SMTP reply line the MTA end-to-end harnesses (Postfix, Sendmail) compare: the
// text after the code and the enhanced code.
#pragma once

#include <regex>
#include <string>

namespace sendguard::testing {

// "550-5.7.1 some text" -> appends "some text" to *text (space-separated).
inline void AppendReplyText(const std::string& reply, std::string* text) {
  std::string t = reply.size() > 4 ? reply.substr(4) : "";
  std::smatch m;
  if (std::regex_search(t, m, std::regex(R"(^\d\.\d\.\d+ )"))) t = t.substr(static_cast<size_t>(m.length()));
  *text += (text->empty() ? "" : " ") + t;
}

}  // namespace sendguard::testing
