// Small builders for ledger commands, shared by the ledger tests.
#pragma once

#include <filesystem>
#include <random>
#include <string>

#include "ledger/ledger.hpp"

namespace backstop::testing {

inline Metadata metadata_for(const std::string& reason) {
  return Metadata{"tester", reason, 2013, {}};
}

inline Command open_account(const std::string& key, const std::string& id, AccountType type,
                            std::optional<Money> floor = std::nullopt, std::int64_t time = 1) {
  return Command{key, time, metadata_for("open " + id),
                 OpenAccount{Account{id, type, "fund", floor}}};
}

// Moves `amount` from `source` (credited) to `target` (debited).
inline Command transfer(const std::string& key, const std::string& source,
                        const std::string& target, Money amount, std::int64_t time = 2) {
  return Command{key, time, metadata_for("transfer"),
                 PostTransaction{{{target, amount}, {source, -amount}}}};
}

inline Command reverse(const std::string& key, std::uint64_t sequence, std::int64_t time = 3) {
  return Command{key, time, metadata_for("reverse"), ReverseTransaction{sequence}};
}

// A fresh directory under the system's temporary directory, removed when the object goes.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::random_device seed;
    path_ = std::filesystem::temp_directory_path() /
            ("backstop-test-" + std::to_string(seed()) + std::to_string(seed()));
    std::filesystem::create_directories(path_);
  }
  ~TemporaryDirectory() { std::filesystem::remove_all(path_); }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace backstop::testing
