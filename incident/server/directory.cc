// SPDX-License-Identifier: Apache-2.0
// The staff directory (see directory.h).
#include "directory.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "sendguard/common/text.h"

namespace sendguard::incident {
namespace {

// One CSV record from `text` at `*at` (RFC 4180: quoted fields, "" for a quote, CRLF or LF;
// a quoted field may span lines). False at the end; *error on an unterminated quote.
bool NextRecord(const std::string& text, size_t* at, std::vector<std::string>* fields, int* lines, std::string* error) {
  fields->clear();
  if (*at >= text.size()) return false;
  std::string field;
  bool quoted = false, was_quoted = false;
  while (*at < text.size()) {
    const char c = text[(*at)++];
    if (quoted) {
      if (c == '"' && *at < text.size() && text[*at] == '"') {
        field += '"';
        ++*at;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++*lines;
        field += c;
      }
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == ',') {
      fields->push_back(was_quoted ? field : std::string(common::Trim(field)));
      field.clear();
      was_quoted = false;
    } else if (c == '\n') {
      ++*lines;
      break;
    } else if (c != '\r') {
      field += c;
    }
  }
  if (quoted) {
    *error = "a quoted field is not closed";
    return false;
  }
  fields->push_back(was_quoted ? field : std::string(common::Trim(field)));
  return true;
}

}  // namespace

Result<Directory> Directory::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

Result<Directory> Directory::Parse(const std::string& text_in, const std::string& name) {
  std::string text = text_in;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);  // Excel's BOM
  size_t at = 0;
  int lines = 0;
  std::vector<std::string> fields;
  std::string error;
  if (!NextRecord(text, &at, &fields, &lines, &error)) {
    return InvalidArgument(name + ":1: " + (error.empty() ? "the file is empty: a header row is needed" : error));
  }
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < fields.size(); ++i) column[common::AsciiLower(fields[i])] = i;
  if (!column.count("email")) return InvalidArgument(name + ":1: the header row needs an email column");
  Directory d;
  while (true) {
    const int line = lines + 1;
    if (!NextRecord(text, &at, &fields, &lines, &error)) {
      if (!error.empty()) return InvalidArgument(name + ":" + std::to_string(line) + ": " + error);
      break;
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    auto get = [&](const char* key) {
      auto it = column.find(key);
      return it == column.end() || it->second >= fields.size() ? std::string() : fields[it->second];
    };
    const std::string email = common::AsciiLower(get("email"));
    if (email.find('@') == std::string::npos) {
      return InvalidArgument(name + ":" + std::to_string(line) + ": '" + get("email") + "' is not an email address");
    }
    d.entries_[email] = {get("name"), get("directorate"), get("service_area"), get("line_manager_name"),
                         common::AsciiLower(get("line_manager_email"))};
  }
  return d;
}

std::optional<DirectoryEntry> Directory::Find(const std::string& email) const {
  auto it = entries_.find(common::AsciiLower(email));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

}  // namespace sendguard::incident
