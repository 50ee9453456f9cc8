// sendguard-synth: writes the bundled sample message or a synthetic corpus to disk.
//   sendguard-synth sample FILE        the quick-start referral email
//   sendguard-synth corpus DIR N SEED  N messages as DIR/000001.eml ...
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sendguard/synth/synth.h"

int main(int argc, char** argv) {
  using namespace sendguard::synth;
  std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "sample" && argc == 3) {
    std::ofstream(argv[2], std::ios::binary) << SampleReferral().raw;
    return 0;
  }
  if (cmd == "corpus" && argc == 5) {
    std::filesystem::create_directories(argv[2]);
    auto corpus = MakeCorpus(std::strtoull(argv[4], nullptr, 10), std::atoi(argv[3]));
    for (size_t i = 0; i < corpus.size(); ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "%06zu.eml", i + 1);
      std::ofstream(std::filesystem::path(argv[2]) / name, std::ios::binary) << corpus[i].raw;
    }
    return 0;
  }
  std::fprintf(stderr, "usage: sendguard-synth sample FILE | corpus DIR COUNT SEED\n");
  return 2;
}
