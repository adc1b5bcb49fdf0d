#include "daemon/fund_service.hpp"

#include <malloc.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "daemon/follower.hpp"

namespace backstop::daemon {

Result<std::unique_ptr<FundService>> FundService::open(const std::string& data_directory,
                                                       std::size_t group_commit_max,
                                                       LoadReport* report) {
  auto store = RocksStore::open(data_directory);
  if (!store.is_ok()) return store.status();
  LoadReport local;
  LoadReport& loaded = report ? *report : local;
  auto fund = open_fund(*store.value(), &loaded);
  if (!fund.is_ok()) return fund.status();
  // Loading freed its buffers (the checkpoint's bytes, a replay's entries); give the pages
  // back so that the resident size is the state's.
  malloc_trim(0);
  return std::unique_ptr<FundService>(
      new FundService(std::move(store).value(), std::move(fund).value(), loaded.checkpoint_sequence,
                      group_commit_max));
}

FundService::FundService(std::unique_ptr<RocksStore> store, Fund fund,
                         std::uint64_t last_checkpoint, std::size_t group_commit_max)
    : store_(std::move(store)),
      fund_(std::move(fund)),
      sequencer_(*store_, fund_, last_checkpoint),
      group_commit_max_(group_commit_max),
      watch_(fund_.ledger().last_sequence()) {
  thread_ = std::thread([this] { run(); });
}

FundService::~FundService() { stop(); }

void FundService::submit(std::string idempotency_key, Actor actor, FundCommand command, Reply reply,
                         std::optional<std::int64_t> requested_time) {
  if (replica_.load()) {  // the API refuses first, naming the leader; this is the backstop
    return reply(Status::error(ErrorCode::io_error, "a read-only replica takes no writes"));
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_) {
      queue_.push_back(Pending{std::move(idempotency_key), std::move(actor), std::move(command),
                               std::move(reply), requested_time});
      queue_ready_.notify_one();
      return;
    }
  }
  reply(Status::error(ErrorCode::io_error, "the server is shutting down"));
}

std::size_t FundService::queue_depth() const {
  std::lock_guard lock(queue_mutex_);
  return queue_.size();
}

void FundService::stop() {
  if (follower_) follower_->stop();
  watch_.close();  // long polls answer now, while the server can still send
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
    queue_ready_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  write_checkpoint();  // a clean stop leaves one, so that the next start replays nothing
}

// Only reads the fund: readers go on meanwhile; the sequencer thread is the only writer and
// is either this thread or stopped.
void FundService::write_checkpoint() {
  std::shared_lock lock(state_lock_);
  if (Status written = sequencer_.checkpoint(); !written.is_ok()) {
    std::cerr << "{\"level\":\"error\",\"message\":\"no checkpoint written: " << written.message()
              << "\"}" << std::endl;
  }
}

void FundService::run() {
  while (true) {
    std::vector<Pending> group;
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is done
      while (!queue_.empty() && group.size() < group_commit_max_) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    execute_group(group);
  }
}

void FundService::execute_group(std::vector<Pending>& group) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::vector<FundRequest> requests;
  requests.reserve(group.size());
  for (auto& pending : group) {
    requests.push_back(FundRequest{pending.key, pending.requested_time.value_or(now),
                                   std::move(pending.actor), std::move(pending.command)});
  }
  std::unique_lock lock(state_lock_);
  auto outcomes = sequencer_.run(std::move(requests), {.clamp_time = true});
  if (!outcomes.is_ok()) {
    // The in-memory state is ahead of the disk: stop before any reader sees it, and let a
    // restart replay the journal.
    std::cerr << "{\"level\":\"critical\",\"message\":\"commit failed: "
              << outcomes.status().message() << "\"}" << std::endl;
    std::abort();
  }
  const std::uint64_t committed = fund_.ledger().last_sequence();
  lock.unlock();
  watch_.committed(committed);
  groups_committed_ += 1;
  requests_committed_ += group.size();
  for (std::size_t i = 0; i < group.size(); ++i) group[i].reply(std::move(outcomes.value()[i]));
  if (sequencer_.checkpoint_due()) write_checkpoint();  // after the replies: they need not wait
}

void FundService::follow(const FollowConfig& follow) {
  replica_ = true;
  follower_ = std::make_unique<Follower>(*this, follow);
  follower_->start();
}

std::string FundService::leader() const {
  return replica_.load() && follower_ ? follower_->leader() : std::string();
}

Status FundService::apply_replicated(std::vector<std::string> records) {
  std::unique_lock lock(state_lock_);
  if (!replica_.load())
    return Status::error(ErrorCode::permission_denied, "promoted: no longer a replica");
  Status refused = Status::ok();
  for (auto& record : records) {
    refused = fund_.append_replicated(std::move(record));
    if (!refused.is_ok()) break;
  }
  if (Status committed = fund_.commit(*store_); !committed.is_ok()) {
    // As for the sequencer: the state is ahead of the disk; a restart replays the journal.
    std::cerr << "{\"level\":\"critical\",\"message\":\"replica commit failed: "
              << committed.message() << "\"}" << std::endl;
    std::abort();
  }
  const std::uint64_t committed = fund_.ledger().last_sequence();
  lock.unlock();
  watch_.committed(committed);
  if (sequencer_.checkpoint_due()) write_checkpoint();
  return refused;
}

Status FundService::promote() {
  if (!replica_.load()) return Status::error(ErrorCode::not_found, "this server is not a replica");
  follower_->stop();  // no page is applied after this
  std::unique_lock lock(state_lock_);
  replica_ = false;
  std::clog << "{\"level\":\"warning\",\"message\":\"promoted: this replica now takes "
               "writes\",\"sequence\":"
            << fund_.ledger().last_sequence() << "}" << std::endl;
  return Status::ok();
}

std::optional<ReplicaStatus> FundService::replica_status() const {
  if (!replica_.load() || !follower_) return std::nullopt;
  return follower_->status();
}

}  // namespace backstop::daemon
