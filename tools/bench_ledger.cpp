// Benchmark driver for `scripts/bench ledger` (not a test). Measures durable commits per
// second of two-posting transfers with idempotency keys, committed in synced groups of
// `--batch`, and the raw ceiling: synced RocksDB WriteBatches of the same number of
// empty-valued puts. Bounded by both a count and a time.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "ledger/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int accounts_count = 1000;

struct Measured {
  long long transfers = 0;
  double seconds = 0;
};

Measured bench_ledger(const std::string& directory, int batch, double seconds_max,
                      long long transfers_max) {
  using namespace backstop;
  auto store = RocksStore::open(directory);
  if (!store.is_ok()) throw std::runtime_error(store.status().to_string());
  Ledger ledger;
  for (int i = 0; i < accounts_count; ++i) {
    Command open{"open-" + std::to_string(i),
                 1,
                 {"bench", "", 0, {}},
                 OpenAccount{Account{"member:" + std::to_string(i), AccountType::asset, "fund",
                                     std::nullopt}}};
    if (!ledger.execute(open).is_ok()) throw std::runtime_error("open failed");
  }
  if (Status done = commit_pending(*store.value(), ledger); !done.is_ok())
    throw std::runtime_error(done.to_string());
  Measured measured;
  const auto start = Clock::now();
  while (measured.transfers < transfers_max) {
    for (int i = 0; i < batch; ++i, ++measured.transfers) {
      const auto n = measured.transfers;
      const std::string source = "member:" + std::to_string(n % accounts_count);
      const std::string target = "member:" + std::to_string((n * 7 + 1) % accounts_count);
      Command transfer{"transfer-" + std::to_string(n),
                       2,
                       {"bench", "transfer", 2013, {}},
                       PostTransaction{{{target, Money::from_pence(100 + n % 1000)},
                                        {source, -Money::from_pence(100 + n % 1000)}}}};
      if (!ledger.execute(transfer).is_ok()) throw std::runtime_error("transfer refused");
    }
    if (Status done = commit_pending(*store.value(), ledger); !done.is_ok())
      throw std::runtime_error(done.to_string());
    measured.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (measured.seconds > seconds_max) break;
  }
  return measured;
}

Measured bench_raw(const std::string& directory, int batch, double seconds_max,
                   long long transfers_max) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, directory, &raw).ok())
    throw std::runtime_error("cannot open raw store");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  Measured measured;
  const auto start = Clock::now();
  while (measured.transfers < transfers_max) {
    rocksdb::WriteBatch group;
    for (int i = 0; i < batch; ++i, ++measured.transfers)
      group.Put(std::to_string(measured.transfers), "");
    if (!db->Write(sync, &group).ok()) throw std::runtime_error("raw write failed");
    measured.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (measured.seconds > seconds_max) break;
  }
  return measured;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"backstop ledger benchmark driver"};
  std::string mode = "ledger";
  std::string directory;
  int batch = 1;
  double seconds_max = 3;
  long long transfers_max = 2'000'000;
  app.add_option("--mode", mode, "ledger | raw")->check(CLI::IsMember({"ledger", "raw"}));
  app.add_option("--data", directory, "empty directory for the store")->required();
  app.add_option("--batch", batch, "transfers per synced commit group")
      ->check(CLI::Range(1, 65536));
  app.add_option("--seconds", seconds_max, "stop after this long");
  app.add_option("--max-transfers", transfers_max, "stop after this many");
  CLI11_PARSE(app, argc, argv);
  try {
    const Measured measured = mode == "ledger"
                                  ? bench_ledger(directory, batch, seconds_max, transfers_max)
                                  : bench_raw(directory, batch, seconds_max, transfers_max);
    std::cout << mode << " " << batch << " " << measured.transfers << " " << measured.seconds << " "
              << static_cast<long long>(static_cast<double>(measured.transfers) / measured.seconds)
              << "\n";
  } catch (const std::exception& error) {
    std::cerr << "bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
