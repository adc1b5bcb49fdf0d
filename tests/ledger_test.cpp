// The ledger state machine, example by example (rule 11).
#include <catch2/catch.hpp>

#include "ledger/encoding.hpp"
#include "ledger/store.hpp"
#include "tests/ledger_fixtures.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

Money pounds(const char* text) { return Money::parse(text).value(); }

// A ledger with cash (floored at zero), a reserve and a member receivable.
Ledger three_accounts() {
  Ledger ledger;
  REQUIRE(
      ledger.execute(open_account("open-cash", "fund:cash", AccountType::asset, Money())).is_ok());
  REQUIRE(
      ledger.execute(open_account("open-reserve", "fund:reserve", AccountType::equity)).is_ok());
  REQUIRE(ledger.execute(open_account("open-05A", "member:05A:receivable", AccountType::asset))
              .is_ok());
  return ledger;
}

}  // namespace

TEST_CASE("ledger: a balanced transfer moves money and chains to its predecessor") {
  Ledger ledger = three_accounts();
  const Digest head_before = ledger.chain_head();
  auto receipt = ledger.execute(transfer("t1", "fund:reserve", "fund:cash", pounds("100.00")));
  REQUIRE(receipt.is_ok());
  CHECK(receipt.value().sequence == 4);
  CHECK_FALSE(receipt.value().replayed);
  CHECK(ledger.find_account("fund:cash")->balance == pounds("100"));
  CHECK(ledger.find_account("fund:reserve")->balance == pounds("-100"));
  CHECK(ledger.find_account("fund:reserve")->normal_balance() == pounds("100"));
  CHECK(ledger.trial_balance().is_zero());
  CHECK(ledger.pending().back().previous_hash == head_before);
  CHECK(ledger.chain_head() == receipt.value().hash);
  CHECK(sha256(encode_entry_body(ledger.pending().back())) == receipt.value().hash);
}

TEST_CASE("ledger: the pending accounts are those the pending entries opened or posted to") {
  Ledger ledger = three_accounts();
  REQUIRE(ledger.execute(transfer("t1", "fund:reserve", "fund:cash", pounds("100.00"))).is_ok());
  REQUIRE(ledger.execute(transfer("t2", "fund:cash", "fund:reserve", pounds("1.00"))).is_ok());
  std::vector<std::string> ids;
  for (const AccountState* state : ledger.pending_accounts()) ids.push_back(state->account.id);
  // Each once, in the order first changed; the receivable was only opened.
  CHECK(ids == std::vector<std::string>{"fund:cash", "fund:reserve", "member:05A:receivable"});

  MemoryStore store;
  REQUIRE(commit_pending(store, ledger).is_ok());
  CHECK(ledger.pending_accounts().empty());
  REQUIRE(
      ledger.execute(transfer("t3", "fund:reserve", "member:05A:receivable", pounds("2"))).is_ok());
  REQUIRE(ledger.pending_accounts().size() == 2);
  CHECK(ledger.pending_accounts()[0]->account.id == "member:05A:receivable");
  CHECK(ledger.pending_accounts()[1]->account.id == "fund:reserve");
}

TEST_CASE("ledger: a copy has its own accounts, pending ones included") {
  Ledger original = three_accounts();
  Ledger copy = original;
  REQUIRE(copy.execute(transfer("t1", "fund:reserve", "fund:cash", pounds("5"))).is_ok());
  CHECK(copy.find_account("fund:cash")->balance == pounds("5"));
  CHECK(original.find_account("fund:cash")->balance.is_zero());
  REQUIRE(copy.pending_accounts().size() == 3);
  for (const AccountState* state : copy.pending_accounts())
    CHECK(copy.find_account(state->account.id) == state);
  original = copy;
  CHECK(original.find_account("fund:cash")->balance == pounds("5"));
  for (const AccountState* state : original.pending_accounts())
    CHECK(original.find_account(state->account.id) == state);
}

TEST_CASE("ledger: unbalanced postings are refused and change nothing") {
  Ledger ledger = three_accounts();
  const Digest head = ledger.chain_head();
  Command bad{"u1", 2, metadata_for("bad"),
              PostTransaction{{{"fund:cash", pounds("10")}, {"fund:reserve", pounds("-9.99")}}}};
  auto result = ledger.execute(bad);
  REQUIRE_FALSE(result.is_ok());
  CHECK(result.status().code() == ErrorCode::unbalanced);
  CHECK(ledger.chain_head() == head);
  CHECK(ledger.last_sequence() == 3);
  CHECK(ledger.find_account("fund:cash")->balance.is_zero());
  // The key was not consumed by the refusal: a corrected request may use it.
  CHECK(ledger.execute(transfer("u1", "fund:reserve", "fund:cash", pounds("10"))).is_ok());
}

TEST_CASE("ledger: malformed commands get invalid_argument") {
  Ledger ledger = three_accounts();
  std::vector<Command> bad = {
      transfer("", "fund:reserve", "fund:cash", pounds("1")),
      transfer("has space", "fund:reserve", "fund:cash", pounds("1")),
      transfer(std::string(129, 'k'), "fund:reserve", "fund:cash", pounds("1")),
      transfer("z", "fund:reserve", "fund:cash", Money()),
      Command{"one-leg", 2, metadata_for("x"), PostTransaction{{{"fund:cash", pounds("1")}}}},
      open_account("bad-id", "fund::x", AccountType::asset),
      open_account("bad-id2", ":x", AccountType::asset),
      open_account("bad-id3", "x y", AccountType::asset),
  };
  Command no_actor = transfer("no-actor", "fund:reserve", "fund:cash", pounds("1"));
  no_actor.metadata.actor = "";
  bad.push_back(no_actor);
  Command bad_year = transfer("bad-year", "fund:reserve", "fund:cash", pounds("1"));
  bad_year.metadata.fund_year = 1066;
  bad.push_back(bad_year);
  Command control = transfer("control", "fund:reserve", "fund:cash", pounds("1"));
  control.metadata.reason = "line\nbreak";
  bad.push_back(control);
  for (const auto& command : bad) {
    INFO(command.idempotency_key);
    auto result = ledger.execute(command);
    REQUIRE_FALSE(result.is_ok());
    CHECK(result.status().code() == ErrorCode::invalid_argument);
  }
  CHECK(ledger.last_sequence() == 3);
}

TEST_CASE("ledger: postings to unknown accounts are refused") {
  Ledger ledger = three_accounts();
  auto result = ledger.execute(transfer("x", "fund:nowhere", "fund:cash", pounds("1")));
  REQUIRE_FALSE(result.is_ok());
  CHECK(result.status().code() == ErrorCode::not_found);
}

TEST_CASE("ledger: an account may be opened once") {
  Ledger ledger = three_accounts();
  auto again = ledger.execute(open_account("open-cash-2", "fund:cash", AccountType::asset));
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().code() == ErrorCode::already_exists);
  CHECK_FALSE(
      ledger.execute(open_account("pos-floor", "fund:x", AccountType::asset, pounds("1"))).is_ok());
}

TEST_CASE("ledger: a floor stops a balance going below it, on the account's normal side") {
  Ledger ledger = three_accounts();
  REQUIRE(ledger.execute(transfer("fill", "fund:reserve", "fund:cash", pounds("50"))).is_ok());
  auto overdraw =
      ledger.execute(transfer("draw", "fund:cash", "member:05A:receivable", pounds("50.01")));
  REQUIRE_FALSE(overdraw.is_ok());
  CHECK(overdraw.status().code() == ErrorCode::constraint);
  CHECK(ledger.execute(transfer("draw-ok", "fund:cash", "member:05A:receivable", pounds("50.00")))
            .is_ok());
  CHECK(ledger.find_account("fund:cash")->balance.is_zero());

  // A liability floored at zero may not turn into a debit balance.
  REQUIRE(
      ledger
          .execute(open_account("open-payable", "fund:payable", AccountType::liability, Money(), 3))
          .is_ok());
  auto debit = ledger.execute(transfer("debit", "fund:reserve", "fund:payable", pounds("1"), 3));
  REQUIRE_FALSE(debit.is_ok());
  CHECK(debit.status().code() == ErrorCode::constraint);
}

TEST_CASE("idempotency: a retry returns the original receipt and writes nothing") {
  Ledger ledger = three_accounts();
  auto first = ledger.execute(transfer("pay-1", "fund:reserve", "fund:cash", pounds("5")));
  // The retry arrives later: time is not part of the payload.
  auto retry = ledger.execute(transfer("pay-1", "fund:reserve", "fund:cash", pounds("5"), 99));
  REQUIRE(retry.is_ok());
  CHECK(retry.value().replayed);
  CHECK(retry.value().sequence == first.value().sequence);
  CHECK(retry.value().hash == first.value().hash);
  CHECK(ledger.last_sequence() == 4);
  CHECK(ledger.find_account("fund:cash")->balance == pounds("5"));
}

TEST_CASE("idempotency: the same key with a different payload is refused") {
  Ledger ledger = three_accounts();
  REQUIRE(ledger.execute(transfer("pay-1", "fund:reserve", "fund:cash", pounds("5"))).is_ok());
  auto conflict = ledger.execute(transfer("pay-1", "fund:reserve", "fund:cash", pounds("6")));
  REQUIRE_FALSE(conflict.is_ok());
  CHECK(conflict.status().code() == ErrorCode::idempotency_conflict);
  CHECK(ledger.last_sequence() == 4);
}

TEST_CASE("reversal: mirrors the original, references it, and may happen once") {
  Ledger ledger = three_accounts();
  auto original =
      ledger.execute(transfer("pay", "fund:reserve", "member:05A:receivable", pounds("12.34")));
  auto undone = ledger.execute(reverse("undo", original.value().sequence));
  REQUIRE(undone.is_ok());
  const auto& entry = ledger.pending().back();
  REQUIRE(entry.reverses == original.value().sequence);
  CHECK(entry.postings[0].amount ==
        -ledger.entry(original.value().sequence).value().postings[0].amount);
  CHECK(ledger.find_account("member:05A:receivable")->balance.is_zero());
  CHECK(ledger.reversed_by(original.value().sequence) == undone.value().sequence);

  auto twice = ledger.execute(reverse("undo-again", original.value().sequence));
  REQUIRE_FALSE(twice.is_ok());
  CHECK(twice.status().code() == ErrorCode::already_reversed);
  CHECK_FALSE(ledger.execute(reverse("undo-undo", undone.value().sequence)).is_ok());
  CHECK_FALSE(ledger.execute(reverse("undo-open", 1)).is_ok());
  auto missing = ledger.execute(reverse("undo-missing", 999));
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().code() == ErrorCode::not_found);
}

TEST_CASE("ledger: time never goes backwards in the journal") {
  Ledger ledger = three_accounts();
  REQUIRE(ledger.execute(transfer("late", "fund:reserve", "fund:cash", pounds("1"), 100)).is_ok());
  auto early = ledger.execute(transfer("early", "fund:reserve", "fund:cash", pounds("1"), 99));
  REQUIRE_FALSE(early.is_ok());
  CHECK(early.status().code() == ErrorCode::invalid_argument);
}

TEST_CASE("ledger: an amount that overflows is an error, not a wrap") {
  Ledger ledger = three_accounts();
  const Money huge = Money::from_pence(std::numeric_limits<Int128>::max() - 1);
  REQUIRE(ledger.execute(transfer("huge", "fund:reserve", "member:05A:receivable", huge)).is_ok());
  auto more = ledger.execute(
      transfer("more", "fund:reserve", "member:05A:receivable", Money::from_pence(10)));
  REQUIRE_FALSE(more.is_ok());
  CHECK(more.status().code() == ErrorCode::overflow);
  CHECK(ledger.find_account("member:05A:receivable")->balance == huge);
}

TEST_CASE("encoding: a record decodes to the entry that was encoded") {
  Ledger ledger = three_accounts();
  Command with_references = transfer("refs", "fund:reserve", "fund:cash", pounds("3.21"));
  with_references.metadata.references = {"claim:S-1", "doc:42"};
  REQUIRE(ledger.execute(with_references).is_ok());
  for (const auto& entry : ledger.pending()) {
    auto decoded = decode_entry_record(encode_entry_record(entry));
    REQUIRE(decoded.is_ok());
    CHECK(encode_entry_record(decoded.value()) == encode_entry_record(entry));
    CHECK(decoded.value().metadata == entry.metadata);
  }
  std::string record = encode_entry_record(ledger.pending().back());
  CHECK_FALSE(decode_entry_record(record.substr(0, record.size() - 1)).is_ok());
  CHECK_FALSE(decode_entry_record(record + "x").is_ok());
}

TEST_CASE("store: loading replays the journal to the same state") {
  Ledger ledger = three_accounts();
  REQUIRE(ledger.execute(transfer("t", "fund:reserve", "fund:cash", pounds("7"))).is_ok());
  MemoryStore store;
  REQUIRE(commit_pending(store, ledger).is_ok());
  auto loaded = load_ledger(store);
  REQUIRE(loaded.is_ok());
  CHECK(loaded.value().chain_head() == ledger.chain_head());
  CHECK(loaded.value().find_account("fund:cash")->balance == pounds("7"));
}

TEST_CASE("event: records a domain event that opens accounts and posts to them, in one entry") {
  Ledger ledger = three_accounts();
  RecordEvent event{"register_member",
                    R"({"id":"07B"})",
                    {Account{"member:07B:payable", AccountType::liability, "07B", Money()}},
                    {{"fund:reserve", pounds("5")}, {"member:07B:payable", pounds("-5")}}};
  auto receipt = ledger.execute(Command{"ev-1", 5, metadata_for("event"), event});
  REQUIRE(receipt.is_ok());
  CHECK(ledger.find_account("member:07B:payable")->normal_balance() == pounds("5"));
  const auto& entry = ledger.pending().back();
  CHECK(entry.kind == EntryKind::event);
  CHECK(decode_entry_record(encode_entry_record(entry)).value().event_accounts ==
        entry.event_accounts);

  // The payload is the request: a retry with it is harmless, another payload under the key is
  // refused.
  CHECK(ledger.execute(Command{"ev-1", 6, metadata_for("event"), event}).value().replayed);
  RecordEvent other = event;
  other.payload = R"({"id":"08C"})";
  CHECK(ledger.execute(Command{"ev-1", 6, metadata_for("event"), other}).status().code() ==
        ErrorCode::idempotency_conflict);
  // Opening an account twice inside events is refused like any other.
  RecordEvent again{"register_member", R"({"id":"07B","again":true})", event.accounts, {}};
  CHECK(ledger.execute(Command{"ev-2", 6, metadata_for("event"), again}).status().code() ==
        ErrorCode::already_exists);
}
