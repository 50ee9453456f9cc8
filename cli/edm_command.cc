// SPDX-License-Identifier: Apache-2.0
// `sendguard edm import`: reads one column of a CSV file, validates and normalises each
// value with the type's validator, and stores only keyed hashes.
#include <cstdio>
#include <fstream>

#include "commands.h"
#include "sendguard/common/text.h"
#include "sendguard/rules/rule_loader.h"
#include "sendguard/scanner/exact_data.h"
#include "sendguard/scanner/validators.h"

namespace sendguard::cli {

namespace {
// The `column`th (1-based) field of a simple CSV line (quotes stripped).
std::string CsvField(const std::string& line, int column) {
  auto fields = common::Split(line, ',');
  if (column < 1 || static_cast<size_t>(column) > fields.size()) return {};
  std::string_view f = common::Trim(fields[static_cast<size_t>(column) - 1]);
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
  return std::string(f);
}
}  // namespace

int RunEdmImport(const EngineFlags& flags, const std::string& type, const std::string& file, int column) {
  if (flags.secret_file.empty()) {
    std::fprintf(stderr, "sendguard: edm import needs --secret FILE (the same secret the scanner uses)\n");
    return 2;
  }
  auto secret = common::ReadSecretFile(flags.secret_file);
  if (!secret.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", secret.status().ToString().c_str());
    return 2;
  }
  auto rules = rules::LoadRuleSet(RuleDirs(flags));
  if (!rules.ok()) {
    std::fprintf(stderr, "%s\n", rules.status().message().c_str());
    return 2;
  }
  const rules::InfoType* def = nullptr;
  for (const auto& t : rules->types) {
    if (t.id == type) def = &t;
  }
  if (!def) {
    std::fprintf(stderr, "sendguard: no information type '%s' in the rules\n", type.c_str());
    return 2;
  }
  scanner::ValidatorFn validate = scanner::FindValidator(def->validator);
  if (!validate) {
    std::fprintf(stderr, "sendguard: type '%s' names unknown validator '%s' (see sendguard rules check)\n",
                 type.c_str(), def->validator.c_str());
    return 2;
  }
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "sendguard: cannot read %s\n", file.c_str());
    return 2;
  }
  std::string dir = flags.edm_dir.empty() ? "/var/lib/sendguard/edm" : flags.edm_dir;
  auto existing = scanner::ExactDataSet::Load(dir);
  if (!existing.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", existing.status().ToString().c_str());
    return 2;
  }
  scanner::ExactDataSet set = std::move(existing).value();
  size_t before = set.Size(type);
  common::KeyedHasher hasher(*secret);
  std::string line, rejected_lines;
  int n = 0, accepted = 0, rejected = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string value = CsvField(line, column);
    if (value.empty()) continue;
    auto normalized = validate(value);
    if (!normalized) {
      if (++rejected <= 10) rejected_lines += (rejected_lines.empty() ? "" : ", ") + std::to_string(n);
      continue;
    }
    set.Add(type, hasher.Hex(*normalized));
    ++accepted;
  }
  if (Status s = set.Save(dir, type); !s.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("imported %d values of %s (%zu new, %zu held) into %s/%s.hashes\n", accepted, type.c_str(),
              set.Size(type) - before, set.Size(type), dir.c_str(), type.c_str());
  if (rejected > 0) {
    std::printf("rejected %d rows that are not valid %s values (lines %s%s)\n", rejected, def->name.c_str(),
                rejected_lines.c_str(), rejected > 10 ? ", ..." : "");
  }
  return 0;
}

}  // namespace sendguard::cli
