// Where the journal lives. One writer commits groups of entries; each group is atomic
// and durable before commit returns (rule 11). Implementations: RocksStore (ships) and
// MemoryStore (unit tests of the state machine only).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "ledger/ledger.hpp"

namespace backstop {

// What a store caches beside the journal, so that verify can compare it with a replay.
struct StoreCaches {
  std::map<std::string, Money> balances;  // account id -> debits minus credits
  std::map<std::string, std::pair<Digest, std::uint64_t>> idempotency;  // key -> payload, sequence
};

class Store {
 public:
  virtual ~Store() = default;

  // Makes `entries` (the ledger's newest, in order, already applied to `ledger`) durable
  // in one atomic write, with the caches they change. REQUIRES: a single writer.
  virtual Status commit(const Ledger& ledger, std::span<const JournalEntry> entries) = 0;

  // Visits every stored journal record in sequence order, stopping at the first error.
  using RecordVisitor = std::function<Status(std::uint64_t key_sequence, std::string_view record)>;
  virtual Status for_each_record(const RecordVisitor& visit) const = 0;

  virtual Result<StoreCaches> read_caches() const = 0;
};

// Rebuilds a ledger by replaying the stored journal, then checks the store's caches
// against the replay. Any disagreement is a corruption error naming the first bad
// transaction.
Result<Ledger> load_ledger(const Store& store);

// The two halves of load_ledger, for layers that replay through their own state machine:
// decode every stored record in order and hand it to `replay`, then compare the store's
// caches with the ledger that the replay built.
Status replay_journal(const Store& store, const std::function<Status(const JournalEntry&)>& replay);
Status check_caches(const Ledger& ledger, const Store& store);

// Commits everything the ledger holds beyond `committed` (a count of entries) and
// returns the new count.
Result<std::size_t> commit_pending(Store& store, const Ledger& ledger, std::size_t committed);

class MemoryStore final : public Store {
 public:
  Status commit(const Ledger& ledger, std::span<const JournalEntry> entries) override;
  Status for_each_record(const RecordVisitor& visit) const override;
  Result<StoreCaches> read_caches() const override;

 private:
  std::map<std::uint64_t, std::string> records_;
  StoreCaches caches_;
};

struct RocksStoreOptions {
  bool read_only = false;
  bool sync = true;  // false only for tests that do not test durability
};

class RocksStore final : public Store {
 public:
  // Opens (creating if needed, unless read-only) the store in `directory`.
  static Result<std::unique_ptr<RocksStore>> open(const std::string& directory,
                                                  RocksStoreOptions options = {});
  ~RocksStore() override;

  Status commit(const Ledger& ledger, std::span<const JournalEntry> entries) override;
  Status for_each_record(const RecordVisitor& visit) const override;
  Result<StoreCaches> read_caches() const override;

  struct Impl;

 private:
  explicit RocksStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace backstop
