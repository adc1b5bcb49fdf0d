// Property and scale tests of settlement: random but valid years settle with every
// invariant holding; a retried close changes nothing; 300 members and 100,000 specific
// claims settle, and the result equals the sum of its parts.
#include <catch2/catch.hpp>
#include <random>

#include "tests/fund_fixtures.hpp"

using namespace backstop;
using namespace backstop::testing;

namespace {

const std::string admin = "admin:alice";

std::string member_id(int i) {
  std::string id = std::to_string(i);
  return "M" + std::string(3 - std::min<std::size_t>(3, id.size()), '0') + id;
}

// One random year for `members` members: allocations, contributions, some specific claims
// and final returns between -10% and +10% of allocation. Returns the close result.
json::object random_year(FundDriver& driver, std::mt19937_64& random, std::uint32_t year,
                         int members, int claims) {
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 0));
  driver.ok(
      admin,
      {{"type", "create_year"},
       {"year", year},
       {"parameters",
        {{"reserve_target", Money::from_pence(Int128(random() % 5'000'000'000ULL)).to_string()},
         {"review_sample", "0"},
         {"manual_review_above", "5000000.00"}}}});
  std::vector<Money> allocations;
  for (int i = 0; i < members; ++i) {
    allocations.push_back(Money::from_pence(Int128(20'000 + random() % 600'000) * 120'000));
    driver.ok(admin, {{"type", "set_allocation"},
                      {"year", year},
                      {"member", member_id(i)},
                      {"allocation", allocations.back().to_string()}});
  }
  driver.ok(admin, {{"type", "open_year"}, {"year", year}});
  json::array rows;
  for (int i = 0; i < members; ++i) {
    const Money contribution =
        multiply(allocations[static_cast<std::size_t>(i)],
                 Rate::from_ppm(5'000 + static_cast<std::int64_t>(random() % 10'000)).value());
    rows.push_back({{"member", member_id(i)}, {"contribution", contribution.to_string()}});
  }
  driver.ok(admin, {{"type", "apply_rate_schedule"}, {"year", year}, {"rows", rows}});
  for (int i = 0; i < members; ++i) {
    const Money owed = driver.balance_of("member:" + member_id(i) + ":receivable");
    if (owed > Money())
      driver.ok(admin, {{"type", "record_receipt"},
                        {"year", year},
                        {"member", member_id(i)},
                        {"amount", owed.to_string()}});
  }
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 10));
  for (int c = 0; c < claims; ++c) {
    const std::string member =
        member_id(static_cast<int>(random() % static_cast<std::uint64_t>(members)));
    const Money cost = Money::from_pence(Int128(20'000'000 + random() % 150'000'000));
    driver.ok("member:" + member, {{"type", "file_specific_claim"},
                                   {"year", year},
                                   {"member", member},
                                   {"patient", "p" + std::to_string(c)},
                                   {"episode", "e"},
                                   {"kind", "final"},
                                   {"cumulative_cost", cost.to_string()},
                                   {"evidence", true}});
  }
  // Claims selected for manual review (by variance) are decided, two administrators above the
  // limit.
  for (int i = 0; i < members; ++i)
    decide_reviewed_claims(driver, member_id(i), year, [] { return false; });
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 370));
  for (int i = 0; i < members; ++i)
    file_final_return(driver, random, year, member_id(i), allocations[static_cast<std::size_t>(i)]);
  driver.time_unix_s = std::max(driver.time_unix_s, day_of_year(year, 500));
  driver.ok(admin, {{"type", "begin_closing"}, {"year", year}});
  return driver.ok(admin, {{"type", "close_year"}, {"year", year}});
}

Money figure(const json::object& object, const char* name) {
  const auto* value = object.if_contains(name);
  return value == nullptr ? Money() : Money::parse(value->as_string()).value();
}

}  // namespace

TEST_CASE(
    "property: random valid years settle with every invariant, and a retried close changes "
    "nothing") {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    INFO("seed " << seed);
    std::mt19937_64 random(seed);
    FundDriver driver;
    const int members = 5 + static_cast<int>(random() % 16);
    for (int i = 0; i < members; ++i) {
      driver.ok(admin, {{"type", "register_member"},
                        {"member", member_id(i)},
                        {"name", "Consortium " + std::to_string(i)},
                        {"population", 100'000}});
    }
    for (std::uint32_t year = 2023; year < 2026; ++year) {
      const auto closed = random_year(driver, random, year, members, 20);
      const auto& totals = closed.at("totals").as_object();
      const Money income = figure(totals, "contributions") + figure(totals, "calls") +
                           figure(totals, "gain-shares") + figure(totals, "surrendered-gains") +
                           figure(totals, "recoveries-deferred");
      const Money expense = figure(totals, "specific-recoveries") +
                            figure(totals, "aggregate-shares") + figure(totals, "rebates") +
                            figure(totals, "deferred-paid");
      REQUIRE(income - expense ==
              figure(totals, "reserve_closing") - figure(totals, "reserve_opening"));
      REQUIRE(figure(totals, "reserve_closing") >= Money());
      // Every year account is closed into the reserve.
      for (const auto& [id, state] : driver.fund.ledger().accounts()) {
        if (id.starts_with("fund:" + std::to_string(year) + ":")) REQUIRE(state.balance.is_zero());
      }
      // The settlement parts add up to the fund totals.
      Money shares, calls, rebates;
      for (int i = 0; i < members; ++i) {
        const auto settlement = js(driver.fund.member_statement(member_id(i), year))
                                    .value()
                                    .at("settlement")
                                    .as_object();
        shares += figure(settlement, "fund_share");
        calls += figure(settlement, "supplementary_call");
        rebates += figure(settlement, "rebate");
      }
      REQUIRE(shares == figure(totals, "aggregate-shares") - figure(totals, "gain-shares"));
      REQUIRE(calls == figure(totals, "calls"));
      REQUIRE(rebates == figure(totals, "rebates"));

      // A retried close (same key) returns the same result and writes nothing.
      const Digest head = driver.fund.ledger().chain_head();
      const std::string key = "k" + std::to_string(driver.next_key - 1);
      auto retry = driver.execute(admin, {{"type", "close_year"}, {"year", year}}, key);
      REQUIRE(retry.is_ok());
      CHECK(retry.value().replayed);
      CHECK(driver.fund.ledger().chain_head() == head);
      CHECK(driver.refused(admin, {{"type", "close_year"}, {"year", year}}).code() ==
            ErrorCode::constraint);
    }
    driver.check_replay(2025);
  }
}

TEST_CASE(
    "scale: 300 members and 100,000 specific claims settle, and the result is the sum of its "
    "parts") {
  std::mt19937_64 random(300);
  FundDriver driver;
  constexpr int members = 300;
  constexpr int claims = 100'000;
  for (int i = 0; i < members; ++i) {
    driver.ok(admin, {{"type", "register_member"},
                      {"member", member_id(i)},
                      {"name", "Consortium " + std::to_string(i)},
                      {"population", 100'000}});
  }
  const auto closed = random_year(driver, random, 2023, members, claims);
  const auto& totals = closed.at("totals").as_object();
  // The specific recoveries are the sum of every claim's approved liability.
  Money approved;
  Money statements_recoveries;
  for (int i = 0; i < members; ++i) {
    const auto statement = js(driver.fund.member_statement(member_id(i), 2023)).value();
    statements_recoveries += figure(statement.at("settlement").as_object(), "specific_recoveries");
    for (const auto& claim : statement.at("claims").as_array())
      approved += figure(claim.as_object(), "approved");
  }
  CHECK(approved == figure(totals, "specific-recoveries"));
  CHECK(statements_recoveries == approved);
  CHECK(driver.fund.ledger().trial_balance().is_zero());
}
