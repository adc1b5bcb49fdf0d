// Where the journal lives. One writer commits groups of entries; each group is atomic
// and durable before commit returns (rule 11). Implementations: RocksStore (ships) and
// MemoryStore (unit tests of the state machine only).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "ledger/ledger.hpp"

namespace rocksdb {
class DB;
}

namespace backstop {

// What a store caches beside the journal, so that verify can compare it with a replay.
struct StoreCaches {
  std::map<std::string, Money> balances;                 // account id -> debits minus credits
  std::uint64_t keys = 0;                                // idempotency records held
  KeySetDigest keys_digest;                              // of those records
  std::optional<std::pair<std::uint64_t, Digest>> head;  // the last committed sequence and hash
};

// Derived records a layer keeps beside the journal, committed atomically with it (receipt
// results, checkpoints). They can always be rebuilt by replaying the journal, so nothing
// derived from them is trusted without a check.
struct SideRecord {
  std::string key;
  std::string value;
};

class Store : public JournalArchive {
 public:
  virtual ~Store() = default;

  // Makes the ledger's pending entries (already applied to it; their records as the ledger
  // encoded them) and `side` durable in one atomic write, with the caches they change. The
  // ledger still holds them as pending: commit_pending marks them committed. REQUIRES: one
  // writer.
  virtual Status commit(const Ledger& ledger, std::span<const SideRecord> side = {}) = 0;
  // Writes side records alone (durably), e.g. a checkpoint.
  virtual Status write_side(std::span<const SideRecord> side) = 0;
  virtual Result<std::optional<std::string>> read_side(const std::string& key) const = 0;
  // Moves what is only in the write-ahead log into table files, so that the next open need
  // not replay the log (after a checkpoint). Durability does not depend on it.
  virtual Status flush() { return Status::ok(); }

  // Visits the stored journal records from `first` on, in sequence order, stopping at the
  // first error.
  using RecordVisitor = std::function<Status(std::uint64_t key_sequence, std::string_view record)>;
  virtual Status for_each_record(const RecordVisitor& visit, std::uint64_t first = 1) const = 0;

  virtual Result<StoreCaches> read_caches() const = 0;

  // Visits every side record (verify: each must be one its layer checks).
  using SideVisitor = std::function<Status(std::string_view key, std::string_view value)>;
  virtual Status for_each_side(const SideVisitor& visit) const = 0;
};

// Rebuilds a ledger by replaying the stored journal, then checks the store's caches
// against the replay. Any disagreement is a corruption error naming the first bad
// transaction.
Result<Ledger> load_ledger(const Store& store);

// The two halves of load_ledger, for layers that replay through their own state machine:
// decode every stored record from `first` on, check its idempotency record, and hand it to
// `replay`; then compare the store's caches with the ledger that the replay built.
Status replay_journal(const Store& store, const std::function<Status(const JournalEntry&)>& replay,
                      std::uint64_t first = 1);
Status check_caches(const Ledger& ledger, const Store& store);

// Commits the ledger's pending entries (and `side`) and marks them committed.
Status commit_pending(Store& store, Ledger& ledger, std::span<const SideRecord> side = {});

class MemoryStore final : public Store {
 public:
  Status commit(const Ledger& ledger, std::span<const SideRecord> side = {}) override;
  Status write_side(std::span<const SideRecord> side) override;
  Result<std::optional<std::string>> read_side(const std::string& key) const override;
  Status for_each_record(const RecordVisitor& visit, std::uint64_t first = 1) const override;
  Result<StoreCaches> read_caches() const override;
  Status for_each_side(const SideVisitor& visit) const override;
  Result<JournalEntry> read_entry(std::uint64_t sequence) const override;
  Result<std::optional<KeyUse>> find_key(const std::string& key) const override;

 private:
  std::map<std::uint64_t, std::string> records_;
  std::map<std::string, KeyUse> keys_;
  std::map<std::string, std::string> side_;
  StoreCaches caches_;
};

struct RocksStoreOptions {
  bool read_only = false;
  bool sync = true;  // false only for tests that do not test durability
  // Refuse to write (insufficient_storage, nothing written) while the filesystem would have
  // less than this free after the write, and refuse a read-write open below it. RocksDB must
  // not meet a full disk itself: a log write failing for lack of room can stop the process
  // (RocksDB 7.8 asserts on the log writer's next use), and it needs room to flush.
  std::uint64_t reserve_bytes = 0;
};

class RocksStore final : public Store {
 public:
  // Opens (creating if needed, unless read-only) the store in `directory`.
  static Result<std::unique_ptr<RocksStore>> open(const std::string& directory,
                                                  RocksStoreOptions options = {});
  ~RocksStore() override;

  Status commit(const Ledger& ledger, std::span<const SideRecord> side = {}) override;
  Status write_side(std::span<const SideRecord> side) override;
  Result<std::optional<std::string>> read_side(const std::string& key) const override;
  Status flush() override;
  // After a write failed for lack of room: clears RocksDB's background error and writes a
  // small record (`probe` in the default family, outside the journal) durably and flushes
  // it. Ok once the store takes writes again.
  Status probe_writable();
  Status for_each_record(const RecordVisitor& visit, std::uint64_t first = 1) const override;
  Result<StoreCaches> read_caches() const override;
  Status for_each_side(const SideVisitor& visit) const override;
  Result<JournalEntry> read_entry(std::uint64_t sequence) const override;
  Result<std::optional<KeyUse>> find_key(const std::string& key) const override;
  // The database itself, for backups (ledger/rocks_backup.hpp), which RocksDB makes safely
  // beside the writer.
  rocksdb::DB& database() const;

  // RocksDB's own check of every stored table byte: each block's checksum, and each file's
  // whole-file checksum where the manifest records one (verify; docs/journal-format.md).
  Status verify_checksums() const;
  // The `indexes` family that older builds wrote and nothing reads any more: its records in
  // key order, and one by key (verify checks them against the journal).
  Status for_each_legacy_index(const SideVisitor& visit) const;
  Result<std::optional<std::string>> read_legacy_index(const std::string& key) const;

  struct Impl;

 private:
  explicit RocksStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace backstop
