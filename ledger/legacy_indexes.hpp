// The `indexes` column family of stores written by older builds: postings by account and
// reversals by original. Nothing reads it any more, so nothing would notice it rot; verify
// checks it against the journal instead (docs/journal-format.md).
#pragma once

#include <cstdint>

#include "ledger/store.hpp"

namespace backstop {

// Checks that the indexes hold exactly the records the old writer made for the entries they
// cover (entries 1 to the last one any index record names) and nothing else. Returns how
// many records they hold (0 for a store that never had any).
Result<std::uint64_t> check_legacy_indexes(const RocksStore& store);

}  // namespace backstop
