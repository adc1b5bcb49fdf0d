// RocksStore: durability across reopen, read-only opening, and tamper detection.
#include <catch2/catch.hpp>

#include "ledger/encoding.hpp"
#include "ledger/store.hpp"
#include "tests/ledger_fixtures.hpp"
#include "tests/store_tamper.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

Money pounds(const char* text) { return Money::parse(text).value(); }

// Writes a small journal of `transfers` transfers to a new store in `directory`.
Digest write_journal(const std::string& directory, int transfers) {
  auto store = RocksStore::open(directory);
  REQUIRE(store.is_ok());
  Ledger ledger;
  REQUIRE(ledger.execute(open_account("a", "fund:cash", AccountType::asset)).is_ok());
  REQUIRE(ledger.execute(open_account("b", "fund:reserve", AccountType::equity)).is_ok());
  for (int i = 0; i < transfers; ++i) {
    REQUIRE(
        ledger
            .execute(transfer("t" + std::to_string(i), "fund:reserve", "fund:cash", pounds("1.01")))
            .is_ok());
  }
  REQUIRE(commit_pending(*store.value(), ledger).is_ok());
  return ledger.chain_head();
}

}  // namespace

TEST_CASE("rocks store: a reopened store holds exactly what was committed") {
  TemporaryDirectory directory;
  const Digest head = write_journal(directory.path(), 10);
  auto store = RocksStore::open(directory.path(), {.read_only = true});
  REQUIRE(store.is_ok());
  auto ledger = load_ledger(*store.value());
  REQUIRE(ledger.is_ok());
  CHECK(ledger.value().chain_head() == head);
  CHECK(ledger.value().find_account("fund:cash")->balance == pounds("10.10"));
  CHECK_FALSE(store.value()->commit(ledger.value()).is_ok());  // read-only
}

TEST_CASE("rocks store: opening a missing store read-only is an error, not a new store") {
  TemporaryDirectory directory;
  auto store = RocksStore::open(directory.path() + "/nothing-here", {.read_only = true});
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().code() == ErrorCode::io_error);
}

TEST_CASE("rocks store: below its free-space reserve a store is not opened for writing") {
  TemporaryDirectory directory;
  const Digest head = write_journal(directory.path(), 3);
  // A reserve that no filesystem here has: the refusal says it is a lack of room (a commit
  // crossing the reserve is refused the same way: tests/disk_full_test.cpp).
  const std::uint64_t reserve = std::uint64_t{1} << 60;
  auto refused = RocksStore::open(directory.path(), {.reserve_bytes = reserve});
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().code() == ErrorCode::insufficient_storage);
  // Reading needs no room, and nothing was written.
  auto store = RocksStore::open(directory.path(), {.read_only = true, .reserve_bytes = reserve});
  REQUIRE(store.is_ok());
  auto ledger = load_ledger(*store.value());
  REQUIRE(ledger.is_ok());
  CHECK(ledger.value().chain_head() == head);
}

TEST_CASE("tamper: flipping any byte of a stored transaction fails verification, naming it") {
  std::mt19937 random(11);
  for (int round = 0; round < 12; ++round) {
    TemporaryDirectory directory;
    write_journal(directory.path(), 6);
    const std::uint64_t victim = 3 + random() % 6;  // one of the transfers
    std::size_t flipped_at = 0;
    tamper(directory.path(), "journal", encode_sequence_key(victim), [&](std::string& record) {
      flipped_at = random() % record.size();
      record[flipped_at] = static_cast<char>(record[flipped_at] ^ (1 << (random() % 8)));
    });
    auto store = RocksStore::open(directory.path(), {.read_only = true});
    REQUIRE(store.is_ok());
    auto ledger = load_ledger(*store.value());
    INFO("flipped byte " << flipped_at << " of transaction " << victim);
    REQUIRE_FALSE(ledger.is_ok());
    CHECK(ledger.status().code() == ErrorCode::corruption);
    CHECK_THAT(ledger.status().message(), Catch::Contains("transaction " + std::to_string(victim)));
  }
}

TEST_CASE("tamper: a consistent rewrite of one record still breaks the chain after it") {
  TemporaryDirectory directory;
  write_journal(directory.path(), 4);
  // Change an amount and recompute the record's own hash: the next entry no longer chains.
  tamper(directory.path(), "journal", encode_sequence_key(4), [](std::string& record) {
    auto entry = decode_entry_record(record).value();
    entry.postings[0].amount = pounds("1000.00");
    entry.postings[1].amount = pounds("-1000.00");
    entry.hash = sha256(encode_entry_body(entry));
    record = encode_entry_record(entry);
  });
  auto store = RocksStore::open(directory.path(), {.read_only = true});
  auto ledger = load_ledger(*store.value());
  REQUIRE_FALSE(ledger.is_ok());
  CHECK_THAT(ledger.status().message(), Catch::Contains("transaction 5"));
}

TEST_CASE("tamper: a cached balance that disagrees with the postings is caught") {
  TemporaryDirectory directory;
  write_journal(directory.path(), 3);
  tamper(directory.path(), "accounts", "fund:cash", [](std::string& value) { value = "999"; });
  auto store = RocksStore::open(directory.path(), {.read_only = true});
  auto ledger = load_ledger(*store.value());
  REQUIRE_FALSE(ledger.is_ok());
  CHECK_THAT(ledger.status().message(), Catch::Contains("fund:cash"));
}
