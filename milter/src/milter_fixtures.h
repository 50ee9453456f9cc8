// SPDX-License-Identifier: Apache-2.0
// Fixtures for milter-module tests: a temporary state directory with a real SQLite file.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "sendguard/common/keyed_hash.h"
#include "sendguard/milter/state_db.h"

namespace sendguard::milter::testing {

class StateDirTest : public ::testing::Test {
 protected:
  StateDirTest() {
    static int counter = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("sendguard-state-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    auto db = OpenStateDb((dir_ / "state.db").string());
    EXPECT_TRUE(db.ok()) << db.status().message();
    if (db.ok()) db_ = std::move(db).value();
  }
  ~StateDirTest() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Everything in the state directory, as bytes (to check no clear address is stored).
  std::string AllBytes() const {
    std::string out;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
      std::FILE* f = std::fopen(e.path().c_str(), "rb");
      if (!f) continue;
      char buf[65536];
      size_t n;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      std::fclose(f);
    }
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<common::SqlDb> db_;
  common::KeyedHasher hasher_{"milter-test-secret"};
};

}  // namespace sendguard::milter::testing
