#include "daemon/fund_service.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace backstop::daemon {

Result<std::unique_ptr<FundService>> FundService::open(const std::string& data_directory,
                                                       std::size_t group_commit_max) {
  auto store = RocksStore::open(data_directory);
  if (!store.is_ok()) return store.status();
  auto fund = load_fund(*store.value());
  if (!fund.is_ok()) return fund.status();
  return std::unique_ptr<FundService>(
      new FundService(std::move(store).value(), std::move(fund).value(), group_commit_max));
}

FundService::FundService(std::unique_ptr<RocksStore> store, Fund fund, std::size_t group_commit_max)
    : store_(std::move(store)),
      fund_(std::move(fund)),
      sequencer_(*store_, fund_),
      group_commit_max_(group_commit_max) {
  fund_.keep_state_changes(true);
  copies_[0] = std::make_unique<Fund>(fund_.clone());
  copies_[1] = std::make_unique<Fund>(fund_.clone());
  thread_ = std::thread([this] { run(); });
}

void FundService::update_copy(std::size_t copy, std::size_t from, std::size_t to,
                              const std::map<std::uint64_t, Fund::StateChange>& changes) {
  while (readers_[copy].load() != 0) std::this_thread::yield();
  const auto& journal = fund_.ledger().journal();
  for (std::size_t i = from; i < to; ++i) {
    auto change = changes.find(journal[i].sequence);
    const Status replayed = change != changes.end()
                                ? copies_[copy]->apply_state_change(journal[i], change->second)
                                : copies_[copy]->replay(journal[i]);
    if (!replayed.is_ok()) {
      std::cerr << "{\"level\":\"critical\",\"message\":\"read copy diverged: "
                << replayed.message() << "\"}" << std::endl;
      std::abort();
    }
  }
}

FundService::~FundService() { stop(); }

void FundService::submit(std::string idempotency_key, Actor actor, FundCommand command, Reply reply,
                         std::optional<std::int64_t> requested_time) {
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
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
    queue_ready_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
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
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    std::vector<FundRequest> requests;
    requests.reserve(group.size());
    for (auto& pending : group) {
      requests.push_back(FundRequest{pending.key, pending.requested_time.value_or(now),
                                     std::move(pending.actor), std::move(pending.command)});
    }
    const std::size_t before = sequencer_.committed();
    auto outcomes = sequencer_.run(std::move(requests), {.clamp_time = true});
    if (!outcomes.is_ok()) {
      // The in-memory state is ahead of the disk: stop, and let a restart replay the journal.
      std::cerr << "{\"level\":\"critical\",\"message\":\"commit failed: "
                << outcomes.status().message() << "\"}" << std::endl;
      std::abort();
    }
    const std::size_t committed = sequencer_.committed();
    if (committed > before) {
      // Left-right: update the idle copy, switch readers to it, then update the other.
      std::map<std::uint64_t, Fund::StateChange> changes;
      for (auto& [sequence, change] : fund_.take_state_changes())
        changes.emplace(sequence, std::move(change));
      const auto idle = static_cast<std::size_t>(1 - current_.load());
      update_copy(idle, before, committed, changes);
      current_.store(static_cast<int>(idle));
      update_copy(1 - idle, before, committed, changes);
    }
    groups_committed_ += 1;
    requests_committed_ += group.size();
    for (std::size_t i = 0; i < group.size(); ++i) {
      group[i].reply(std::move(outcomes.value()[i]));
    }
  }
}

}  // namespace backstop::daemon
