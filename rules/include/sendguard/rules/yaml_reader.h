// SPDX-License-Identifier: Apache-2.0
// Reading YAML with `file:line: reason` diagnostics: the helpers every sendguard YAML file
// (rules, policies, templates, the config file) is read with. Unknown keys are errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "sendguard/common/status.h"
#include "sendguard/rules/rule_set.h"

namespace sendguard::rules {

// Collects diagnostics for one file.
class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}
  void Add(const YAML::Node& at, const std::string& reason) { Add(LineOf(at), reason); }
  void Add(int line, const std::string& reason) {
    errors_.push_back(file_ + ":" + std::to_string(line) + ": " + reason);
  }
  SourceLocation Where(const YAML::Node& at) const { return {file_, LineOf(at)}; }
  static int LineOf(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& file() const { return file_; }
  // OK, or InvalidArgument listing every diagnostic, one per line.
  Status ToStatus() const;

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

// OK when `errors` is empty, else InvalidArgument listing them one per line.
Status ErrorsToStatus(const std::vector<std::string>& errors);

bool IsOneOf(const std::string& v, const std::vector<std::string>& allowed);

// Rejects keys of `map` not in `allowed`.
void CheckKeys(const YAML::Node& map, const std::vector<std::string>& allowed, Diagnostics& d);

// Each reader leaves *out alone when the key is absent and records a diagnostic when the value is wrong.
bool ReadString(const YAML::Node& map, const char* key, std::string* out, Diagnostics& d);
void ReadBool(const YAML::Node& map, const char* key, bool* out, Diagnostics& d);
void ReadInt(const YAML::Node& map, const char* key, int lo, int hi, int* out, Diagnostics& d);

// A list of strings; each element's location is returned in `where` when asked.
std::vector<std::string> ReadStringList(const YAML::Node& map, const char* key, Diagnostics& d,
                                        std::vector<SourceLocation>* where = nullptr);

// Every value of map[key] (already read into `values`) must be one of `allowed`.
void CheckEnumList(const YAML::Node& map, const char* key, const std::vector<std::string>& values,
                   const std::vector<std::string>& allowed, Diagnostics& d);

// Parses `file` as one YAML document, or records why it cannot be.
bool LoadYaml(const std::filesystem::path& file, YAML::Node* doc, Diagnostics& d, std::string* content);

// The *.yaml / *.yml files directly in `dir`, sorted by name (none when `dir` is missing).
std::vector<std::filesystem::path> YamlFilesIn(const std::filesystem::path& dir);

}  // namespace sendguard::rules
