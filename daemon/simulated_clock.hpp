// The clock of a daemon configured with `[clock] simulated = true` (demos and tests), so that a
// fund year can pass in minutes. Only administrators move it, with X-Backstop-Time on any of
// their requests, and never back; every request is stamped with it as it stands. A member who
// could set the fund's time could move it past every other member's claim deadlines.
#pragma once

#include <atomic>
#include <cstdint>

namespace backstop::daemon {

class SimulatedClock {
 public:
  // Moves the clock forward to `time_unix_s` (never back); returns the clock.
  std::int64_t advance(std::int64_t time_unix_s) {
    std::int64_t now = time_.load();
    while (now < time_unix_s && !time_.compare_exchange_weak(now, time_unix_s)) {
    }
    return now < time_unix_s ? time_unix_s : now;
  }
  // 0 until an administrator sets it: the sequencer then stamps the journal's last time.
  std::int64_t now() const { return time_.load(); }

 private:
  std::atomic<std::int64_t> time_{0};
};

}  // namespace backstop::daemon
