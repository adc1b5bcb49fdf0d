// Property tests: thousands of random commands, seeded, against the ledger's invariants
// (rule 11): every transaction balances, the trial balance is zero, refusals change
// nothing, floors hold, replay gives the same chain head and byte-identical journal, and
// reopening the RocksDB store gives the same state.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "ledger/encoding.hpp"
#include "ledger/store.hpp"
#include "tests/ledger_fixtures.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

constexpr int commands_per_seed = 3000;

// Generates a plausible but often invalid stream of commands from a seed.
class CommandGenerator {
 public:
  explicit CommandGenerator(std::uint64_t seed) : random_(seed) {}

  Command next(const Ledger& ledger) {
    time_ += static_cast<std::int64_t>(random_() % 3);
    const std::uint64_t written = ledger.last_sequence();
    const int choice = pick(100);
    if (account_ids_.size() < 3 || choice < 5) return open_account();
    if (choice < 10 && written > 0) {  // a retry of something seen before, same payload
      return previous_[static_cast<std::size_t>(pick(static_cast<int>(previous_.size())))];
    }
    if (choice < 13 && !previous_.empty()) {  // a key reused for something else
      Command reused = transfer_between();
      reused.idempotency_key =
          previous_[static_cast<std::size_t>(pick(static_cast<int>(previous_.size())))]
              .idempotency_key;
      return reused;
    }
    if (choice < 20 && written > 0) {
      return remember(reverse(
          fresh_key(), 1 + static_cast<std::uint64_t>(pick(static_cast<int>(written) + 2)), time_));
    }
    if (choice < 30) return remember(split_transaction());
    return remember(transfer_between());
  }

 private:
  int pick(int bound) { return static_cast<int>(random_() % static_cast<std::uint64_t>(bound)); }
  std::string fresh_key() { return "key-" + std::to_string(next_key_++); }
  const std::string& any_account() {
    return account_ids_[static_cast<std::size_t>(pick(static_cast<int>(account_ids_.size())))];
  }
  Money amount() {
    // Mostly small sums, sometimes very large ones, occasionally a penny.
    switch (pick(3)) {
      case 0:
        return Money::from_pence(1 + pick(100));
      case 1:
        return Money::from_pence(Int128(1 + random_() % 10'000'000));
      default:
        return Money::from_pence(Int128(1 + random_() % 1'000'000'000'000ULL));
    }
  }
  Command remember(Command command) {
    previous_.push_back(command);
    return command;
  }
  Command open_account() {
    const std::string id = "acct:" + std::to_string(account_ids_.size());
    const auto type = static_cast<AccountType>(1 + pick(5));
    std::optional<Money> floor;
    if (pick(3) == 0) floor = Money();
    account_ids_.push_back(id);
    return remember(backstop::testing::open_account(fresh_key(), id, type, floor, time_));
  }
  Command transfer_between() {
    return transfer(fresh_key(), any_account(), any_account(), amount(), time_);
  }
  Command split_transaction() {
    PostTransaction post;
    Money total;
    const int legs = 1 + pick(5);
    for (int i = 0; i < legs; ++i) {
      const Money part = amount();
      post.postings.push_back({any_account(), part});
      total += part;
    }
    post.postings.push_back({any_account(), -total});
    return Command{fresh_key(), time_, metadata_for("split"), post};
  }

  std::mt19937_64 random_;
  std::int64_t time_ = 1'700'000'000;
  int next_key_ = 0;
  std::vector<std::string> account_ids_;
  std::vector<Command> previous_;
};

void check_invariants(const Ledger& ledger) {
  REQUIRE(ledger.trial_balance().is_zero());
  for (const auto& [id, state] : ledger.accounts()) {
    if (state.account.floor) REQUIRE(state.normal_balance() >= *state.account.floor);
  }
}

// The accounts whose balances a commit writes: each account the pending entries open or post
// to, once.
void check_pending_accounts(const Ledger& ledger) {
  std::set<std::string> expected;
  for (const auto& entry : ledger.pending()) {
    if (entry.kind == EntryKind::open_account) expected.insert(entry.account.id);
    for (const auto& account : entry.event_accounts) expected.insert(account.id);
    for (const auto& posting : entry.postings) expected.insert(posting.account);
  }
  std::set<std::string> listed;
  for (const AccountState* state : ledger.pending_accounts()) {
    REQUIRE(listed.insert(state->account.id).second);
    REQUIRE(ledger.find_account(state->account.id) == state);
  }
  REQUIRE(listed == expected);
}

std::vector<Command> run_seed(std::uint64_t seed, Ledger& ledger) {
  CommandGenerator generator(seed);
  std::vector<Command> accepted_or_refused;
  for (int i = 0; i < commands_per_seed; ++i) {
    Command command = generator.next(ledger);
    const Digest head_before = ledger.chain_head();
    const auto length_before = ledger.last_sequence();
    auto result = ledger.execute(command);
    accepted_or_refused.push_back(command);
    if (!result.is_ok() || result.value().replayed) {
      REQUIRE(ledger.chain_head() == head_before);  // a refusal or a retry writes nothing
      REQUIRE(ledger.last_sequence() == length_before);
    } else {
      const auto& entry = ledger.pending().back();
      Money sum;
      for (const auto& posting : entry.postings) sum += posting.amount;
      REQUIRE(sum.is_zero());
      REQUIRE(entry.previous_hash == head_before);
      // What the store writes is the record the ledger encoded when it hashed the entry: the
      // entry's canonical encoding, byte for byte.
      REQUIRE(ledger.pending_records().size() == ledger.pending().size());
      REQUIRE(ledger.pending_records().back() == encode_entry_record(entry));
    }
    check_invariants(ledger);
  }
  check_pending_accounts(ledger);
  return accepted_or_refused;
}

}  // namespace

TEST_CASE("property: random commands keep every invariant, and replay is byte-identical") {
  for (std::uint64_t seed : {1u, 2u, 3u, 42u, 2013u}) {
    INFO("seed " << seed);
    Ledger ledger;
    const auto commands = run_seed(seed, ledger);
    REQUIRE(ledger.last_sequence() > commands_per_seed / 3);  // the generator is not all refusals

    Ledger replayed;
    for (const auto& command : commands) (void)replayed.execute(command);
    REQUIRE(replayed.chain_head() == ledger.chain_head());
    REQUIRE(replayed.pending().size() == ledger.pending().size());
    for (std::size_t i = 0; i < ledger.pending().size(); ++i) {
      REQUIRE(encode_entry_record(replayed.pending()[i]) ==
              encode_entry_record(ledger.pending()[i]));
    }
  }
}

TEST_CASE("property: committing in random groups and reopening RocksDB gives the same state") {
  for (std::uint64_t seed : {5u, 6u, 7u}) {
    INFO("seed " << seed);
    TemporaryDirectory directory;
    Ledger ledger;
    CommandGenerator generator(seed);
    std::mt19937_64 group_sizes(seed);
    std::map<std::string, std::optional<KeyUse>> keys;  // as the writer saw them
    {
      auto store = RocksStore::open(directory.path(), {.read_only = false, .sync = false});
      REQUIRE(store.is_ok());
      std::vector<std::string> used;
      for (int i = 0; i < commands_per_seed; ++i) {
        const Command command = generator.next(ledger);
        (void)ledger.execute(command);
        used.push_back(command.idempotency_key);
        if (group_sizes() % 16 == 0) {
          check_pending_accounts(ledger);
          REQUIRE(commit_pending(*store.value(), ledger).is_ok());
        }
      }
      REQUIRE(commit_pending(*store.value(), ledger).is_ok());
      REQUIRE(ledger.pending().empty());
      for (const auto& key : used) keys[key] = ledger.find_key(key).value();
    }
    auto reopened = RocksStore::open(directory.path(), {.read_only = true});
    REQUIRE(reopened.is_ok());
    auto loaded = load_ledger(*reopened.value());
    REQUIRE(loaded.is_ok());
    CHECK(loaded.value().chain_head() == ledger.chain_head());
    CHECK(loaded.value().last_sequence() == ledger.last_sequence());
    REQUIRE(loaded.value().accounts().size() == ledger.accounts().size());
    for (const auto& [id, state] : ledger.accounts())
      CHECK(loaded.value().find_account(id)->balance == state.balance);
    for (const auto& [key, use] : keys) CHECK(loaded.value().find_key(key).value() == use);
  }
}
