// Corruption is never silent: a byte flipped anywhere in a stopped store (write-ahead log,
// table files, manifest, CURRENT, OPTIONS, ...) either makes the store refuse to open or
// fails `backstop ledger verify`; where neither notices, every acknowledged entry is still
// there unchanged. And a writer's open (the daemon's) never comes up on another history.
// Each flip is made on a fresh copy of the store. BACKSTOP_FLIP_SEED and BACKSTOP_FLIPS
// (per store) change the seed and the number of flips.
#include <rocksdb/db.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "fund/verify.hpp"
#include "ledger/encoding.hpp"
#include "ledger/store.hpp"
#include "tests/ledger_fixtures.hpp"
#include "tests/store_tamper.hpp"

using namespace backstop;
using namespace backstop::testing;
namespace fs = std::filesystem;

namespace {

std::uint64_t from_environment(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::stoull(text) : fallback;
}

// What was acknowledged: every stored record, and the head.
struct History {
  std::vector<std::string> records;
  std::uint64_t last = 0;
  Digest head{};
  bool operator==(const History&) const = default;
};

Result<History> read_history(const Store& store) {
  History history;
  Status read = store.for_each_record([&](std::uint64_t, std::string_view record) {
    history.records.emplace_back(record);
    return Status::ok();
  });
  if (!read.is_ok()) return read;
  Result<StoreCaches> caches = store.read_caches();
  if (!caches.is_ok()) return caches.status();
  if (caches.value().head) std::tie(history.last, history.head) = *caches.value().head;
  return history;
}

// Commits `count` transfers (and now and then a reversal) in groups of 1 to 8.
void commit_transfers(RocksStore& store, int count, std::mt19937_64& random) {
  auto loaded = load_ledger(store);
  REQUIRE(loaded.is_ok());
  Ledger ledger = std::move(loaded).value();
  std::int64_t time = ledger.last_sequence() == 0 ? 1 : ledger.last_time_unix_s();
  if (ledger.find_account("fund:cash") == nullptr) {
    REQUIRE(ledger.execute(open_account("open-cash", "fund:cash", AccountType::asset)).is_ok());
    REQUIRE(
        ledger.execute(open_account("open-reserve", "fund:reserve", AccountType::equity)).is_ok());
  }
  std::uint64_t unreversed = 0;  // the last transfer, if not reversed yet
  for (int done = 0; done < count;) {
    const int group = 1 + static_cast<int>(random() % 8);
    for (int i = 0; i < group && done < count; ++i, ++done) {
      const std::string key = "t" + std::to_string(ledger.last_sequence() + 1);
      const bool reversal = random() % 10 == 0 && unreversed != 0;
      auto receipt = reversal ? ledger.execute(reverse(key, unreversed, ++time))
                              : ledger.execute(transfer(key, "fund:reserve", "fund:cash",
                                                        Money::from_pence(1 + done), ++time));
      if (!receipt.is_ok()) FAIL(receipt.status().to_string());
      unreversed = reversal ? 0 : receipt.value().sequence;
    }
    REQUIRE(commit_pending(store, ledger).is_ok());
  }
}

// A store of 350 acknowledged entries: some in table files (a flush, and the log replayed
// at a reopen), the last hundred only in the write-ahead log, as a stopped daemon leaves it.
void make_store(const std::string& directory) {
  std::mt19937_64 random(11);
  {
    auto store = RocksStore::open(directory);
    REQUIRE(store.is_ok());
    commit_transfers(*store.value(), 150, random);
    REQUIRE(store.value()->flush().is_ok());
    commit_transfers(*store.value(), 100, random);
  }
  auto store = RocksStore::open(directory);
  REQUIRE(store.is_ok());
  commit_transfers(*store.value(), 100, random);
}

std::vector<fs::path> files_of(const fs::path& directory) {
  std::vector<fs::path> files;
  for (const auto& file : fs::directory_iterator(directory)) {
    if (file.is_regular_file() && file.file_size() > 0) files.push_back(file.path().filename());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void flip_byte(const fs::path& file, std::uint64_t offset, char mask) {
  std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(stream);
  stream.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  REQUIRE(stream.get(byte));
  stream.seekp(static_cast<std::streamoff>(offset));
  stream.put(static_cast<char>(byte ^ mask));
  REQUIRE(stream.good());
}

struct Counts {
  int refused_at_open = 0, caught_by_verify = 0, harmless = 0, writer_refused = 0;
  std::map<std::string, std::array<int, 3>> by_kind;  // refused, caught, harmless
};

// The kind of a store file: "wal" (*.log), "sst", "MANIFEST", "OPTIONS", "LOG" (RocksDB's
// own diagnostics, never read back), CURRENT, IDENTITY.
std::string kind_of(const fs::path& name) {
  const std::string text = name.string();
  if (name.extension() == ".log") return "wal";
  if (name.extension() == ".sst") return "sst";
  for (const char* kind : {"MANIFEST", "OPTIONS", "LOG"}) {
    if (text.starts_with(kind)) return kind;
  }
  return text;
}

// One damaged copy: as `backstop ledger verify` sees it, then as the daemon's writer does.
void probe(const std::string& directory, const History& acknowledged, const std::string& kind,
           Counts& counts) {
  {
    auto store = RocksStore::open(directory, {.read_only = true});
    if (!store.is_ok()) {
      ++counts.refused_at_open;
      ++counts.by_kind[kind][0];
    } else if (Result<VerifyReport> verified = verify_store(*store.value()); !verified.is_ok()) {
      ++counts.caught_by_verify;
      ++counts.by_kind[kind][1];
    } else {
      ++counts.harmless;
      ++counts.by_kind[kind][2];
      Result<History> history = read_history(*store.value());
      REQUIRE(history.is_ok());
      REQUIRE(history.value() == acknowledged);  // verify passed: nothing may be lost
    }
  }
  auto store = RocksStore::open(directory);
  Result<Fund> fund = store.is_ok() ? open_fund(*store.value()) : Result<Fund>(store.status());
  if (!fund.is_ok()) {
    ++counts.writer_refused;
    return;
  }
  INFO("the writer came up on " << fund.value().ledger().last_sequence() << " entries");
  REQUIRE(fund.value().ledger().last_sequence() == acknowledged.last);
  REQUIRE(fund.value().ledger().chain_head() == acknowledged.head);
}

Counts flip_many(const fs::path& original, std::uint64_t seed, std::uint64_t flips) {
  History acknowledged;
  {
    auto store = RocksStore::open(original.string(), {.read_only = true});
    REQUIRE(store.is_ok());
    Result<VerifyReport> verified = verify_store(*store.value());
    if (!verified.is_ok()) FAIL(verified.status().to_string());
    acknowledged = read_history(*store.value()).value();
  }
  REQUIRE(acknowledged.records.size() >= 300);
  const auto files = files_of(original);
  std::mt19937_64 random(seed);
  Counts counts;
  for (std::uint64_t flip = 0; flip < flips; ++flip) {
    const fs::path& name = files[flip % files.size()];  // every file, in turn
    const std::uint64_t offset = random() % fs::file_size(original / name);
    const char mask = static_cast<char>(1 + random() % 255);
    INFO("seed " << seed << ", flip " << flip << ": byte " << offset << " of " << name.string()
                 << " xor " << (static_cast<int>(mask) & 0xff));
    TemporaryDirectory copy;
    fs::copy(original, copy.path(), fs::copy_options::recursive);
    flip_byte(fs::path(copy.path()) / name, offset, mask);
    probe(copy.path(), acknowledged, kind_of(name), counts);
  }
  return counts;
}

void report(const std::string& store, std::uint64_t seed, std::uint64_t flips,
            const Counts& counts) {
  std::cout << store << " (seed " << seed << "): " << flips << " flips, " << counts.refused_at_open
            << " refused at open, " << counts.caught_by_verify << " caught by verify, "
            << counts.harmless << " harmless (every entry intact); the writer refused "
            << counts.writer_refused << "\n  by file (refused / caught / harmless):";
  for (const auto& [kind, outcome] : counts.by_kind)
    std::cout << " " << kind << " " << outcome[0] << "/" << outcome[1] << "/" << outcome[2];
  std::cout << "\n";
}

}  // namespace

TEST_CASE("corruption: a byte flipped anywhere in a stopped store is never silent") {
  const std::uint64_t seed = from_environment("BACKSTOP_FLIP_SEED", 20240611);
  const std::uint64_t flips = from_environment("BACKSTOP_FLIPS", 150);
  TemporaryDirectory directory;
  make_store(directory.path());
  const Counts counts = flip_many(directory.path(), seed, flips);
  report("a new store", seed, flips, counts);
  CHECK(counts.refused_at_open + counts.caught_by_verify > 0);
}

TEST_CASE("corruption: a byte flipped anywhere in a store of an older build is never silent") {
  const std::uint64_t seed = from_environment("BACKSTOP_FLIP_SEED", 20240611) + 1;
  const std::uint64_t flips = from_environment("BACKSTOP_FLIPS", 150);
  TemporaryDirectory directory;
  fs::copy(std::string(BACKSTOP_SOURCE_DIR) + "/tests/data/legacy_store/store", directory.path(),
           fs::copy_options::recursive);
  const Counts counts = flip_many(directory.path(), seed, flips);
  report("the legacy store", seed, flips, counts);
  CHECK(counts.refused_at_open + counts.caught_by_verify > 0);
}

namespace {

// Removes the journal's last `count` entries through RocksDB, as someone with write access
// to the store would, with every record verify compared before: their idempotency records,
// the cached balances and the head all rewound to the entry before them. Only what the
// fund keeps beside them is left (their receipt results, the legacy indexes).
void cut_journal_end(const std::string& directory, std::uint64_t count) {
  Ledger ledger;
  std::uint64_t last = 0;
  std::vector<std::string> keys;
  {
    auto store = RocksStore::open(directory, {.read_only = true});
    REQUIRE(store.is_ok());
    last = load_ledger(*store.value()).value().last_sequence();
    ledger.mark_committed(*store.value());
    for (std::uint64_t sequence = 1; sequence <= last; ++sequence) {
      const JournalEntry entry = store.value()->read_entry(sequence).value();
      if (sequence + count <= last)
        REQUIRE(ledger.replay(entry).is_ok());
      else
        keys.push_back(entry.idempotency_key);
    }
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const char* name : {"default", "journal", "accounts", "idempotency", "indexes"})
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(), directory, descriptors, &handles, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteBatch batch;
  for (std::uint64_t sequence = last - count + 1; sequence <= last; ++sequence)
    batch.Delete(handles[1], encode_sequence_key(sequence));
  for (const auto& key : keys) batch.Delete(handles[3], key);
  std::unique_ptr<rocksdb::Iterator> accounts(db->NewIterator(rocksdb::ReadOptions(), handles[2]));
  for (accounts->SeekToFirst(); accounts->Valid(); accounts->Next())
    batch.Delete(handles[2], accounts->key());
  for (const auto& [id, state] : ledger.accounts())
    batch.Put(handles[2], id, state.balance.pence_string());
  const Digest head = ledger.chain_head();
  batch.Put(handles[0], "head",
            encode_sequence_key(ledger.last_sequence()) +
                std::string(reinterpret_cast<const char*>(head.data()), head.size()));
  REQUIRE(db->Write(rocksdb::WriteOptions(), &batch).ok());
  for (auto* handle : handles) REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
}

}  // namespace

TEST_CASE("corruption: the journal's end cut off with its keys, balances and head fails verify") {
  TemporaryDirectory directory;
  fs::copy(std::string(BACKSTOP_SOURCE_DIR) + "/tests/data/legacy_store/store", directory.path(),
           fs::copy_options::recursive);
  {
    // A writer's first open stores the receipt result of every fund event.
    auto writer = RocksStore::open(directory.path());
    REQUIRE(writer.is_ok());
    REQUIRE(open_fund(*writer.value()).is_ok());
  }
  cut_journal_end(directory.path(), 3);
  auto store = RocksStore::open(directory.path(), {.read_only = true});
  REQUIRE(store.is_ok());
  Result<VerifyReport> verified = verify_store(*store.value());
  REQUIRE_FALSE(verified.is_ok());
  CHECK(verified.status().code() == ErrorCode::corruption);
  CHECK_THAT(verified.status().message(),
             Catch::Contains("transaction 608 but the journal ends at 607"));
}

TEST_CASE("corruption: a changed record of the legacy indexes fails verify") {
  TemporaryDirectory directory;
  fs::copy(std::string(BACKSTOP_SOURCE_DIR) + "/tests/data/legacy_store/store", directory.path(),
           fs::copy_options::recursive);
  std::string key;
  {
    auto store = RocksStore::open(directory.path(), {.read_only = true});
    REQUIRE(store.is_ok());
    Result<VerifyReport> verified = verify_store(*store.value());
    REQUIRE(verified.is_ok());
    REQUIRE(verified.value().legacy_indexes > 0);
    REQUIRE(store.value()
                ->for_each_legacy_index([&](std::string_view first, std::string_view) {
                  key = first;
                  return Status::error(ErrorCode::not_found, "one is enough");
                })
                .code() == ErrorCode::not_found);
  }
  tamper(directory.path(), "indexes", key, [](std::string& value) { value += "0"; });
  auto store = RocksStore::open(directory.path(), {.read_only = true});
  REQUIRE(store.is_ok());
  Result<VerifyReport> verified = verify_store(*store.value());
  REQUIRE_FALSE(verified.is_ok());
  CHECK_THAT(verified.status().message(), Catch::Contains("the legacy indexes"));
}
