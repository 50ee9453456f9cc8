// SPDX-License-Identifier: Apache-2.0
// The main of a fuzz target when it is not built with libFuzzer (the GCC trees): runs the
// target once on every file named, or every file in every directory named, so ctest replays
// the checked-in regression inputs (tests/data/fuzz/TARGET/) in the release and ASan trees.
// Fails when it ran nothing: an empty or missing directory is a mistake, not a pass.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

void RunFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), bytes.size());
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  size_t ran = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) RunFile(f);
      ran += files.size();
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      RunFile(arg);
      ++ran;
    } else {
      std::fprintf(stderr, "no such file or directory: %s\n", argv[i]);
      return 2;
    }
  }
  if (ran == 0) {
    std::fprintf(stderr, "nothing to replay\n");
    return 2;
  }
  std::printf("replayed %zu inputs, none crashed\n", ran);
  return 0;
}
