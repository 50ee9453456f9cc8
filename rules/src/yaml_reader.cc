// SPDX-License-Identifier: Apache-2.0
// The YAML reading helpers shared by every sendguard YAML file: typed readers that turn
// wrong values into `file:line: reason` diagnostics instead of exceptions.
#include "sendguard/rules/yaml_reader.h"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace sendguard::rules {

Status ErrorsToStatus(const std::vector<std::string>& errors) {
  if (errors.empty()) return Status();
  std::string msg;
  for (const auto& e : errors) msg += e + "\n";
  msg.pop_back();
  return InvalidArgument(msg);
}

Status Diagnostics::ToStatus() const { return ErrorsToStatus(errors_); }

bool IsOneOf(const std::string& v, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), v) != allowed.end();
}

// Rejects keys of `map` not in `allowed`.
void CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed, Diagnostics& d) {
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (!IsOneOf(key, allowed)) d.Add(kv.first, "unknown key '" + key + "'");
  }
}

bool ReadString(const YAML::Node& map, const char* key, std::string* out, Diagnostics& d) {
  YAML::Node n = map[key];
  if (!n) return false;
  if (!n.IsScalar()) {
    d.Add(n, std::string("'") + key + "' must be a string");
    return false;
  }
  *out = n.Scalar();
  return true;
}

void ReadBool(const YAML::Node& map, const char* key, bool* out, Diagnostics& d) {
  YAML::Node n = map[key];
  if (!n) return;
  std::string s = n.IsScalar() ? n.Scalar() : "";
  if (s == "true" || s == "yes") *out = true;
  else if (s == "false" || s == "no") *out = false;
  else d.Add(n, std::string("'") + key + "' must be true or false");
}

void ReadInt(const YAML::Node& map, const char* key, int lo, int hi, int* out, Diagnostics& d) {
  YAML::Node n = map[key];
  if (!n) return;
  try {
    int v = n.as<int>();
    if (v < lo || v > hi) {
      d.Add(n, std::string("'") + key + "' must be between " + std::to_string(lo) + " and " +
                   std::to_string(hi));
      return;
    }
    *out = v;
  } catch (const YAML::Exception&) {
    d.Add(n, std::string("'") + key + "' must be a whole number");
  }
}

// A list of strings; each element's location is returned in `where` when asked.
std::vector<std::string> ReadStringList(const YAML::Node& map, const char* key, Diagnostics& d,
                                        std::vector<SourceLocation>* where) {
  std::vector<std::string> out;
  YAML::Node n = map[key];
  if (!n) return out;
  if (!n.IsSequence()) {
    d.Add(n, std::string("'") + key + "' must be a list");
    return out;
  }
  for (const auto& item : n) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      d.Add(item, std::string("every item of '") + key + "' must be a non-empty string");
      continue;
    }
    out.push_back(item.Scalar());
    if (where) where->push_back(d.Where(item));
  }
  return out;
}

void CheckEnumList(const YAML::Node& map, const char* key, const std::vector<std::string>& values,
                   const std::vector<std::string>& allowed, Diagnostics& d) {
  for (size_t i = 0; i < values.size(); ++i) {
    if (!IsOneOf(values[i], allowed)) d.Add(map[key][i], "unknown " + std::string(key) + " '" + values[i] + "'");
  }
}


// Parses `file` as one YAML document, or records why it cannot be.
bool LoadYaml(const std::filesystem::path& file, YAML::Node* doc, Diagnostics& d, std::string* content) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    d.Add(0, "cannot read file");
    return false;
  }
  content->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  try {
    *doc = YAML::Load(*content);
    return true;
  } catch (const YAML::Exception& e) {
    d.Add(e.mark.is_null() ? 0 : e.mark.line + 1, "bad YAML: " + e.msg);
    return false;
  }
}

std::vector<std::filesystem::path> YamlFilesIn(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return out;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml")) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace sendguard::rules
