// Online backups of backstopd's store into the directory its configuration names
// (ledger/rocks_backup.hpp). A backup runs on a thread of its own: the sequencer goes on
// committing groups, readers go on reading, and no I/O thread waits for the copy. One backup
// at a time; listing waits only while old backups are being pruned.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "ledger/rocks_backup.hpp"

namespace backstop::daemon {

struct BackupSettings {
  std::string directory;
  std::uint32_t keep = 24;  // the newest backups kept after each new one
};

class BackupService {
 public:
  using Done = std::function<void(Result<BackupSummary>)>;

  BackupService(const RocksStore& store, BackupSettings settings);
  ~BackupService();  // waits for a running backup
  BackupService(const BackupService&) = delete;
  BackupService& operator=(const BackupService&) = delete;

  // Starts a backup, then prunes to `keep`; `done` runs on the backup's thread. False (and
  // `done` never runs) while another backup is running.
  bool start(Done done);

  Result<std::vector<BackupSummary>> list() const;
  const BackupSettings& settings() const { return settings_; }

 private:
  void run(const Done& done);

  const RocksStore& store_;
  const BackupSettings settings_;
  std::mutex start_mutex_;  // guards running_ and thread_
  bool running_ = false;
  std::thread thread_;
  mutable std::shared_mutex engine_lock_;  // exclusive while pruning (a BackupEngine write)
};

}  // namespace backstop::daemon
