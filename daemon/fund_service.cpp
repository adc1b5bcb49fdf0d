#include "daemon/fund_service.hpp"

#include <malloc.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "daemon/follower.hpp"

namespace backstop::daemon {

namespace {

// A start on a full disk: the read-write open (or its first writes) failed for lack of room,
// so the fund is served from a read-only open, which writes nothing.
Result<std::unique_ptr<RocksStore>> open_read_only(const std::string& data_directory, Fund& fund,
                                                   LoadReport& loaded) {
  auto store = RocksStore::open(data_directory, {.read_only = true});
  if (!store.is_ok()) return store.status();
  auto loaded_fund = load_fund(*store.value(), {}, &loaded);
  if (!loaded_fund.is_ok()) return loaded_fund.status();
  fund = std::move(loaded_fund).value();
  return store;
}

}  // namespace

Result<std::unique_ptr<FundService>> FundService::open(const std::string& data_directory,
                                                       RocksStoreOptions store_options,
                                                       std::size_t group_commit_max,
                                                       HeadSigner signer, LoadReport* report) {
  LoadReport local;
  LoadReport& loaded = report ? *report : local;
  Status failed = Status::ok();
  store_options.read_only = false;
  if (auto store = RocksStore::open(data_directory, store_options); store.is_ok()) {
    auto fund = open_fund(*store.value(), &loaded);
    if (fund.is_ok()) {
      // Loading freed its buffers (the checkpoint's bytes, a replay's entries); give the
      // pages back so that the resident size is the state's.
      malloc_trim(0);
      auto service = std::unique_ptr<FundService>(new FundService(
          data_directory, store_options, std::move(store).value(), std::move(fund).value(),
          loaded.checkpoint_sequence, group_commit_max, std::move(signer)));
      service->start();
      return service;
    }
    failed = fund.status();
  } else {
    failed = store.status();
  }
  if (failed.code() != ErrorCode::insufficient_storage) return failed;
  Fund fund;
  auto store = open_read_only(data_directory, fund, loaded);
  if (!store.is_ok()) return store.status();
  malloc_trim(0);
  auto service = std::unique_ptr<FundService>(
      new FundService(data_directory, store_options, std::move(store).value(), std::move(fund),
                      loaded.checkpoint_sequence, group_commit_max, std::move(signer)));
  service->store_read_only_ = true;
  std::cerr << "{\"level\":\"warning\",\"message\":\"store opened read-only: no room to open "
               "it for writing\"}"
            << std::endl;
  service->suspend_writes(failed);
  service->start();
  return service;
}

FundService::FundService(std::string data_directory, RocksStoreOptions store_options,
                         std::unique_ptr<RocksStore> store, Fund fund,
                         std::uint64_t last_checkpoint, std::size_t group_commit_max,
                         HeadSigner signer)
    : data_directory_(std::move(data_directory)),
      store_options_(store_options),
      store_(std::move(store)),
      fund_(std::move(fund)),
      signer_(std::move(signer)),
      head_(signer_.sign(fund_.ledger().last_sequence(), fund_.ledger().chain_head())),
      group_commit_max_(group_commit_max),
      watch_(fund_.ledger().last_sequence()) {
  sequencer_.emplace(*store_, fund_, last_checkpoint);
}

void FundService::start() {
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
  // A clean stop leaves a checkpoint, so that the next start replays nothing; a store that
  // takes no writes gets none (the journal is complete without it).
  if (!degraded_) write_checkpoint();
}

// Only reads the fund: readers go on meanwhile; the sequencer thread is the only writer and
// is either this thread or stopped.
void FundService::write_checkpoint() {
  std::shared_lock lock(state_lock_);
  if (Status written = sequencer_->checkpoint(); !written.is_ok()) {
    std::cerr << "{\"level\":\"error\",\"message\":\"no checkpoint written: " << written.message()
              << "\"}" << std::endl;
  }
}

// While writes are suspended, the wait for requests times out for the next probe.
void FundService::run() {
  while (true) {
    std::vector<Pending> group;
    {
      std::unique_lock lock(queue_mutex_);
      const auto ready = [&] { return stopping_ || !queue_.empty(); };
      if (degraded_)
        queue_ready_.wait_until(lock, next_probe_, ready);
      else
        queue_ready_.wait(lock, ready);
      if (stopping_ && queue_.empty()) return;  // everything queued is done
      while (!queue_.empty() && group.size() < group_commit_max_) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (degraded_) probe_store();
    if (group.empty()) continue;
    if (auto suspended = writes_suspended()) {
      refuse(group, *suspended);
      continue;
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
  auto outcomes = sequencer_->run(std::move(requests), {.clamp_time = true});
  if (!outcomes.is_ok()) {
    // The in-memory state is ahead of the disk: bring it back to what is durable before any
    // reader sees it, acknowledge nothing of the group, and take no writes for now.
    if (Status reloaded = reload_durable_state(); !reloaded.is_ok()) {
      std::cerr << "{\"level\":\"critical\",\"message\":\"commit failed and the durable state "
                   "cannot be reloaded\",\"commit\":"
                << boost::json::serialize(boost::json::string(outcomes.status().to_string()))
                << ",\"reload\":"
                << boost::json::serialize(boost::json::string(reloaded.to_string())) << "}"
                << std::endl;
      std::abort();  // a restart replays the journal
    }
    lock.unlock();
    suspend_writes(outcomes.status());
    refuse(group, *writes_suspended());
    return;
  }
  // Signed before any reader or reply sees the group (a few tens of microseconds a group).
  const SignedHead head = head_ =
      signer_.sign(fund_.ledger().last_sequence(), fund_.ledger().chain_head());
  const std::uint64_t committed = head.sequence;
  lock.unlock();
  watch_.committed(committed);
  groups_committed_ += 1;
  requests_committed_ += group.size();
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (outcomes.value()[i].is_ok()) outcomes.value()[i].value().head = head;
    group[i].reply(std::move(outcomes.value()[i]));
  }
  if (sequencer_->checkpoint_due()) write_checkpoint();  // after the replies: they need not wait
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
  // The replica signs what it holds with its own head key (GET /v1/head on a standby).
  head_ = signer_.sign(fund_.ledger().last_sequence(), fund_.ledger().chain_head());
  const std::uint64_t committed = head_.sequence;
  lock.unlock();
  watch_.committed(committed);
  if (sequencer_->checkpoint_due()) write_checkpoint();
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
