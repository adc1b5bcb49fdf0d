// A standby replica's follower: one thread that long-polls the leader's journal stream over
// mutual TLS (GET /v1/admin/journal) and hands each page to FundService::apply_replicated,
// which checks and decides every entry again before committing it. If the leader's stream
// does not continue the history this replica holds (a fork, a rewritten or shorter journal,
// an entry that does not verify), it stops following, says so loudly, and the replica goes
// on serving what it verified.
#pragma once

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "daemon/config.hpp"

namespace backstop::daemon {

class FundService;

struct ReplicaStatus {
  std::string leader;
  bool following = true;          // false once stopped by a disagreement (see `stopped`)
  std::string stopped;            // why it stopped following
  std::string last_error;         // the last failure to reach or read the leader, if any since
  std::uint64_t applied = 0;      // the replica's last sequence
  std::uint64_t leader_head = 0;  // the leader's, as last seen
  std::uint64_t lag_entries = 0;  // leader_head - applied
  // Seconds since the replica last knew it held everything the leader had committed: 0 while
  // it is caught up and waiting on the leader's stream.
  double lag_seconds = 0;
};
boost::json::object replica_json(const ReplicaStatus& status);
// Prometheus lines: backstop_replica_lag_entries, backstop_replica_lag_seconds, ...
std::string replica_metrics(const ReplicaStatus& status);

class LeaderClient;

class Follower {
 public:
  Follower(FundService& service, FollowConfig config);
  ~Follower();
  void start();
  // Stops the thread: an outstanding request is cancelled. Idempotent.
  void stop();
  ReplicaStatus status() const;
  std::string leader() const { return config_.describe(); }

 private:
  using Clock = std::chrono::steady_clock;
  void run();
  // One request and the page it brings; false when following must stop.
  bool follow_once();
  void note_failure(const std::string& what);
  void stop_following(const std::string& why);
  void pause(std::chrono::milliseconds period);

  FundService& service_;
  const FollowConfig config_;
  std::unique_ptr<LeaderClient> client_;
  std::thread thread_;
  std::mutex stop_mutex_;
  std::condition_variable stop_changed_;
  bool stopping_ = false;

  mutable std::mutex status_mutex_;
  ReplicaStatus status_;
  Clock::time_point synced_;        // when it last held all the leader had
  bool heard_ = false;              // a page came from the leader since the start
  bool polling_caught_up_ = false;  // a request is out that started caught up
  Clock::time_point poll_started_;
};

}  // namespace backstop::daemon
