// Checkpoints: a restart from one gives the same fund as replaying the whole journal, and a
// damaged, foreign or forged one is refused (or, if it looks sound, caught by verify) and
// never changes what the fund says.
#include <catch2/catch.hpp>
#include <random>

#include "fund/sequencer.hpp"
#include "ledger/encoding.hpp"
#include "tests/fund_fixtures.hpp"
#include "tests/ledger_fixtures.hpp"
#include "tests/store_tamper.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

const std::string admin = "admin:alice";
constexpr std::size_t checkpoint_header = 4 + 1 + 8 + 32 + 32;  // magic, version, seq, head, sha

std::string member_id(int i) { return "M" + std::to_string(100 + i); }

// A year with claims, decisions, payments and a close, driven through the API's JSON.
void run_year(FundDriver& driver, std::mt19937_64& random, std::uint32_t year, int members) {
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 0));
  driver.ok(admin, {{"type", "create_year"},
                    {"year", year},
                    {"parameters", {{"review_sample", "0"}, {"manual_review_above", "900000"}}}});
  std::vector<Money> allocations;
  for (int i = 0; i < members; ++i) {
    allocations.push_back(Money::from_pence(Int128(50'000'000 + random() % 900'000) * 10'000));
    driver.ok(admin, {{"type", "set_allocation"},
                      {"year", year},
                      {"member", member_id(i)},
                      {"allocation", allocations.back().to_string()}});
  }
  driver.ok(admin, {{"type", "open_year"}, {"year", year}});
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 30));
  for (int c = 0; c < 3 * members; ++c) {
    const std::string member = member_id(static_cast<int>(random() % members));
    const Money cost = Money::from_pence(Int128(500'000 + random() % 2'000'000) * 100);
    driver.ok("member:" + member, {{"type", "file_specific_claim"},
                                   {"year", year},
                                   {"member", member},
                                   {"patient", "P" + std::to_string(c)},
                                   {"episode", "E1"},
                                   {"kind", "final"},
                                   {"cumulative_cost", cost.to_string()},
                                   {"evidence", true}});
    driver.time_unix_s += 3'600;
  }
  // Claims in manual review are decided, by two administrators above the four-eyes limit.
  for (int i = 0; i < members; ++i)
    decide_reviewed_claims(driver, member_id(i), year, [&] { return random() % 4 == 0; });
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 370));
  for (int i = 0; i < members; ++i)
    file_final_return(driver, random, year, member_id(i), allocations[static_cast<std::size_t>(i)]);
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 500));
  driver.ok(admin, {{"type", "begin_closing"}, {"year", year}});
  driver.ok(admin, {{"type", "close_year"}, {"year", year}});
}

// Everything the fund says, as a client reads it: reports, warnings, pending claims and every
// statement of every year, and every balance.
std::string everything(const Fund& fund, int members, std::uint32_t last_year) {
  std::string out;
  auto add = [&](const Result<json::object>& view) {
    out += view.is_ok() ? json::serialize(view.value()) : view.status().to_string();
    out += "\n";
  };
  for (std::uint32_t year = 2023; year <= last_year; ++year) {
    add(js(fund.fund_report(year)));
    add(js(fund.early_warnings(year)));
    add(js(fund.pending_claims(year)));
    for (int i = 0; i < members; ++i) add(js(fund.member_statement(member_id(i), year)));
  }
  for (const auto& [id, state] : fund.ledger().accounts())
    out += id + " " + state.balance.to_string() + "\n";
  return out + to_hex(fund.ledger().chain_head());
}

FundDriver& registered(FundDriver& driver, int members) {
  for (int i = 0; i < members; ++i) {
    driver.ok(admin, {{"type", "register_member"},
                      {"member", member_id(i)},
                      {"name", "Consortium " + std::to_string(i)},
                      {"population", 100'000}});
  }
  return driver;
}

std::string stored_checkpoint(const Store& store) {
  auto bytes = store.read_side("checkpoint");
  REQUIRE(bytes.is_ok());
  REQUIRE(bytes.value().has_value());
  return *bytes.value();
}

void put_checkpoint(Store& store, std::string bytes) {
  const SideRecord record{"checkpoint", std::move(bytes)};
  REQUIRE(store.write_side(std::span(&record, 1)).is_ok());
}

}  // namespace

TEST_CASE("property: a restart from a checkpoint gives the same fund as a full replay") {
  for (std::uint64_t seed : {11u, 12u, 13u}) {
    INFO("seed " << seed);
    std::mt19937_64 random(seed);
    FundDriver driver;
    driver.checkpoint_one_in = 3 + static_cast<int>(random() % 10);
    driver.checkpoint_random.seed(seed);
    const int members = 3 + static_cast<int>(random() % 6);
    registered(driver, members);
    for (std::uint32_t year = 2023; year < 2026; ++year) {
      run_year(driver, random, year, members);
      LoadReport from_checkpoint, in_full;
      auto restarted = load_fund(driver.store, {}, &from_checkpoint);
      // Verify's full replay also compares the checkpoint's bytes with the state the replay
      // reached at the checkpoint's sequence, and every stored receipt result.
      auto replayed =
          load_fund(driver.store, {.from_checkpoint = false, .check_side_records = true}, &in_full);
      if (!restarted.is_ok()) FAIL(restarted.status().to_string());
      if (!replayed.is_ok()) FAIL(replayed.status().to_string());
      REQUIRE(from_checkpoint.checkpoint_refused.empty());
      REQUIRE(from_checkpoint.checkpoint_sequence > 0);
      CHECK(from_checkpoint.checkpoint_sequence + from_checkpoint.replayed ==
            driver.fund.ledger().last_sequence());
      CHECK(in_full.replayed == driver.fund.ledger().last_sequence());
      const std::string expected = everything(driver.fund, members, year);
      CHECK(everything(restarted.value(), members, year) == expected);
      CHECK(everything(replayed.value(), members, year) == expected);
    }
  }
}

TEST_CASE("checkpoint: a retry after a restart from a checkpoint returns the original receipt") {
  std::mt19937_64 random(5);
  FundDriver driver;
  registered(driver, 3);
  run_year(driver, random, 2023, 3);
  REQUIRE(driver.fund.write_checkpoint(driver.store).is_ok());
  auto restarted = load_fund(driver.store);
  REQUIRE(restarted.is_ok());
  // The first claim filed: look its key up from the journal, then retry it as its member.
  Result<JournalEntry> first_claim = Status::error(ErrorCode::not_found, "none");
  for (std::uint64_t sequence = 1; sequence <= driver.fund.ledger().last_sequence(); ++sequence) {
    auto entry = driver.fund.ledger().entry(sequence);
    REQUIRE(entry.is_ok());
    if (entry.value().event_type == "file_specific_claim") {
      first_claim = entry;
      break;
    }
  }
  REQUIRE(first_claim.is_ok());
  const JournalEntry& original = first_claim.value();
  auto command = decode_journal_payload(original.event_payload);
  REQUIRE(command.is_ok());
  const FundRequest retry{original.idempotency_key, original.time_unix_s + 99,
                          *Actor::parse(original.metadata.actor), command.value()};
  auto again = restarted.value().execute(retry);
  auto before = driver.fund.execute(retry);
  REQUIRE(again.is_ok());
  REQUIRE(before.is_ok());
  CHECK(again.value().replayed);
  CHECK(again.value().sequence == original.sequence);
  CHECK(json::serialize(to_json(again.value().result)) ==
        json::serialize(to_json(before.value().result)));
  CHECK(json::serialize(to_json(again.value().result)).find("\"claim\"") != std::string::npos);
}

TEST_CASE("checkpoint: a damaged, stale, foreign or forged checkpoint never changes the fund") {
  std::mt19937_64 random(9);
  FundDriver driver;
  registered(driver, 4);
  run_year(driver, random, 2023, 4);
  REQUIRE(driver.fund.write_checkpoint(driver.store).is_ok());
  const std::string sound = stored_checkpoint(driver.store);
  const std::uint64_t checkpointed = driver.fund.ledger().last_sequence();
  run_year(driver, random, 2024, 4);  // the checkpoint is now stale: a tail to replay
  const std::string expected = everything(driver.fund, 4, 2024);
  auto load = [&](LoadReport& report) {
    auto fund = load_fund(driver.store, {}, &report);
    if (!fund.is_ok()) FAIL(fund.status().to_string());
    CHECK(everything(fund.value(), 4, 2024) == expected);
  };
  auto verify = [&] {
    return load_fund(driver.store, {.from_checkpoint = false, .check_side_records = true});
  };

  LoadReport stale;
  load(stale);
  CHECK(stale.checkpoint_sequence == checkpointed);
  CHECK(stale.replayed == driver.fund.ledger().last_sequence() - checkpointed);
  REQUIRE(verify().is_ok());

  for (std::size_t at :
       {std::size_t{20}, checkpoint_header + 3, sound.size() / 2, sound.size() - 1}) {
    INFO("byte " << at << " flipped");
    std::string damaged = sound;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    put_checkpoint(driver.store, damaged);
    LoadReport report;
    load(report);
    CHECK(report.checkpoint_sequence == 0);
    CHECK_FALSE(report.checkpoint_refused.empty());
    CHECK_FALSE(verify().is_ok());
  }
  put_checkpoint(driver.store, sound.substr(0, sound.size() / 3));
  LoadReport truncated;
  load(truncated);
  CHECK(truncated.checkpoint_refused.find("damaged") != std::string::npos);

  // Sound in itself, but of another fund's history.
  FundDriver other;
  std::mt19937_64 other_random(10);
  registered(other, 4);
  run_year(other, other_random, 2023, 4);
  REQUIRE(other.fund.write_checkpoint(other.store).is_ok());
  put_checkpoint(driver.store, stored_checkpoint(other.store));
  LoadReport foreign;
  load(foreign);
  CHECK(foreign.checkpoint_refused.find("does not match the journal") != std::string::npos);

  // Forged: a changed state with its digest recomputed. Loading cannot tell without a replay;
  // verify's full replay does.
  std::string forged = sound;
  forged[forged.size() - 40] = static_cast<char>(forged[forged.size() - 40] ^ 0x01);
  const Digest digest = sha256(std::string_view(forged).substr(checkpoint_header));
  std::copy(digest.begin(), digest.end(), forged.begin() + 45);
  put_checkpoint(driver.store, forged);
  auto verified = verify();
  REQUIRE_FALSE(verified.is_ok());
  CHECK(verified.status().message().find("checkpoint") != std::string::npos);
}

TEST_CASE("checkpoint: a tampered receipt result is caught by verify") {
  std::mt19937_64 random(3);
  FundDriver driver;
  registered(driver, 3);
  run_year(driver, random, 2023, 3);
  const std::string key = "result/" + encode_sequence_key(5);  // hash, then the result
  auto stored = driver.store.read_side(key);
  REQUIRE(stored.is_ok());
  REQUIRE(stored.value().has_value());
  std::string changed = *stored.value();
  changed.back() = static_cast<char>(changed.back() ^ 0x01);
  const SideRecord record{key, changed};
  REQUIRE(driver.store.write_side(std::span(&record, 1)).is_ok());
  auto verified = load_fund(driver.store, {.from_checkpoint = false, .check_side_records = true});
  REQUIRE_FALSE(verified.is_ok());
  CHECK(verified.status().message().find("transaction 5") != std::string::npos);
}

namespace {

// A RocksDB store holding three registrations (keys k1..k3), written as `fund run` writes.
void three_members(const std::string& directory) {
  auto store = RocksStore::open(directory, {.read_only = false, .sync = false});
  REQUIRE(store.is_ok());
  auto fund = open_fund(*store.value());
  REQUIRE(fund.is_ok());
  Sequencer sequencer(*store.value(), fund.value(), 0);
  std::vector<FundRequest> requests;
  for (int i = 1; i <= 3; ++i) {
    requests.push_back({"k" + std::to_string(i), 1'700'000'000 + i, *Actor::parse(admin),
                        RegisterMember{member_id(i), "Consortium", 100'000}});
  }
  REQUIRE(sequencer.run(requests, {}).is_ok());
  REQUIRE(sequencer.checkpoint().is_ok());
}

Result<FundReceipt> retry_third(const std::string& directory) {
  auto store = RocksStore::open(directory, {.read_only = false, .sync = false});
  REQUIRE(store.is_ok());
  auto fund = open_fund(*store.value());
  if (!fund.is_ok()) return fund.status();
  return fund.value().execute({"k3", 1'700'000'100, *Actor::parse(admin),
                               RegisterMember{member_id(3), "Consortium", 100'000}});
}

}  // namespace

TEST_CASE("checkpoint: an idempotency record moved to another entry is caught, not answered") {
  TemporaryDirectory directory;
  three_members(directory.path());
  REQUIRE(retry_third(directory.path()).value().sequence == 3);
  // k3's record now names transaction 2 (same payload digest): a retry must not be told "2".
  tamper(directory.path(), "idempotency", "k3",
         [](std::string& value) { value.replace(32, 8, encode_sequence_key(2)); });
  auto retried = retry_third(directory.path());
  REQUIRE_FALSE(retried.is_ok());
  CHECK(retried.status().code() == ErrorCode::corruption);
}

TEST_CASE("checkpoint: a receipt result copied from another entry is refused on retry") {
  TemporaryDirectory directory;
  three_members(directory.path());
  std::string second;
  tamper(directory.path(), "default", "side:result/" + encode_sequence_key(2),
         [&](std::string& value) { second = value; });
  tamper(directory.path(), "default", "side:result/" + encode_sequence_key(3),
         [&](std::string& value) { value = second; });
  auto retried = retry_third(directory.path());
  REQUIRE_FALSE(retried.is_ok());
  CHECK(retried.status().code() == ErrorCode::corruption);
}
