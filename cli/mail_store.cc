// SPDX-License-Identifier: Apache-2.0
// Maildir, mbox and .eml directory reading (see mail_store.h).
#include "mail_store.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace sendguard::cli {

namespace fs = std::filesystem;

namespace {

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool IsMbox(const std::string& content) { return content.rfind("From ", 0) == 0; }

void VisitFile(const fs::path& p, const std::function<void(const std::string&, const std::string&)>& each,
               std::vector<std::string>* unreadable) {
  std::string content;
  if (!ReadFile(p, &content)) {
    if (unreadable) unreadable->push_back(p.string());
    return;
  }
  if (!IsMbox(content)) {
    each(p.string(), content);
    return;
  }
  auto messages = SplitMbox(content);
  for (size_t i = 0; i < messages.size(); ++i) each(p.string() + "#" + std::to_string(i + 1), messages[i]);
}

std::vector<fs::path> SortedEntries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

void VisitDir(const fs::path& dir, const std::function<void(const std::string&, const std::string&)>& each,
              std::vector<std::string>* unreadable, int depth) {
  if (depth > 32) return;
  std::error_code ec;
  if (fs::is_directory(dir / "cur", ec) && fs::is_directory(dir / "new", ec)) {
    // A Maildir: its messages, then its subfolders (".Sent", ".Archive" ...).
    for (const char* sub : {"cur", "new"}) {
      for (const auto& p : SortedEntries(dir / sub)) {
        if (fs::is_regular_file(p, ec)) VisitFile(p, each, unreadable);
      }
    }
    for (const auto& p : SortedEntries(dir)) {
      auto name = p.filename().string();
      if (name != "cur" && name != "new" && name != "tmp" && fs::is_directory(p, ec)) VisitDir(p, each, unreadable, depth + 1);
    }
    return;
  }
  for (const auto& p : SortedEntries(dir)) {
    if (fs::is_directory(p, ec)) VisitDir(p, each, unreadable, depth + 1);
    else if (fs::is_regular_file(p, ec)) VisitFile(p, each, unreadable);
  }
}

}  // namespace

std::vector<std::string> SplitMbox(const std::string& mbox) {
  std::vector<std::string> out;
  std::string cur;
  bool in_message = false;
  size_t pos = 0;
  bool previous_blank = true;
  while (pos < mbox.size()) {
    size_t nl = mbox.find('\n', pos);
    size_t end = nl == std::string::npos ? mbox.size() : nl + 1;
    std::string_view line(mbox.data() + pos, end - pos);
    pos = end;
    if (previous_blank && line.rfind("From ", 0) == 0) {
      if (in_message) out.push_back(std::move(cur));
      cur.clear();
      in_message = true;
      previous_blank = false;
      continue;  // the separator line is not part of the message
    }
    std::string_view content = line;
    size_t gt = content.find_first_not_of('>');
    if (gt != std::string_view::npos && gt > 0 && content.substr(gt).rfind("From ", 0) == 0) content.remove_prefix(1);
    cur.append(content);
    previous_blank = line == "\n" || line == "\r\n";
  }
  if (in_message) out.push_back(std::move(cur));
  return out;
}

Status ForEachMessage(const fs::path& path, const std::function<void(const std::string&, const std::string&)>& each,
                      std::vector<std::string>* unreadable) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    VisitDir(path, each, unreadable, 0);
    return Status();
  }
  if (fs::is_regular_file(path, ec)) {
    VisitFile(path, each, unreadable);
    return Status();
  }
  return NotFound(path.string() + ": no such file or directory");
}

}  // namespace sendguard::cli
