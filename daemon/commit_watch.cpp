#include "daemon/commit_watch.hpp"

#include <vector>

namespace backstop::daemon {

CommitWatch::CommitWatch(std::uint64_t committed) : committed_(committed) {
  timer_ = std::thread([this] { run_timer(); });
}

CommitWatch::~CommitWatch() { close(); }

void CommitWatch::wait(std::uint64_t after, Clock::time_point deadline, Wake wake) {
  {
    std::lock_guard lock(mutex_);
    if (!closed_ && committed_ <= after && deadline > Clock::now()) {
      const bool earliest = waiters_.empty() || deadline < waiters_.begin()->first;
      waiters_.emplace(deadline, Waiter{after, std::move(wake)});
      if (earliest) changed_.notify_all();
      return;
    }
  }
  wake();
}

void CommitWatch::committed(std::uint64_t sequence) {
  std::vector<Wake> woken;
  {
    std::lock_guard lock(mutex_);
    committed_ = sequence;
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.after < sequence) {
        woken.push_back(std::move(it->second.wake));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& wake : woken) wake();
}

void CommitWatch::close() {
  std::vector<Wake> woken;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [deadline, waiter] : waiters_) woken.push_back(std::move(waiter.wake));
    waiters_.clear();
    changed_.notify_all();
  }
  for (auto& wake : woken) wake();
  if (timer_.joinable() && timer_.get_id() != std::this_thread::get_id()) timer_.join();
}

std::size_t CommitWatch::waiters() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

void CommitWatch::run_timer() {
  std::unique_lock lock(mutex_);
  while (!closed_) {
    if (waiters_.empty()) {
      changed_.wait(lock);
      continue;
    }
    changed_.wait_until(lock, waiters_.begin()->first);
    std::vector<Wake> woken;
    const auto now = Clock::now();
    while (!waiters_.empty() && waiters_.begin()->first <= now) {
      woken.push_back(std::move(waiters_.begin()->second.wake));
      waiters_.erase(waiters_.begin());
    }
    lock.unlock();
    for (auto& wake : woken) wake();
    lock.lock();
  }
}

}  // namespace backstop::daemon
