// The fund's formulas, reproducing every worked example of docs/rules.md exactly.
#include <catch2/catch.hpp>
#include <random>

#include "fund/rules.hpp"

using namespace backstop;

namespace {
Money pounds(const char* text) { return Money::parse(text).value(); }
const YearParameters defaults;
}  // namespace

TEST_CASE("rules.md 2: the default parameters are valid and broken ones are refused") {
  CHECK(check_parameters(defaults).is_ok());
  YearParameters bands = defaults;
  bands.corridor_b1 = Rate::parse("0.06").value();
  CHECK_FALSE(check_parameters(bands).is_ok());
  YearParameters share = defaults;
  share.loss_share_f3 = Rate::parse("1.2").value();
  CHECK_FALSE(check_parameters(share).is_ok());
  YearParameters years = defaults;
  years.loss_repay_years = 0;
  CHECK_FALSE(check_parameters(years).is_ok());
}

TEST_CASE(
    "rules.md 5.1: specific liability is 90% above £250,000, capped at £2m, rounded half-even") {
  CHECK(specific_liability(pounds("610000"), defaults) == pounds("324000"));
  CHECK(specific_liability(pounds("250000"), defaults) == Money());
  CHECK(specific_liability(pounds("100000"), defaults) == Money());
  CHECK(specific_liability(pounds("250000.01"), defaults) == pounds("0.01"));  // 0.9p -> 1p
  CHECK(specific_liability(pounds("250000.05"), defaults) == pounds("0.04"));  // 4.5p -> 4p (even)
  CHECK(specific_liability(pounds("250000.15"), defaults) ==
        pounds("0.14"));  // 13.5p -> 14p (even)
  CHECK(specific_liability(pounds("2600000"), defaults) == pounds("2000000"));  // capped
}

TEST_CASE("rules.md 5.2: interim, final and revised claims pay the difference") {
  const Money interim = specific_liability(pounds("400000"), defaults);
  const Money final_claim = specific_liability(pounds("610000"), defaults);
  const Money revised = specific_liability(pounds("500000"), defaults);
  CHECK(interim == pounds("135000"));
  CHECK(final_claim - interim == pounds("189000"));
  CHECK(revised - final_claim == pounds("-99000"));  // an overpayment to recover
}

TEST_CASE("rules.md 5.3: NHS numbers are recognised by the modulus-11 check") {
  CHECK(is_valid_nhs_number("9434765919"));
  CHECK(is_valid_nhs_number("943 476 5919"));
  CHECK(is_valid_nhs_number("4010232137"));
  CHECK_FALSE(is_valid_nhs_number("9434765918"));  // wrong check digit
  CHECK_FALSE(is_valid_nhs_number("943476591"));   // nine digits
  CHECK_FALSE(is_valid_nhs_number("p-7f3a9c"));    // a pseudonym
  CHECK_FALSE(is_valid_nhs_number("1000000010"));  // check digit would be 10: never valid
}

TEST_CASE("rules.md 6.1: an overspend beyond b2 shares 50% between b1 and b2 and 80% beyond") {
  const Money allocation = pounds("300000000");
  CHECK(corridor_share(pounds("20000000"), allocation, defaults) == pounds("8500000"));
  CHECK(corridor_share(pounds("10000000"), allocation, defaults) == pounds("2000000"));
  CHECK(corridor_share(pounds("6000000"), allocation, defaults) == Money());
  CHECK(corridor_share(pounds("5000000"), allocation, defaults) == Money());
  CHECK(corridor_share(Money(), allocation, defaults) == Money());
}

TEST_CASE("rules.md 6.2: an underspend shares its gain with the fund, symmetrically") {
  const Money allocation = pounds("300000000");
  CHECK(corridor_share(pounds("-12000000"), allocation, defaults) == pounds("-3000000"));
  CHECK(corridor_share(pounds("-20000000"), allocation, defaults) == pounds("-8500000"));
}

TEST_CASE("rules.md 6.3: the fund's share is capped at 25% of allocation") {
  CHECK(corridor_share(pounds("4000000"), pounds("10000000"), defaults) == pounds("2500000"));
}

TEST_CASE("rules.md 6.4: the share is rounded once, half-to-even, at the end") {
  CHECK(corridor_share(pounds("3000000"), pounds("123456789.01"), defaults) == pounds("265432.11"));
}

TEST_CASE(
    "rules.md 6.5: D takes planned, avoidable and specific recoveries out of spend against A'") {
  const Money variance =
      net_unplanned_variance({pounds("301000000"), pounds("330000000"), pounds("4000000"),
                              pounds("1000000"), pounds("500000")});
  CHECK(variance == pounds("23500000"));
  CHECK(corridor_share(variance, pounds("300000000"), defaults) == pounds("11300000"));
}

TEST_CASE(
    "rules.md 9.1: a retained loss is repaid in three instalments, the last taking the rounding") {
  const auto parts =
      carry_forward(pounds("11500000"), pounds("300000000"), defaults).loss_instalments;
  REQUIRE(parts.size() == 3);
  CHECK(parts[0] == pounds("3833333.33"));
  CHECK(parts[1] == pounds("3833333.33"));
  CHECK(parts[2] == pounds("3833333.34"));
  const auto small = instalments(pounds("100"), 3);
  CHECK(small[2] == pounds("33.34"));
}

TEST_CASE("rules.md 9.2: a retained gain is carried up to 2% of allocation, the rest surrendered") {
  const auto carried = carry_forward(pounds("-9000000"), pounds("300000000"), defaults);
  CHECK(carried.loss_instalments.empty());
  CHECK(carried.gain_credit == pounds("6000000"));
  CHECK(carried.gain_surrendered == pounds("3000000"));
  const auto small = carry_forward(pounds("-1000000"), pounds("300000000"), defaults);
  CHECK(small.gain_credit == pounds("1000000"));
  CHECK(small.gain_surrendered == Money());
}

TEST_CASE(
    "rules.md 10.1: a deficit is met by capped calls, then by deferring recoveries pro rata") {
  const std::vector<SettlementMember> members = {{pounds("3000000"), pounds("2000000")},
                                                 {pounds("1000000"), Money()},
                                                 {pounds("1000000"), pounds("1000000")}};
  YearParameters p = defaults;
  p.reserve_target = pounds("10000000");
  const auto settled = settle_reserve(pounds("-4000000"), members, p).value();
  CHECK(settled.calls == std::vector<Money>{pounds("1500000"), pounds("500000"), pounds("500000")});
  CHECK(settled.deferred == std::vector<Money>{pounds("1000000"), Money(), pounds("500000")});
  CHECK(settled.rebates == std::vector<Money>{Money(), Money(), Money()});
  CHECK(settled.reserve_after == Money());
}

TEST_CASE("rules.md 10.2: a small deficit is called pro rata, below the caps") {
  const std::vector<SettlementMember> members = {
      {pounds("3000000"), Money()}, {pounds("1000000"), Money()}, {pounds("1000000"), Money()}};
  const auto settled = settle_reserve(pounds("-1000000"), members, defaults).value();
  CHECK(settled.calls == std::vector<Money>{pounds("600000"), pounds("200000"), pounds("200000")});
  CHECK(settled.reserve_after == Money());
}

TEST_CASE(
    "rules.md 10.3: a surplus above target * (1 + margin) is rebated pro rata to contributions") {
  const std::vector<SettlementMember> members = {
      {pounds("3000000"), Money()}, {pounds("1000000"), Money()}, {pounds("1000000"), Money()}};
  YearParameters p = defaults;
  p.reserve_target = pounds("10000000");
  const auto settled = settle_reserve(pounds("13000000"), members, p).value();
  CHECK(settled.rebates ==
        std::vector<Money>{pounds("1200000"), pounds("400000"), pounds("400000")});
  CHECK(settled.reserve_after == pounds("11000000"));
  // £1.00 over three equal contributions: 34p to the lowest member id.
  const std::vector<SettlementMember> equal = {
      {pounds("1"), Money()}, {pounds("1"), Money()}, {pounds("1"), Money()}};
  const auto penny = settle_reserve(pounds("11000001.00"), equal, p).value();
  CHECK(penny.rebates == std::vector<Money>{pounds("0.34"), pounds("0.33"), pounds("0.33")});
}

TEST_CASE("rules.md 10.4: calls are split on the contributions themselves, not on rounded caps") {
  const std::vector<Money> contributions = {pounds("1000000.00"), pounds("1000000.01")};
  CHECK(split_calls(pounds("0.01"), contributions, defaults.max_call) ==
        std::vector<Money>{Money(), pounds("0.01")});
}

TEST_CASE("rules.md 10.5: a part above its cap pays the cap, the excess split among the others") {
  // Contributions 100, 100, 800 with max_call 0.5 (caps 50, 50, 400); £600 to raise.
  // Pro rata: 60, 60, 480; the first two pay 50 each, the third 400 (its cap) — all capped.
  const std::vector<Money> contributions = {pounds("100"), pounds("100"), pounds("800")};
  CHECK(split_calls(pounds("600"), contributions, defaults.max_call) ==
        std::vector<Money>{pounds("50"), pounds("50"), pounds("400")});
  // £300: 30, 30, 240, all below their caps.
  CHECK(split_calls(pounds("300"), contributions, defaults.max_call) ==
        std::vector<Money>{pounds("30"), pounds("30"), pounds("240")});
  // Contributions 800, 100, 100 and max_call 0.1 (caps 80, 10, 10); £90: 72, 9, 9.
  YearParameters p = defaults;
  p.max_call = Rate::parse("0.1").value();
  const std::vector<Money> reversed = {pounds("800"), pounds("100"), pounds("100")};
  CHECK(split_calls(pounds("90"), reversed, p.max_call) ==
        std::vector<Money>{pounds("72"), pounds("9"), pounds("9")});
  // Caps 80, 10, 10 and £95: 76, 9.50, 9.50; then none is capped: 76, 9.50, 9.50.
  CHECK(split_calls(pounds("95"), reversed, p.max_call) ==
        std::vector<Money>{pounds("76"), pounds("9.50"), pounds("9.50")});
  // Pennies: caps of 5p, 5p, 10p at max_call 0.5 round to 2p, 2p, 5p. 10p splits 3, 2, 5 (the
  // tied penny to the lower id), 3p is above its cap: it pays 2p and the penny goes to the
  // others, where the second is now above its cap too. All pay their caps: 9p raised.
  const std::vector<Money> pennies = {pounds("0.05"), pounds("0.05"), pounds("0.10")};
  CHECK(split_calls(pounds("0.10"), pennies, defaults.max_call) ==
        std::vector<Money>{pounds("0.02"), pounds("0.02"), pounds("0.05")});
  // 1p and 3p at max_call 0.5 (caps 0p and 2p): 2p splits 1, 1 (tie to the lower id); the
  // first is above its cap of 0 and its penny goes to the second.
  const std::vector<Money> tiny = {pounds("0.01"), pounds("0.03")};
  CHECK(split_calls(pounds("0.02"), tiny, defaults.max_call) ==
        std::vector<Money>{Money(), pounds("0.02")});
}

TEST_CASE("property: settlement always adds up to the penny") {
  std::mt19937_64 random(10);
  for (int round = 0; round < 500; ++round) {
    std::vector<SettlementMember> members(1 + random() % 300);
    for (auto& member : members) {
      member.contribution = Money::from_pence(Int128(random() % 1'000'000'000));
      member.year_recoveries_unpaid = Money::from_pence(Int128(random() % 300'000'000));
    }
    YearParameters p = defaults;
    p.reserve_target = Money::from_pence(Int128(random() % 100'000'000'000ULL));
    const Money before =
        Money::from_pence(Int128(random() % 200'000'000'000ULL) - 100'000'000'000LL);
    const auto settled = settle_reserve(before, members, p).value();
    Money moved;
    for (std::size_t i = 0; i < members.size(); ++i) {
      REQUIRE(settled.calls[i] <= multiply(members[i].contribution, p.max_call));
      REQUIRE(settled.deferred[i] <= members[i].year_recoveries_unpaid);
      REQUIRE(settled.rebates[i] >= Money());
      moved += settled.calls[i] + settled.deferred[i] - settled.rebates[i];
    }
    REQUIRE(settled.reserve_after == before + moved);
    if (before >= Money()) REQUIRE(moved <= Money());
    // 10.3(a): the calls raise the whole shortfall, or every member pays its cap.
    Money called, caps;
    for (std::size_t i = 0; i < members.size(); ++i) {
      called += settled.calls[i];
      caps += multiply(members[i].contribution, p.max_call);
    }
    const Money shortfall = before < Money() ? -before : Money();
    REQUIRE(called == (shortfall < caps ? shortfall : caps));
  }
}

TEST_CASE("property: the corridor is monotone and never exceeds its cap") {
  std::mt19937_64 random(6);
  const Money allocation = pounds("250000000");
  const Money cap = multiply(allocation, defaults.aggregate_cap);
  Money previous_share = corridor_share(pounds("-300000000"), allocation, defaults);
  for (Int128 variance = -30'000'000'000; variance <= 30'000'000'000;
       variance += 1 + Int128(random() % 50'000'000)) {
    const Money share = corridor_share(Money::from_pence(variance), allocation, defaults);
    REQUIRE(share >= previous_share);
    REQUIRE(share <= cap);
    if (variance <= allocation.pence() / 50) REQUIRE(share <= Money());  // nothing shared inside b1
    previous_share = share;
  }
}
