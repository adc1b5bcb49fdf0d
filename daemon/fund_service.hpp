// The fund behind backstopd: one thread takes queued state-changing requests in groups
// and runs each group through the Sequencer (fund/sequencer.hpp: one synced WriteBatch per
// group); a request's reply is released only after its group is durable. There is one copy
// of the fund's state. Readers share it under a reader-writer lock; the sequencer holds the
// lock exclusively from executing a group until the group is durable, so a reader never sees
// state a crash could still lose, and waits at most one group commit (docs/architecture.md).
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "daemon/commit_watch.hpp"
#include "daemon/config.hpp"
#include "daemon/writer_first_lock.hpp"
#include "fund/fund.hpp"
#include "fund/sequencer.hpp"

namespace backstop::daemon {

class Follower;
struct ReplicaStatus;

class FundService {
 public:
  using Reply = std::function<void(Result<FundReceipt>)>;

  // Opens the store, loads the fund (from its checkpoint when that checks out, replaying and
  // verifying the rest), and starts the sequencer.
  static Result<std::unique_ptr<FundService>> open(const std::string& data_directory,
                                                   std::size_t group_commit_max,
                                                   LoadReport* report = nullptr);
  ~FundService();

  // Queues a request; `reply` runs on the sequencer thread once the outcome is durable
  // (or refused). The sequencer stamps the time, never earlier than the journal's last.
  // `requested_time` (simulated clock only) replaces the wall clock, still never going back.
  void submit(std::string idempotency_key, Actor actor, FundCommand command, Reply reply,
              std::optional<std::int64_t> requested_time = std::nullopt);

  // Runs `read` against the durable state of the fund.
  template <typename Read>
  auto read(Read&& read) const {
    std::shared_lock lock(state_lock_);
    return read(fund_);
  }

  // Stops taking requests, finishes every queued group, and joins the sequencer.
  void stop();

  // The store, for reading committed journal records (entries up to the head read under
  // `read` never change).
  const Store& store() const { return *store_; }
  // Long polls on the journal: woken by each commit (daemon/commit_watch.hpp).
  CommitWatch& commit_watch() { return watch_; }

  // --- A standby replica (docs/operations.md) ---
  // Makes this fund a read-only replica of the leader in `follow`: writes are refused, and a
  // follower thread applies the leader's journal stream (daemon/follower.hpp).
  void follow(const FollowConfig& follow);
  // Whether writes are refused, and the leader they belong to ("" for a leader).
  bool is_replica() const { return replica_.load(); }
  std::string leader() const;
  // Applies records streamed from the leader, in order, each one checked and decided again
  // (Fund::append_replicated), and commits those that passed in one synced write with their
  // receipt results. Returns the first refusal (the records after it are not applied).
  Status apply_replicated(std::vector<std::string> records);
  // Stops following and takes writes from now on; not_found if this is not a replica.
  Status promote();
  // The replica's state for /readyz and /metrics; nullopt for a leader.
  std::optional<ReplicaStatus> replica_status() const;

  std::uint64_t groups_committed() const { return groups_committed_.load(); }
  std::uint64_t requests_committed() const { return requests_committed_.load(); }
  std::size_t queue_depth() const;

 private:
  struct Pending {
    std::string key;
    Actor actor;
    FundCommand command;
    Reply reply;
    std::optional<std::int64_t> requested_time;
  };
  FundService(std::unique_ptr<RocksStore> store, Fund fund, std::uint64_t last_checkpoint,
              std::size_t group_commit_max);
  void write_checkpoint();
  void run();
  void execute_group(std::vector<Pending>& group);

  std::unique_ptr<RocksStore> store_;
  Fund fund_;
  mutable WriterFirstLock state_lock_;  // exclusive while a group executes and commits
  Sequencer sequencer_;
  const std::size_t group_commit_max_;
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> groups_committed_{0};
  std::atomic<std::uint64_t> requests_committed_{0};
  std::thread thread_;
  CommitWatch watch_;
  std::atomic<bool> replica_{false};
  std::unique_ptr<Follower> follower_;  // set only by follow(), before serving
};

}  // namespace backstop::daemon
