// Money and Rate: exact amounts and exact decimal rates, with the fund's rounding rules
// (fund-rules.md, rule 1). Arithmetic that would overflow throws std::overflow_error;
// the ledger turns that into ErrorCode::overflow before it crosses a module boundary.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.hpp"

namespace backstop {

using Int128 = boost::multiprecision::checked_int128_t;

// An exact rate with six decimal places, held as parts per million.
class Rate {
 public:
  static constexpr std::int64_t scale_ppm = 1'000'000;
  static constexpr std::int64_t max_abs_ppm = 1'000'000'000'000;  // rates up to 1,000,000

  static Result<Rate> from_ppm(std::int64_t ppm);
  // "0.9", "0.025", "1", "-0.5": at most six decimal places, never rounded silently.
  static Result<Rate> parse(std::string_view text);

  std::int64_t ppm() const { return ppm_; }
  std::string to_string() const;  // shortest exact decimal: "0.9", "0.025", "1"
  auto operator<=>(const Rate&) const = default;

 private:
  explicit Rate(std::int64_t ppm) : ppm_(ppm) {}
  std::int64_t ppm_ = 0;
};

// An amount of GBP in whole pence.
class Money {
 public:
  Money() = default;
  static Money from_pence(Int128 pence) { return Money(pence); }
  // "£1,234.56", "1234.56", "-12.3", "1234", "-£0.01". Commas must group thousands;
  // at most two decimal places (an amount is never rounded silently on input).
  static Result<Money> parse(std::string_view text);

  // Whole pence as written by pence().str(): "-123456". nullopt if malformed.
  static std::optional<Money> from_pence_string(std::string_view text);

  const Int128& pence() const { return pence_; }
  // The pence as a decimal, exactly as pence().str() writes it ("-123456"), but without
  // multiprecision arithmetic for the amounts that fit 64 bits: the journal's encoding and the
  // stored balances write one per posting and per touched account.
  std::string pence_string() const;
  bool is_zero() const { return pence_ == 0; }
  bool is_negative() const { return pence_ < 0; }

  std::string to_string() const;   // plain decimal, for files and APIs: "-1234.56"
  std::string to_display() const;  // for people: "-£1,234.56"

  Money operator-() const { return Money(-pence_); }
  Money operator+(const Money& other) const { return Money(pence_ + other.pence_); }
  Money operator-(const Money& other) const { return Money(pence_ - other.pence_); }
  Money& operator+=(const Money& other) {
    pence_ += other.pence_;
    return *this;
  }
  Money& operator-=(const Money& other) {
    pence_ -= other.pence_;
    return *this;
  }
  bool operator==(const Money& other) const { return pence_ == other.pence_; }
  std::strong_ordering operator<=>(const Money& other) const {
    return pence_ < other.pence_   ? std::strong_ordering::less
           : pence_ > other.pence_ ? std::strong_ordering::greater
                                   : std::strong_ordering::equal;
  }

 private:
  explicit Money(Int128 pence) : pence_(pence) {}
  Int128 pence_ = 0;
};

// numerator / denominator rounded half-to-even; denominator must not be zero.
Int128 divide_half_even(const Int128& numerator, const Int128& denominator);

// amount * rate, rounded once, half-to-even, to the penny.
Money multiply(const Money& amount, const Rate& rate);
// amount * numerator / denominator, rounded once, half-to-even, to the penny.
Money multiply_ratio(const Money& amount, const Int128& numerator, const Int128& denominator);

// Splits `whole` into parts proportional to `weights` by the largest-remainder method:
// the parts always add up to `whole` exactly. Ties in remainder go to the lower index,
// so callers pass weights in key order (e.g. by member id) for "ties to the lower key".
// Weights must be non-negative with a positive sum.
Result<std::vector<Money>> split_pro_rata(const Money& whole, const std::vector<Int128>& weights);

}  // namespace backstop
