// Backups of a RocksStore with RocksDB's BackupEngine (docs/operations.md#backups): made
// while the store is open and being written, verified against their checksums, restored
// into a new directory. Table files are shared between the backups in one directory, so
// each new backup copies only what changed since the last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ledger/store.hpp"

namespace backstop {

// What one backup holds, read from the backup itself.
struct BackupSummary {
  std::uint32_t id = 0;
  std::int64_t time_unix_s = 0;  // when it was made
  std::uint64_t size_bytes = 0;  // its files' bytes (shared files counted in each backup)
  std::uint32_t files = 0;
  std::uint64_t sequence = 0;  // the last journal entry it holds; 0 for an empty store
  Digest chain_head{};         // that entry's hash (all zero for an empty store)
};

// Makes a new backup of `store` in `backup_directory` (created if missing). Writers go on
// meanwhile: RocksDB captures the store as it stands between two atomic commit groups, so
// the backup holds a whole prefix of the journal. Its sequence and chain head are read back
// from the backup, where the entry at that sequence must carry that hash.
Result<BackupSummary> create_backup(const RocksStore& store, const std::string& backup_directory);

// Deletes all but the newest `keep` backups (and the files only they used).
Status prune_backups(const std::string& backup_directory, std::uint32_t keep);

// Every backup in the directory, oldest first; none if the directory does not exist.
Result<std::vector<BackupSummary>> list_backups(const std::string& backup_directory);

// Checks every file of the backup (`id`, or the newest) against the checksum recorded when
// it was made, then restores it into `data_directory`, which must be absent or empty (it is
// left empty if the restore fails). Does not verify the journal: open or verify it next.
Result<BackupSummary> restore_backup(const std::string& backup_directory,
                                     std::optional<std::uint32_t> id,
                                     const std::string& data_directory);

}  // namespace backstop
