// SPDX-License-Identifier: Apache-2.0
// Reading an existing mail store for `sendguard replay`: Maildir folders, mbox files and
// directories of .eml files, in a stable order (Maildir and file names sort by time).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sendguard/common/status.h"

namespace sendguard::cli {

// Calls `each(name, raw)` for every message under `path`; `name` says where it came from
// ("Sent/cur/1700000000.M1.host", "sent.mbox#12"). Unreadable files are reported in the result.
Status ForEachMessage(const std::filesystem::path& path,
                      const std::function<void(const std::string& name, const std::string& raw)>& each,
                      std::vector<std::string>* unreadable);

// Splits an mbox file into messages (">From " unescaped).
std::vector<std::string> SplitMbox(const std::string& mbox);

}  // namespace sendguard::cli
