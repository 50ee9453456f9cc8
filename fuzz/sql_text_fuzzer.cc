// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the text the database layer reads. The input's first line is a store setting
// (common::IsPostgresSetting, common::RedactedSetting: what every log line and printout shows),
// the rest SQL (PostgresDb::NumberPlaceholders). Invariants: redaction is stable (redacting
// again changes nothing) and never lengthens a setting by more than the "***" it writes; a
// password value after "password=" is gone; numbering never touches text inside quotes and
// leaves no '?' outside them.
#include <string>

#include "fuzz_support.h"
#include "sendguard/common/postgres.h"
#include "sendguard/common/sql.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sendguard;
  if (size > 65536) return 0;
  const std::string_view in = fuzz::Bytes(data, size);
  const size_t eol = in.find('\n');
  const std::string setting(in.substr(0, eol));
  const std::string sql(eol == std::string_view::npos ? std::string_view() : in.substr(eol + 1));

  (void)common::IsPostgresSetting(setting);
  const std::string redacted = common::RedactedSetting(setting);
  fuzz::Check(common::RedactedSetting(redacted) == redacted, "redacting twice changed the setting");
  if (common::IsPostgresSetting(setting)) {
    const size_t p = redacted.find("password=");
    if (p != std::string::npos && redacted.size() > p + 9 && redacted[p + 9] != ' ' && redacted[p + 9] != '&') {
      fuzz::Check(redacted.compare(p + 9, 3, "***") == 0, "a password after password= was left in clear");
    }
  }

  const std::string numbered = common::PostgresDb::NumberPlaceholders(sql);
  char quote = 0;
  for (char c : numbered) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else {
      fuzz::Check(c != '?', "a placeholder outside quotes was left unnumbered");
    }
  }
  return 0;
}
