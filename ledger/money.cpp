#include "ledger/money.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace backstop {
namespace {

constexpr std::string_view pound_sign = "\xC2\xA3";  // "£" in UTF-8
constexpr std::size_t digits_max = 36;               // keeps every parse far from Int128's range

bool is_digit(char c) { return c >= '0' && c <= '9'; }

enum class Parsed { ok, malformed, too_long };

// Parses "[-][£]digits[,ddd]*[.fraction]" into an integer scaled by 10^fraction_places.
Parsed parse_decimal(std::string_view text, int fraction_places, bool allow_pound, Int128& scaled) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (allow_pound && text.starts_with(pound_sign)) text.remove_prefix(pound_sign.size());
  if (text.empty()) return Parsed::malformed;

  std::string_view whole = text;
  std::string_view fraction;
  if (auto dot = text.find('.'); dot != std::string_view::npos) {
    whole = text.substr(0, dot);
    fraction = text.substr(dot + 1);
    if (fraction.empty() || static_cast<int>(fraction.size()) > fraction_places)
      return Parsed::malformed;
    if (!std::all_of(fraction.begin(), fraction.end(), is_digit)) return Parsed::malformed;
  }
  if (whole.empty()) return Parsed::malformed;

  // Thousands separators, if any, must group exactly three digits.
  std::string digits;
  if (whole.find(',') != std::string_view::npos) {
    std::size_t group_start = 0;
    bool first = true;
    while (true) {
      auto comma = whole.find(',', group_start);
      auto group = whole.substr(group_start,
                                comma == std::string_view::npos ? whole.npos : comma - group_start);
      if (group.empty() || group.size() > 3 || (!first && group.size() != 3))
        return Parsed::malformed;
      digits += group;
      first = false;
      if (comma == std::string_view::npos) break;
      group_start = comma + 1;
    }
  } else {
    digits = whole;
  }
  if (!std::all_of(digits.begin(), digits.end(), is_digit)) return Parsed::malformed;
  // Counted once scaled, so that whatever parses prints to text that parses back.
  if (digits.size() + static_cast<std::size_t>(fraction_places) > digits_max)
    return Parsed::too_long;

  Int128 value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  for (int i = 0; i < fraction_places; ++i) {
    value *= 10;
    if (i < static_cast<int>(fraction.size())) value += fraction[static_cast<std::size_t>(i)] - '0';
  }
  scaled = negative ? Int128(-value) : value;
  return Parsed::ok;
}

std::string group_thousands(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

Int128 abs128(const Int128& value) { return value < 0 ? Int128(-value) : value; }

}  // namespace

Result<Rate> Rate::from_ppm(std::int64_t ppm) {
  if (ppm > max_abs_ppm || ppm < -max_abs_ppm)
    return Status::error(ErrorCode::overflow, "rate out of range");
  return Rate(ppm);
}

Result<Rate> Rate::parse(std::string_view text) {
  Int128 scaled;
  const Parsed parsed = text.find(',') != std::string_view::npos
                            ? Parsed::malformed
                            : parse_decimal(text, 6, false, scaled);
  if (parsed == Parsed::malformed) {
    return Status::error(ErrorCode::invalid_argument,
                         "not a rate with at most six decimal places: '" + std::string(text) + "'");
  }
  if (parsed == Parsed::too_long || abs128(scaled) > max_abs_ppm)
    return Status::error(ErrorCode::overflow, "rate out of range");
  return Rate(static_cast<std::int64_t>(scaled));
}

std::string Rate::to_string() const {
  const std::int64_t magnitude = ppm_ < 0 ? -ppm_ : ppm_;
  std::string out = (ppm_ < 0 ? "-" : "") + std::to_string(magnitude / scale_ppm);
  std::string fraction = std::to_string(magnitude % scale_ppm);
  fraction.insert(0, 6 - fraction.size(), '0');
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

Result<Money> Money::parse(std::string_view text) {
  Int128 pence;
  const Parsed parsed = parse_decimal(text, 2, true, pence);
  if (parsed == Parsed::too_long) {
    return Status::error(ErrorCode::overflow,
                         "amount out of range (at most 34 digits before the point)");
  }
  if (parsed == Parsed::malformed) {
    return Status::error(
        ErrorCode::invalid_argument,
        "not an amount of money (e.g. 1234.56 or £1,234.56): '" + std::string(text) + "'");
  }
  return Money(pence);
}

std::optional<Money> Money::from_pence_string(std::string_view text) {
  const bool negative = text.starts_with('-');
  if (negative) text.remove_prefix(1);
  if (text.empty() || text.size() > digits_max || !std::all_of(text.begin(), text.end(), is_digit))
    return std::nullopt;
  Int128 value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return Money(negative ? Int128(-value) : value);
}

std::string Money::pence_string() const {
  static const Int128 low(std::numeric_limits<std::int64_t>::min());
  static const Int128 high(std::numeric_limits<std::int64_t>::max());
  if (pence_ < low || pence_ > high) return pence_.str();
  char digits[24];
  const auto written =
      std::to_chars(digits, digits + sizeof digits, pence_.convert_to<std::int64_t>());
  return std::string(digits, written.ptr);
}

std::string Money::to_string() const {
  const Int128 magnitude = abs128(pence_);
  std::string fraction = (magnitude % 100).str();
  if (fraction.size() < 2) fraction.insert(0, "0");
  return (pence_ < 0 ? "-" : "") + (magnitude / 100).str() + "." + fraction;
}

std::string Money::to_display() const {
  const Int128 magnitude = abs128(pence_);
  std::string fraction = (magnitude % 100).str();
  if (fraction.size() < 2) fraction.insert(0, "0");
  return (pence_ < 0 ? "-" : "") + std::string(pound_sign) +
         group_thousands((magnitude / 100).str()) + "." + fraction;
}

Int128 divide_half_even(const Int128& numerator, const Int128& denominator) {
  if (denominator == 0) throw std::domain_error("division by zero");
  const bool negative = (numerator < 0) != (denominator < 0);
  const Int128 n = abs128(numerator);
  const Int128 d = abs128(denominator);
  Int128 quotient = n / d;
  const Int128 remainder = n % d;
  const Int128 twice = remainder * 2;
  if (twice > d || (twice == d && (quotient % 2) == 1)) quotient += 1;
  return negative ? Int128(-quotient) : quotient;
}

Money multiply(const Money& amount, const Rate& rate) {
  return Money::from_pence(divide_half_even(amount.pence() * rate.ppm(), Rate::scale_ppm));
}

Money multiply_ratio(const Money& amount, const Int128& numerator, const Int128& denominator) {
  return Money::from_pence(divide_half_even(amount.pence() * numerator, denominator));
}

Result<std::vector<Money>> split_pro_rata(const Money& whole, const std::vector<Int128>& weights) {
  if (weights.empty()) return Status::error(ErrorCode::invalid_argument, "nothing to split among");
  Int128 total = 0;
  for (const auto& weight : weights) {
    if (weight < 0)
      return Status::error(ErrorCode::invalid_argument, "a pro-rata weight is negative");
    total += weight;
  }
  if (total == 0) return Status::error(ErrorCode::invalid_argument, "pro-rata weights sum to zero");

  // Split the magnitude, then give the parts the sign of the whole.
  const Int128 magnitude = abs128(whole.pence());
  std::vector<Int128> parts(weights.size());
  std::vector<Int128> remainders(weights.size());
  Int128 allotted = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const Int128 product = magnitude * weights[i];
    parts[i] = product / total;
    remainders[i] = product % total;
    allotted += parts[i];
  }
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  Int128 left = magnitude - allotted;
  assert(left >= 0 && left < static_cast<Int128>(weights.size()));
  for (std::size_t i = 0; left > 0; ++i, left -= 1) parts[order[i]] += 1;

  std::vector<Money> out;
  out.reserve(parts.size());
  Int128 check = 0;
  for (const auto& part : parts) {
    out.push_back(Money::from_pence(whole.is_negative() ? Int128(-part) : part));
    check += out.back().pence();
  }
  assert(check == whole.pence());
  return out;
}

}  // namespace backstop
