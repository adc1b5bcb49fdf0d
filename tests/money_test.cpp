// Money and Rate at the edges: parsing, printing, rounding ties, overflow, pro-rata splits.
#include "ledger/money.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

using namespace backstop;

namespace {
Money pounds(const char* text) { return Money::parse(text).value(); }
Money pence(long long value) { return Money::from_pence(value); }
Rate rate(const char* text) { return Rate::parse(text).value(); }
}  // namespace

TEST_CASE("money: parses pounds in the forms people write") {
  CHECK(pounds("1234.56").pence() == 123456);
  CHECK(pounds("£1,234.56").pence() == 123456);
  CHECK(pounds("-£1,234.56").pence() == -123456);
  CHECK(pounds("-12.3").pence() == -1230);
  CHECK(pounds("7").pence() == 700);
  CHECK(pounds("0.01").pence() == 1);
  CHECK(pounds("1,000,000").pence() == 100000000);
}

TEST_CASE("money: refuses malformed amounts rather than guessing") {
  for (const char* bad : {"", "-", "£", "1.234", "12,34", "1,2345", ",123", "1.", ".5", "abc",
                          "1e5", "--1", "1 000", "+1", "£-1", "1,000,00"}) {
    INFO(bad);
    auto parsed = Money::parse(bad);
    REQUIRE_FALSE(parsed.is_ok());
    CHECK(parsed.status().code() == ErrorCode::invalid_argument);
  }
  auto too_long = Money::parse("12345678901234567890123456789012345678");
  REQUIRE_FALSE(too_long.is_ok());
  CHECK(too_long.status().code() == ErrorCode::overflow);
}

TEST_CASE("money: prints plain and for people, round-tripping") {
  CHECK(pence(123456).to_string() == "1234.56");
  CHECK(pence(-1).to_string() == "-0.01");
  CHECK(pence(0).to_string() == "0.00");
  CHECK(pence(123456789).to_display() == "£1,234,567.89");
  CHECK(pence(-100).to_display() == "-£1.00");
  CHECK(pence(99999).to_display() == "£999.99");
  CHECK(pence(100000).to_display() == "£1,000.00");
  std::mt19937_64 random(7);
  for (int i = 0; i < 2000; ++i) {
    const Money amount = pence(static_cast<long long>(random() >> 8) - (1LL << 54));
    CHECK(pounds(amount.to_string().c_str()) == amount);
    CHECK(pounds(amount.to_display().c_str()) == amount);
  }
}

TEST_CASE("money: whole pence strings round-trip and refuse junk") {
  CHECK(Money::from_pence_string("-123").value() == pence(-123));
  CHECK_FALSE(Money::from_pence_string("").has_value());
  CHECK_FALSE(Money::from_pence_string("-").has_value());
  CHECK_FALSE(Money::from_pence_string("1.5").has_value());
}

TEST_CASE("money: the pence string is exactly the multiprecision one either side of 64 bits") {
  // The journal and the stored balances are written through pence_string(); their bytes must
  // be what pence().str() wrote before it.
  const Int128 low(std::numeric_limits<std::int64_t>::min());
  const Int128 high(std::numeric_limits<std::int64_t>::max());
  std::vector<Int128> values = {0, 1, -1, 9, -10, 123456, -123456, low, high, low - 1, high + 1};
  values.push_back(Money::from_pence_string(std::string(36, '9')).value().pence());
  values.push_back(Money::from_pence_string("-" + std::string(36, '9')).value().pence());
  std::mt19937_64 random(2013);
  for (int i = 0; i < 1000; ++i) values.push_back(static_cast<std::int64_t>(random()));
  for (const Int128& value : values) {
    INFO(value.str());
    CHECK(Money::from_pence(value).pence_string() == value.str());
  }
}

TEST_CASE("rate: exact to six places, never rounded on input") {
  CHECK(rate("0.9").ppm() == 900000);
  CHECK(rate("0.025").ppm() == 25000);
  CHECK(rate("1").ppm() == 1000000);
  CHECK(rate("0.000001").ppm() == 1);
  CHECK(rate("-0.5").ppm() == -500000);
  CHECK(rate("0.025").to_string() == "0.025");
  CHECK(rate("2").to_string() == "2");
  CHECK_FALSE(Rate::parse("0.0000001").is_ok());
  CHECK_FALSE(Rate::parse("1,000").is_ok());
  CHECK(Rate::parse("1000001").status().code() == ErrorCode::overflow);
}

TEST_CASE("rounding: half-to-even at exact ties, both signs") {
  CHECK(divide_half_even(5, 2) == 2);    // 2.5 -> 2
  CHECK(divide_half_even(7, 2) == 4);    // 3.5 -> 4
  CHECK(divide_half_even(-5, 2) == -2);  // -2.5 -> -2
  CHECK(divide_half_even(-7, 2) == -4);  // -3.5 -> -4
  CHECK(divide_half_even(5, -2) == -2);
  CHECK(divide_half_even(26, 10) == 3);  // 2.6 -> 3
  CHECK(divide_half_even(24, 10) == 2);  // 2.4 -> 2
  CHECK(divide_half_even(-26, 10) == -3);
  CHECK_THROWS_AS(divide_half_even(1, 0), std::domain_error);
}

TEST_CASE("rounding: multiply by a rate rounds once, half-to-even, to the penny") {
  CHECK(multiply(pence(5), rate("0.5")) == pence(2));     // 2.5p -> 2p
  CHECK(multiply(pence(15), rate("0.5")) == pence(8));    // 7.5p -> 8p
  CHECK(multiply(pence(-15), rate("0.5")) == pence(-8));  // -7.5p -> -8p
  CHECK(multiply(pounds("1000000"), rate("0.9")) == pounds("900000"));
  CHECK(multiply(pence(1), rate("0.499999")) == pence(0));
  CHECK(multiply(pence(1), rate("0.500001")) == pence(1));
  CHECK(multiply_ratio(pence(100), 1, 3) == pence(33));
  CHECK(multiply_ratio(pence(200), 1, 3) == pence(67));
}

TEST_CASE("money: overflow is an error, never a wrap") {
  const Money huge = Money::from_pence(std::numeric_limits<Int128>::max());
  CHECK_THROWS_AS(huge + pence(1), std::overflow_error);
  CHECK_THROWS_AS(-huge - pence(2), std::overflow_error);
  CHECK_THROWS_AS(multiply(huge, rate("2")), std::overflow_error);
  CHECK(huge - pence(1) < huge);
}

TEST_CASE("split: 1p among three goes to the first (ties to the lower key)") {
  auto parts = split_pro_rata(pence(1), {1, 1, 1}).value();
  REQUIRE(parts.size() == 3);
  CHECK(parts[0] == pence(1));
  CHECK(parts[1] == pence(0));
  CHECK(parts[2] == pence(0));
  auto two = split_pro_rata(pence(2), {1, 1, 1}).value();
  CHECK(two[0] == pence(1));
  CHECK(two[1] == pence(1));
  CHECK(two[2] == pence(0));
}

TEST_CASE("split: largest remainder wins before key order") {
  // 10p by 1:2:2 -> exact 2, 4, 4; 11p -> 2.2, 4.4, 4.4: the extra penny to the lower of the 0.4
  // ties.
  auto parts = split_pro_rata(pence(11), {1, 2, 2}).value();
  CHECK(parts[0] == pence(2));
  CHECK(parts[1] == pence(5));
  CHECK(parts[2] == pence(4));
  auto negative = split_pro_rata(pence(-11), {1, 2, 2}).value();
  CHECK(negative[0] == pence(-2));
  CHECK(negative[1] == pence(-5));
  CHECK(negative[2] == pence(-4));
}

TEST_CASE("split: large sums among 300 members always add up to the penny") {
  std::mt19937_64 random(300);
  for (int round = 0; round < 200; ++round) {
    std::vector<Int128> weights;
    for (int member = 0; member < 300; ++member)
      weights.push_back(Int128(random() % 60'000'000'000ULL));
    weights[0] += 1;  // never all zero
    const Money whole = Money::from_pence(Int128(random()) * 1'000'003 - Int128(random()));
    auto parts = split_pro_rata(whole, weights).value();
    REQUIRE(parts.size() == 300);
    Money total;
    for (const auto& part : parts) total += part;
    CHECK(total == whole);
  }
}

TEST_CASE("split: refuses what cannot be split") {
  CHECK_FALSE(split_pro_rata(pence(1), {}).is_ok());
  CHECK_FALSE(split_pro_rata(pence(1), {0, 0}).is_ok());
  CHECK_FALSE(split_pro_rata(pence(1), {1, -1}).is_ok());
}

namespace backstop {
namespace {
// A random decimal: up to 40 whole digits, maybe a fraction of up to 7 digits, maybe negative.
std::string random_decimal(std::mt19937_64& random) {
  std::uniform_int_distribution<int> digit(0, 9), whole_digits(1, 40), fraction_digits(0, 7);
  std::string text = random() % 2 ? "-" : "";
  for (int i = whole_digits(random); i > 0; --i) text += static_cast<char>('0' + digit(random));
  if (const int places = fraction_digits(random); places > 0) {
    text += '.';
    for (int i = 0; i < places; ++i) text += static_cast<char>('0' + digit(random));
  }
  return text;
}

template <typename Parse>
auto no_throw(Parse parse) {
  try {
    return parse();
  } catch (const std::exception& error) {
    FAIL("parsing threw: " << error.what());
    throw;
  }
}
}  // namespace

TEST_CASE("property: parsing never throws, and what parses prints to text that parses back") {
  std::mt19937_64 random(20261123);
  int money_parsed = 0, rates_parsed = 0;
  for (int i = 0; i < 20'000; ++i) {
    const std::string text = random_decimal(random);
    INFO(text);
    const auto money = no_throw([&] { return Money::parse(text); });
    if (money.is_ok()) {
      ++money_parsed;
      const auto again = Money::parse(money.value().to_string());
      REQUIRE(again.is_ok());
      CHECK(again.value() == money.value());
    }
    const auto rate = no_throw([&] { return Rate::parse(text); });
    if (rate.is_ok()) {
      ++rates_parsed;
      const auto again = Rate::parse(rate.value().to_string());
      REQUIRE(again.is_ok());
      CHECK(again.value() == rate.value());
    }
  }
  CHECK(money_parsed > 1000);  // the property is not vacuous
  CHECK(rates_parsed > 100);
}

TEST_CASE("money and rate: the longest inputs are refused, never thrown or wrapped") {
  CHECK_FALSE(Rate::parse(std::string(33, '9')).is_ok());
  const std::string digits35(35, '9');
  CHECK_FALSE(Money::parse(digits35 + ".5").is_ok());  // 37 digits once in pence
  const auto longest = Money::parse(std::string(34, '9') + ".99");
  REQUIRE(longest.is_ok());
  CHECK(Money::parse(longest.value().to_string()).is_ok());
}
}  // namespace backstop
