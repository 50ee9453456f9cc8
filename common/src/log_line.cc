// SPDX-License-Identifier: Apache-2.0
// One log event, one line (see log_line.h).
#include "sendguard/common/log_line.h"

#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace sendguard::common {
namespace {

// %* in the pattern: the message on one line (text), or its JSON members (json).
class MessageFlag : public spdlog::custom_flag_formatter {
 public:
  explicit MessageFlag(bool json) : json_(json) {}
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::string out;
    if (!json_) {
      out = OneLine(text);
    } else if (text.size() >= 2 && text.front() == '{' && text.back() == '}' &&
               nlohmann::json::accept(text.begin(), text.end())) {
      const auto fields = nlohmann::json::parse(text.begin(), text.end());
      for (const auto& [key, value] : fields.items()) out += "," + nlohmann::json(key).dump() + ":" + value.dump();
    } else {
      out = ",\"msg\":" + nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<MessageFlag>(json_); }

 private:
  bool json_;
};

}  // namespace

std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (i + 1 < text.size()) out += " | ";  // a trailing line end is dropped
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

std::shared_ptr<spdlog::logger> MakeLineLogger(const std::string& program, const std::string& file, bool json) {
  spdlog::sink_ptr sink;
  if (file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
  }
  auto log = std::make_shared<spdlog::logger>(program, sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<MessageFlag>('*', json);
  formatter->set_pattern(json ? "{\"time\":\"%Y-%m-%dT%H:%M:%S.%e%z\",\"program\":\"" + program +
                                    "\",\"pid\":%P,\"level\":\"%l\"%*}"
                              : "%Y-%m-%dT%H:%M:%S.%e%z " + program + "[%P] %l: %*");
  log->set_formatter(std::move(formatter));
  log->flush_on(spdlog::level::info);
  return log;
}

}  // namespace sendguard::common
