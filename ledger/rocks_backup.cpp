// Backups with RocksDB's BackupEngine. A backup's sequence and head are never taken from the
// live store (which moves on while the files are copied) but read from the backup, opened as
// a read-only database where it lies (BackupInfo::name_for_open).
#include "ledger/rocks_backup.hpp"

#include <rocksdb/db.h>
#include <rocksdb/utilities/backup_engine.h>

#include <algorithm>
#include <filesystem>

#include "ledger/encoding.hpp"

namespace backstop {
namespace {
namespace fs = std::filesystem;

Status from_rocks(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return Status::ok();
  return Status::error(status.IsCorruption() ? ErrorCode::corruption : ErrorCode::io_error,
                       what + ": " + status.ToString());
}

template <typename Engine>
Result<std::unique_ptr<Engine>> open_engine(const std::string& backup_directory) {
  Engine* raw = nullptr;
  const rocksdb::IOStatus status =
      Engine::Open(rocksdb::BackupEngineOptions(backup_directory), rocksdb::Env::Default(), &raw);
  if (!status.ok())
    return from_rocks(status, "cannot open the backups in '" + backup_directory + "'");
  return std::unique_ptr<Engine>(raw);
}

// A backup opened in place as a read-only database, every column family with it.
struct OpenBackup {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<std::string> names;
  std::vector<rocksdb::ColumnFamilyHandle*> families;

  ~OpenBackup() {
    for (auto* family : families) db->DestroyColumnFamilyHandle(family);
  }
  rocksdb::ColumnFamilyHandle* family(const std::string& name) const {
    const auto at = std::find(names.begin(), names.end(), name);
    return at == names.end() ? nullptr : families[at - names.begin()];
  }
};

Status open_backup(const rocksdb::BackupInfo& info, OpenBackup& backup) {
  rocksdb::DBOptions options;
  options.env = info.env_for_open.get();
  options.paranoid_checks = true;
  const std::string what = "cannot open backup " + std::to_string(info.backup_id);
  auto status = rocksdb::DB::ListColumnFamilies(options, info.name_for_open, &backup.names);
  if (!status.ok()) return from_rocks(status, what);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : backup.names)
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  rocksdb::DB* raw = nullptr;
  status = rocksdb::DB::OpenForReadOnly(options, info.name_for_open, descriptors, &backup.families,
                                        &raw);
  if (!status.ok()) return from_rocks(status, what);
  backup.db.reset(raw);
  return Status::ok();
}

// The head record, and the journal's entry at its sequence, which must carry its hash.
Status read_head(const OpenBackup& backup, BackupSummary& summary) {
  const std::string what = "backup " + std::to_string(summary.id);
  auto* journal = backup.family("journal");
  std::string head;
  auto status = backup.db->Get(rocksdb::ReadOptions(), backup.family("default"), "head", &head);
  if (status.IsNotFound()) return Status::ok();  // a backup of an empty store
  if (!status.ok()) return from_rocks(status, what + ": the head record cannot be read");
  if (journal == nullptr) return Status::error(ErrorCode::corruption, what + ": no journal");
  auto sequence = head.size() == 40 ? decode_sequence_key(head.substr(0, 8)) : std::nullopt;
  if (!sequence) return Status::error(ErrorCode::corruption, what + ": unreadable head record");
  summary.sequence = *sequence;
  std::copy(head.begin() + 8, head.end(), summary.chain_head.begin());
  std::string record;
  status = backup.db->Get(rocksdb::ReadOptions(), journal, head.substr(0, 8), &record);
  if (!status.ok()) return from_rocks(status, what + ": its head entry cannot be read");
  auto entry = decode_entry_record(record);
  if (!entry.is_ok() || entry.value().hash != summary.chain_head)
    return Status::error(ErrorCode::corruption, what + ": its head entry does not match its head");
  return Status::ok();
}

// `info` must have been read with include_file_details (which sets name_for_open).
Result<BackupSummary> summarise(const rocksdb::BackupInfo& info) {
  BackupSummary summary;
  summary.id = info.backup_id;
  summary.time_unix_s = info.timestamp;
  summary.size_bytes = info.size;
  summary.files = info.number_files;
  OpenBackup backup;
  if (Status opened = open_backup(info, backup); !opened.is_ok()) return opened;
  if (Status head = read_head(backup, summary); !head.is_ok()) return head;
  return summary;
}

// RocksDB opens a backup in place by absolute path only (BackupInfo::name_for_open).
std::string absolute(const std::string& directory) {
  std::error_code ignored;
  const fs::path path = fs::absolute(directory, ignored);
  return path.empty() ? directory : path.lexically_normal().string();
}

void empty_directory(const std::string& directory) {
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(directory, ignored))
    fs::remove_all(entry.path(), ignored);
}

}  // namespace

Result<BackupSummary> create_backup(const RocksStore& store, const std::string& directory) {
  const std::string backup_directory = absolute(directory);
  std::error_code error;
  fs::create_directories(backup_directory, error);
  if (error)
    return Status::error(ErrorCode::io_error,
                         "cannot create '" + backup_directory + "': " + error.message());
  auto engine = open_engine<rocksdb::BackupEngine>(backup_directory);
  if (!engine.is_ok()) return engine.status();
  rocksdb::CreateBackupOptions options;
  // Table files only (and the few writes since the flush in the log), so that a restored
  // store opens without replaying a long log; writers go on into a fresh memtable.
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  const auto created = engine.value()->CreateNewBackup(options, &store.database(), &id);
  if (!created.ok()) return from_rocks(created, "backup failed");
  rocksdb::BackupInfo info;
  const auto read = engine.value()->GetBackupInfo(id, &info, /*include_file_details=*/true);
  if (!read.ok()) return from_rocks(read, "backup " + std::to_string(id) + " cannot be read");
  return summarise(info);
}

Status prune_backups(const std::string& backup_directory, std::uint32_t keep) {
  auto engine = open_engine<rocksdb::BackupEngine>(absolute(backup_directory));
  if (!engine.is_ok()) return engine.status();
  return from_rocks(engine.value()->PurgeOldBackups(keep), "pruning old backups failed");
}

Result<std::vector<BackupSummary>> list_backups(const std::string& directory) {
  const std::string backup_directory = absolute(directory);
  std::vector<BackupSummary> summaries;
  if (!fs::exists(backup_directory)) return summaries;
  auto engine = open_engine<rocksdb::BackupEngineReadOnly>(backup_directory);
  if (!engine.is_ok()) return engine.status();
  std::vector<rocksdb::BackupInfo> infos;
  engine.value()->GetBackupInfo(&infos, /*include_file_details=*/true);
  for (const auto& info : infos) {
    auto summary = summarise(info);
    if (!summary.is_ok()) return summary.status();
    summaries.push_back(summary.value());
  }
  return summaries;
}

Result<BackupSummary> restore_backup(const std::string& backups, std::optional<std::uint32_t> id,
                                     const std::string& data) {
  const std::string backup_directory = absolute(backups);
  const std::string data_directory = absolute(data);
  std::error_code error;
  if (fs::exists(data_directory, error) && !fs::is_empty(data_directory, error))
    return Status::refusal(ErrorCode::invalid_argument,
                           "'" + data_directory + "' is not empty: restore into a new directory",
                           "data");
  if (!fs::is_directory(backup_directory, error))
    return Status::error(ErrorCode::not_found, "no backup directory '" + backup_directory + "'");
  auto engine = open_engine<rocksdb::BackupEngineReadOnly>(backup_directory);
  if (!engine.is_ok()) return engine.status();
  rocksdb::BackupInfo info;
  const auto found = id ? engine.value()->GetBackupInfo(*id, &info, true)
                        : engine.value()->GetLatestBackupInfo(&info, true);
  const std::string name = id ? "backup " + std::to_string(*id) : std::string("a latest backup");
  if (found.IsNotFound())
    return Status::error(ErrorCode::not_found, "no " + name + " in '" + backup_directory + "'");
  if (!found.ok()) return from_rocks(found, name + " cannot be read");
  // Every file against the checksum recorded when it was copied, before anything is trusted.
  const auto verified = engine.value()->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true);
  if (!verified.ok())
    return Status::error(ErrorCode::corruption, "backup " + std::to_string(info.backup_id) +
                                                    " is damaged: " + verified.ToString());
  auto summary = summarise(info);
  if (!summary.is_ok()) return summary.status();
  const auto restored = engine.value()->RestoreDBFromBackup(
      rocksdb::RestoreOptions(), info.backup_id, data_directory, data_directory);
  if (!restored.ok()) {
    empty_directory(data_directory);
    return from_rocks(restored, "restoring backup " + std::to_string(info.backup_id) + " failed");
  }
  return summary;
}

}  // namespace backstop
