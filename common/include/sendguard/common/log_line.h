// SPDX-License-Identifier: Apache-2.0
// Every log event on one line, with a timestamp and the program's name, so grep and a SIEM
// can read it: text "2026-12-06T14:05:01.123+0000 sendguard-milter[812] warn: ...", or one
// JSON object {"time", "program", "pid", "level", and the event's own fields or "msg"}.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace sendguard::common {

// A logger for `program` to `file` ("" = standard error), text or JSON. A message that is itself
// a JSON object (an event's fields) is merged into the JSON line; any other text becomes "msg".
// A line end inside a message becomes " | " in text and stays escaped in JSON.
std::shared_ptr<spdlog::logger> MakeLineLogger(const std::string& program, const std::string& file, bool json);

// `text` with each line end (CR, LF, CRLF) turned into " | ".
std::string OneLine(std::string_view text);

}  // namespace sendguard::common
