// The fund behind backstopd: one sequencer thread applies state-changing requests in
// order and commits them in groups (one synced WriteBatch per group); a request's reply
// is released only after its group is durable. Reads take a shared lock and see only
// durable state: the sequencer holds the exclusive lock from applying a group until it is
// on disk (docs/architecture.md says why).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "ledger/fund.hpp"

namespace backstop::daemon {

class FundService {
 public:
  using Reply = std::function<void(Result<FundReceipt>)>;

  // Opens the store, replays and verifies it, and starts the sequencer.
  static Result<std::unique_ptr<FundService>> open(const std::string& data_directory, std::size_t group_commit_max);
  ~FundService();

  // Queues a request; `reply` runs on the sequencer thread once the outcome is durable
  // (or refused). The sequencer stamps the time, never earlier than the journal's last.
  // `requested_time` (simulated clock only) replaces the wall clock, still never going back.
  void submit(std::string idempotency_key, std::string actor, boost::json::object command, Reply reply,
              std::optional<std::int64_t> requested_time = std::nullopt);

  // Runs `read` against the fund under a shared lock.
  template <typename Read>
  auto read(Read&& read) const {
    std::shared_lock lock(fund_mutex_);
    return read(fund_);
  }

  // Stops taking requests, finishes every queued group, and joins the sequencer.
  void stop();

  std::uint64_t groups_committed() const { return groups_committed_.load(); }
  std::uint64_t requests_committed() const { return requests_committed_.load(); }
  std::size_t queue_depth() const;

 private:
  struct Pending {
    std::string key;
    std::string actor;
    boost::json::object command;
    Reply reply;
    std::optional<std::int64_t> requested_time;
  };
  FundService(std::unique_ptr<RocksStore> store, Fund fund, std::size_t group_commit_max);
  void run();

  std::unique_ptr<RocksStore> store_;
  Fund fund_;
  std::size_t committed_ = 0;
  const std::size_t group_commit_max_;
  mutable std::shared_mutex fund_mutex_;
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> groups_committed_{0};
  std::atomic<std::uint64_t> requests_committed_{0};
  std::thread sequencer_;
};

}  // namespace backstop::daemon
