// SPDX-License-Identifier: Apache-2.0
// A private directory for one fuzzing process (on /dev/shm when there is one, so the stores
// and files a target writes cost no disk syncs), and writing an input to a file in it for
// the loaders that read files.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "fuzz_support.h"

namespace sendguard::fuzz {

inline const std::filesystem::path& TempDir() {
  static const std::filesystem::path dir = [] {
    std::string tmpl = std::filesystem::is_directory("/dev/shm") ? "/dev/shm/sendguard-fuzz-XXXXXX" : "/tmp/sendguard-fuzz-XXXXXX";
    if (!mkdtemp(tmpl.data())) Violated("cannot make a temporary directory");
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

inline std::filesystem::path WriteTemp(const std::string& relative, std::string_view content) {
  const std::filesystem::path file = TempDir() / relative;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(content.data(), static_cast<std::streamsize>(content.size()));
  return file;
}

}  // namespace sendguard::fuzz
