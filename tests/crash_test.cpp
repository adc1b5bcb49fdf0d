// Crash test (rule 11: acknowledged means durable). A child process commits groups of
// transfers in a loop and reports each acknowledged key on a pipe; the parent kills it
// with SIGKILL at random moments, reopens the store, and checks that every acknowledged
// transaction is there, no group is half-written, and the ledger verifies.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "ledger/store.hpp"
#include "tests/ledger_fixtures.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

constexpr int rounds = 24;

// Runs in the child: never returns. Keys are "r<round>.g<group>.<index>of<size>".
[[noreturn]] void commit_forever(const std::string& directory, int round, int write_fd) {
  auto store = RocksStore::open(directory);
  if (!store.is_ok()) _exit(20);
  auto loaded = load_ledger(*store.value());
  if (!loaded.is_ok()) _exit(21);
  Ledger ledger = std::move(loaded).value();
  std::int64_t time = ledger.last_sequence() == 0 ? 1 : ledger.last_time_unix_s();
  if (ledger.find_account("fund:cash") == nullptr) {
    (void)ledger.execute(
        open_account("open-cash", "fund:cash", AccountType::asset, std::nullopt, time));
    (void)ledger.execute(
        open_account("open-reserve", "fund:reserve", AccountType::equity, std::nullopt, time));
  }
  std::mt19937 random(static_cast<unsigned>(round));
  for (int group = 0;; ++group) {
    const int size = 1 + static_cast<int>(random() % 8);
    std::string acknowledged;
    for (int index = 0; index < size; ++index) {
      const std::string key = "r" + std::to_string(round) + ".g" + std::to_string(group) + "." +
                              std::to_string(index) + "of" + std::to_string(size);
      if (!ledger
               .execute(
                   transfer(key, "fund:reserve", "fund:cash", Money::from_pence(1 + index), ++time))
               .is_ok())
        _exit(22);
      acknowledged += key + "\n";
    }
    if (!commit_pending(*store.value(), ledger).is_ok()) _exit(23);
    // Only now is the group durable: acknowledge it.
    if (write(write_fd, acknowledged.data(), acknowledged.size()) !=
        static_cast<ssize_t>(acknowledged.size()))
      _exit(24);
  }
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<std::size_t>(n));
  return out;
}

}  // namespace

TEST_CASE(
    "crash: SIGKILL at random moments never loses an acknowledged transaction nor half a group") {
  TemporaryDirectory directory;
  std::set<std::string> acknowledged;
  std::mt19937 random(2024);
  for (int round = 0; round < rounds; ++round) {
    int pipe_fds[2];
    REQUIRE(pipe(pipe_fds) == 0);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      close(pipe_fds[0]);
      commit_forever(directory.path(), round, pipe_fds[1]);
    }
    close(pipe_fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 200));
    REQUIRE(kill(child, SIGKILL) == 0);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    INFO("round " << round << " child status " << status);
    REQUIRE(WIFSIGNALED(status));  // killed by us, not exited with an error
    std::istringstream lines(read_all(pipe_fds[0]));
    close(pipe_fds[0]);
    for (std::string key; std::getline(lines, key);) acknowledged.insert(key);

    // Opened as the next writer opens it: a kill while the first writer was still creating
    // the column families leaves a store only a writer's open completes.
    auto store = RocksStore::open(directory.path());
    if (!store.is_ok()) FAIL(store.status().to_string());
    auto ledger = load_ledger(*store.value());  // verifies the chain and every balance
    REQUIRE(ledger.is_ok());
    REQUIRE(ledger.value().trial_balance().is_zero());
    std::set<std::string> present;
    REQUIRE(replay_journal(*store.value(), [&](const JournalEntry& entry) {
              present.insert(entry.idempotency_key);
              return Status::ok();
            }).is_ok());
    for (const auto& key : acknowledged) REQUIRE(present.contains(key));
    // Every group is all there or not at all.
    std::map<std::string, std::pair<int, int>> groups;  // "r.g" -> (seen, size)
    for (const auto& key : present) {
      if (key.starts_with("open-")) continue;
      const auto last_dot = key.rfind('.');
      const auto of = key.rfind("of");
      auto& group = groups[key.substr(0, last_dot)];
      group.first += 1;
      group.second = std::stoi(key.substr(of + 2));
    }
    for (const auto& [group, counts] : groups) {
      INFO("group " << group);
      REQUIRE(counts.first == counts.second);
    }
  }
  CHECK(acknowledged.size() > static_cast<std::size_t>(rounds));
}
