// SPDX-License-Identifier: Apache-2.0
// RAII owners for Hyperscan's C handles (database, scratch, stream). The only place
// hs_free_* is called.
#pragma once

#include <hs/hs.h>

#include <memory>

namespace sendguard::scanner {

struct HsDatabaseFree {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchFree {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseFree>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchFree>;

}  // namespace sendguard::scanner
