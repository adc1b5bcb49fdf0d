#include "daemon/backup_service.hpp"

namespace backstop::daemon {

BackupService::BackupService(const RocksStore& store, BackupSettings settings)
    : store_(store), settings_(std::move(settings)) {}

BackupService::~BackupService() {
  std::thread running;
  {
    std::lock_guard lock(start_mutex_);  // not held while joining: run() takes it to finish
    running = std::move(thread_);
  }
  if (running.joinable()) running.join();
}

bool BackupService::start(Done done) {
  std::lock_guard lock(start_mutex_);
  if (running_) return false;
  if (thread_.joinable()) thread_.join();  // the last backup's thread, finished
  running_ = true;
  thread_ = std::thread([this, done = std::move(done)] { run(done); });
  return true;
}

// Creating a backup only appends to the directory, which RocksDB lets readers of it share;
// pruning deletes files a listing may be reading, so it takes the lock exclusively.
void BackupService::run(const Done& done) {
  auto made = create_backup(store_, settings_.directory);
  if (made.is_ok()) {
    std::unique_lock lock(engine_lock_);
    if (Status pruned = prune_backups(settings_.directory, settings_.keep); !pruned.is_ok())
      made = pruned;
  }
  {
    std::lock_guard lock(start_mutex_);
    running_ = false;
  }
  done(std::move(made));
}

Result<std::vector<BackupSummary>> BackupService::list() const {
  std::shared_lock lock(engine_lock_);
  return list_backups(settings_.directory);
}

}  // namespace backstop::daemon
