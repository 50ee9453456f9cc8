// SPDX-License-Identifier: Apache-2.0
// `sendguard incidents score FILE.json|-`: the IG team's what-if calculator. Reads one
// incident document (spec field names; absent = unset) and prints what the core would derive
// from it, with the same code the core runs.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "sendguard/incident/incident_json.h"

namespace sendguard::cli {

int RunIncidentsScore(const IncidentsScoreFlags& flags) {
  auto text = ReadInput(flags.file);
  if (!text.ok()) {
    std::fprintf(stderr, "sendguard: %s\n", text.status().message().c_str());
    return 2;
  }
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    std::fprintf(stderr, "sendguard: %s: not valid JSON\n", flags.file.c_str());
    return 1;
  }
  incident::Incident in;
  incident::CoreConfig config;
  if (!flags.primary_method.empty()) {
    auto m = incident::Parse<incident::PrimaryMethod>(flags.primary_method);
    if (!m) {
      std::fprintf(stderr, "sendguard: --primary-method must be NHS_GRID or ENISA_STROUD\n");
      return 2;
    }
    config.primary_method = *m;
  }
  config.dspt_participant = flags.dspt_participant;
  auto errors = incident::ReadIncidentDocument(doc, &in, &config);
  if (!errors.empty()) {
    for (const auto& e : errors) {
      std::fprintf(stderr, "sendguard: %s: %s: %s\n", flags.file.c_str(), e.field.c_str(), e.reason.c_str());
    }
    return 1;
  }
  incident::Instant now = std::chrono::time_point_cast<std::chrono::minutes>(std::chrono::system_clock::now());
  if (!flags.now.empty()) {
    auto t = incident::ParseInstant(flags.now);
    if (!t.ok()) {
      std::fprintf(stderr, "sendguard: --now: %s\n", t.status().message().c_str());
      return 2;
    }
    now = *t;
  }
  auto derived = incident::Derive(in, config, now);
  if (!derived.ok()) {
    std::fprintf(stderr, "sendguard: %s: %s\n", flags.file.c_str(), derived.status().message().c_str());
    return 1;
  }
  nlohmann::json out = incident::DerivedToJson(*derived);
  out["now"] = incident::FormatInstant(now);
  out["primary_method"] = incident::Name(config.primary_method);
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace sendguard::cli
