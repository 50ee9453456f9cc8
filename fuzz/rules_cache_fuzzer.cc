// SPDX-License-Identifier: Apache-2.0
// Fuzz target: an entry of the compiled-rules cache as DatabaseCache::Load reads it (the
// input is the whole file). Invariants: reading never crashes; no bytes but those the cache
// itself wrote for the key are ever handed to Hyperscan's deserializer (a database comes back
// only for an input equal to the real entry); and, once per process, a real database stored
// and loaded again round-trips.
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>

#include "database_cache.h"
#include "fuzz_support.h"
#include "temp_dir.h"

namespace {

using sendguard::scanner::DatabaseCache;
using sendguard::scanner::HsDatabase;

struct Reference {
  std::filesystem::path dir;
  std::string key;
  std::string entry;  // the real entry's bytes for `key`
};

const Reference& Real() {
  static const Reference r = [] {
    Reference out;
    out.dir = sendguard::fuzz::TempDir() / "rules-cache";
    const DatabaseCache cache(out.dir);
    const char* expr = "HSG-\\d{6}";
    out.key = DatabaseCache::Key({expr}, {0}, HS_MODE_STREAM);
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    if (hs_compile(expr, 0, HS_MODE_STREAM, nullptr, &db, &err) != HS_SUCCESS) sendguard::fuzz::Violated("cannot compile");
    const HsDatabase owned(db);
    sendguard::fuzz::Check(cache.Store(out.key, db).empty(), "a real database was not kept");
    std::string why;
    sendguard::fuzz::Check(cache.Load(out.key, &why) != nullptr, "a real database did not load again");
    std::ifstream in(out.dir / ("hs-" + out.key + ".db"), std::ios::binary);
    out.entry.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return out;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Reference& real = Real();
  const std::string_view in = sendguard::fuzz::Bytes(data, size);
  const std::filesystem::path entry = real.dir / ("hs-" + real.key + ".db");
  std::ofstream(entry, std::ios::binary | std::ios::trunc).write(in.data(), static_cast<std::streamsize>(in.size()));
  ::chmod(entry.c_str(), 0600);
  std::string why;
  const HsDatabase db = DatabaseCache(real.dir).Load(real.key, &why);
  if (db) sendguard::fuzz::Check(in == real.entry, "bytes the cache did not write were deserialized");
  else sendguard::fuzz::Check(!why.empty(), "an entry was refused without a reason");
  return 0;
}
