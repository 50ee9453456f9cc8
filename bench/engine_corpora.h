// SPDX-License-Identifier: Apache-2.0
// The two corpora the engine benchmarks (engine_bench, engine_ratio) run over: the real-mail
// corpus beside the checkout (SENDGUARD_REAL_MAIL_DIR) and 400 seeded synthetic council messages.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sendguard/synth/synth.h"

namespace sendguard::bench {

inline std::vector<std::string> LoadRealMail() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(SENDGUARD_REAL_MAIL_DIR)) {
    if (e.path().extension() == ".md" || e.path().extension() == ".tsv") continue;
    std::ifstream in(e.path(), std::ios::binary);
    out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

inline std::vector<std::string> MakeSyntheticCorpus() {
  std::vector<std::string> out;
  for (auto& m : synth::MakeCorpus(7, 400, 0.5)) out.push_back(std::move(m.raw));
  return out;
}

}  // namespace sendguard::bench
