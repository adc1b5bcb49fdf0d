// The fund behind backstopd: one thread takes queued state-changing requests in groups
// and runs each group through the Sequencer (fund/sequencer.hpp: one synced WriteBatch per
// group); a request's reply is released only after its group is durable. There is one copy
// of the fund's state. Readers share it under a reader-writer lock; the sequencer holds the
// lock exclusively from executing a group until the group is durable, so a reader never sees
// state a crash could still lose, and waits at most one group commit (docs/architecture.md).
//
// A commit that fails (a full disk, above all) is not fatal: nothing of its group is
// acknowledged, the state is reloaded from the store (what is durable), and the service
// refuses writes while it keeps serving reads (degraded). The sequencer thread probes the
// store about once a second and takes writes again once one gets through. A start on a full
// disk opens the store read-only and probes for a writable open the same way.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>

#include "daemon/backup_service.hpp"
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
  // verifying the rest), and starts the sequencer. `signer` signs the head after each group:
  // every receipt of the group carries it.
  static Result<std::unique_ptr<FundService>> open(const std::string& data_directory,
                                                   RocksStoreOptions store_options,
                                                   std::size_t group_commit_max, HeadSigner signer,
                                                   LoadReport* report = nullptr);
  ~FundService();

  // Queues a request; `reply` runs on the sequencer thread once the outcome is durable
  // (or refused), its receipt carrying the signed head of its group. The sequencer stamps the time,
  // never earlier than the journal's last. `requested_time` (simulated clock only) replaces the
  // wall clock, still never going back.
  void submit(std::string idempotency_key, Actor actor, FundCommand command, Reply reply,
              std::optional<std::int64_t> requested_time = std::nullopt);

  // Runs `read` against the durable state of the fund.
  template <typename Read>
  auto read(Read&& read) const {
    std::shared_lock lock(state_lock_);
    return read(fund_);
  }
  // Runs `read` against the durable state of the fund and its signed head.
  template <typename Read>
  auto read_with_head(Read&& read) const {
    std::shared_lock lock(state_lock_);
    return read(fund_, static_cast<const SignedHead&>(head_));
  }
  const HeadPublicKey& head_key() const { return signer_.public_key(); }

  // Stops taking requests, finishes every queued group, and joins the sequencer.
  void stop();

  // Why writes are refused (no value: they are taken). Its code is the one refused writes
  // get: insufficient_storage for a full disk, io_error otherwise.
  std::optional<Status> writes_suspended() const;
  std::uint64_t writes_refused() const { return writes_refused_.load(); }
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

  // Online backups of the store (daemon/backup_service.hpp); none until enabled.
  void enable_backups(BackupSettings settings) {
    backups_ = std::make_unique<BackupService>(*store_, std::move(settings));
  }
  BackupService* backups() { return backups_.get(); }

 private:
  struct Pending {
    std::string key;
    Actor actor;
    FundCommand command;
    Reply reply;
    std::optional<std::int64_t> requested_time;
  };
  FundService(std::string data_directory, RocksStoreOptions store_options,
              std::unique_ptr<RocksStore> store, Fund fund, std::uint64_t last_checkpoint,
              std::size_t group_commit_max, HeadSigner signer);
  void start();  // the sequencer thread
  void write_checkpoint();
  void run();
  void execute_group(std::vector<Pending>& group);
  // Degraded mode (fund_service_degraded.cpp).
  void refuse(std::vector<Pending>& group, const Status& why);
  void suspend_writes(const Status& cause);
  Status reload_durable_state();
  void probe_store();
  Status reopen_writable();

  static constexpr std::chrono::seconds probe_interval{1};

  const std::string data_directory_;
  const RocksStoreOptions store_options_;  // of the read-write open
  std::unique_ptr<RocksStore> store_;
  bool store_read_only_ = false;  // opened read-only at a start on a full disk
  Fund fund_;
  mutable WriterFirstLock state_lock_;  // exclusive while a group executes and commits
  std::optional<Sequencer> sequencer_;  // rebuilt with the fund when it is reloaded
  const HeadSigner signer_;
  SignedHead head_;  // of the durable state; under state_lock_
  const std::size_t group_commit_max_;
  std::atomic<bool> degraded_{false};
  mutable std::mutex suspended_mutex_;
  std::optional<Status> suspended_;  // why writes are refused, under suspended_mutex_
  std::chrono::steady_clock::time_point next_probe_;
  std::atomic<std::uint64_t> writes_refused_{0};
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> groups_committed_{0};
  std::atomic<std::uint64_t> requests_committed_{0};
  std::thread thread_;
  CommitWatch watch_;
  std::atomic<bool> replica_{false};
  std::unique_ptr<Follower> follower_;      // set only by follow(), before serving
  std::unique_ptr<BackupService> backups_;  // last: a running backup ends before the store closes
};

}  // namespace backstop::daemon
