// The fund behind backstopd: one thread takes queued state-changing requests in groups
// and runs each group through the Sequencer (fund/sequencer.hpp: one synced WriteBatch per
// group); a request's reply is released only after its group is durable. Reads never wait for
// writers: they use one of two read copies that hold only durable state (a left-right scheme: the
// sequencer brings the idle copy up to date, switches readers to it, waits for the last readers of
// the other, and updates that too). docs/architecture.md says more.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "fund/fund.hpp"
#include "fund/sequencer.hpp"

namespace backstop::daemon {

class FundService {
 public:
  using Reply = std::function<void(Result<FundReceipt>)>;

  // Opens the store, replays and verifies it, and starts the sequencer.
  static Result<std::unique_ptr<FundService>> open(const std::string& data_directory,
                                                   std::size_t group_commit_max);
  ~FundService();

  // Queues a request; `reply` runs on the sequencer thread once the outcome is durable
  // (or refused). The sequencer stamps the time, never earlier than the journal's last.
  // `requested_time` (simulated clock only) replaces the wall clock, still never going back.
  void submit(std::string idempotency_key, Actor actor, FundCommand command, Reply reply,
              std::optional<std::int64_t> requested_time = std::nullopt);

  // Runs `read` against the durable state of the fund. Never waits for the sequencer.
  template <typename Read>
  auto read(Read&& read) const {
    while (true) {
      const int copy = current_.load();
      readers_[static_cast<std::size_t>(copy)].fetch_add(1);
      if (current_.load() == copy) {
        struct Leave {
          std::atomic<int>& readers;
          ~Leave() { readers.fetch_sub(1); }
        } leave{readers_[static_cast<std::size_t>(copy)]};
        return read(*copies_[static_cast<std::size_t>(copy)]);
      }
      readers_[static_cast<std::size_t>(copy)].fetch_sub(1);  // switched meanwhile: use the new one
    }
  }

  // Stops taking requests, finishes every queued group, and joins the sequencer.
  void stop();

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
  FundService(std::unique_ptr<RocksStore> store, Fund fund, std::size_t group_commit_max);
  void run();

  // Brings a read copy up to date with the durable journal, once its readers have left,
  // by applying the state changes the sequencer decided (nothing is decided twice).
  void update_copy(std::size_t copy, std::size_t from, std::size_t to,
                   const std::map<std::uint64_t, Fund::StateChange>& changes);

  std::unique_ptr<RocksStore> store_;
  Fund fund_;  // the sequencer's own: ahead of the disk while a group is being committed
  Sequencer sequencer_;
  const std::size_t group_commit_max_;
  std::array<std::unique_ptr<Fund>, 2> copies_;  // readers' copies: durable state only
  std::atomic<int> current_{0};
  mutable std::array<std::atomic<int>, 2> readers_{};
  mutable std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> groups_committed_{0};
  std::atomic<std::uint64_t> requests_committed_{0};
  std::thread thread_;
};

}  // namespace backstop::daemon
