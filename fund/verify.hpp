// `backstop ledger verify`: every check the store can be put to, offline. RocksDB's own
// checksums over every stored byte, then the whole journal replayed through the fund (chain,
// balances, idempotency records, head, every receipt result, the checkpoint), then every
// record of every column family accounted for. docs/journal-format.md lists the checks.
#pragma once

#include "fund/fund.hpp"

namespace backstop {

struct VerifyReport {
  std::uint64_t entries = 0;
  std::size_t accounts = 0;
  Digest chain_head{};               // equal to the stored head record's
  std::uint64_t results = 0;         // receipt results, each compared with the replay's
  std::uint64_t legacy_indexes = 0;  // records of the indexes older builds wrote
  bool checkpoint = false;           // a checkpoint is stored (and equals the replay's state)
};

// Any failure is a corruption (or I/O) error naming what disagrees.
Result<VerifyReport> verify_store(const RocksStore& store);

}  // namespace backstop
