// Long-polls on the journal without a thread per waiter: a waiter is a callback, called once,
// by the writer as soon as an entry after the one it waits past is committed, or by the
// watch's one timer thread at its deadline. Nobody holds the fund's lock while waiting.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace backstop::daemon {

class CommitWatch {
 public:
  using Clock = std::chrono::steady_clock;
  using Wake = std::function<void()>;

  // `committed`: the last sequence committed when the watch starts.
  explicit CommitWatch(std::uint64_t committed);
  ~CommitWatch();
  CommitWatch(const CommitWatch&) = delete;
  CommitWatch& operator=(const CommitWatch&) = delete;

  // Calls `wake` exactly once: now if an entry after `after` is already committed (or the
  // watch is closed), else when one is, or at `deadline`, whichever comes first. `wake` runs
  // on the writer's or the timer's thread, so it should only hand work on.
  void wait(std::uint64_t after, Clock::time_point deadline, Wake wake);
  // The one writer, after each commit (outside the fund's lock).
  void committed(std::uint64_t sequence);
  // Wakes every waiter and every later one at once, and stops the timer (at shutdown).
  void close();

  std::size_t waiters() const;

 private:
  struct Waiter {
    std::uint64_t after;
    Wake wake;
  };
  void run_timer();

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<Clock::time_point, Waiter> waiters_;  // by deadline
  std::uint64_t committed_;
  bool closed_ = false;
  std::thread timer_;
};

}  // namespace backstop::daemon
