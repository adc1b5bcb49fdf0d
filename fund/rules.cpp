#include "fund/rules.hpp"

#include <algorithm>

namespace backstop {
namespace {

const Int128 ppm = Rate::scale_ppm;

Money min_money(const Money& a, const Money& b) { return a < b ? a : b; }

bool is_share(const Rate& rate) { return rate.ppm() >= 0 && rate.ppm() <= Rate::scale_ppm; }

Int128 clamp128(const Int128& value, const Int128& low, const Int128& high) {
  return value < low ? low : (value > high ? high : value);
}

// The banded share of a positive excess `excess` (pence) over bands b1 < b2 of `allocation`,
// in units of pence * 10^12, so that rounding happens once, at the end.
Int128 banded_share_scaled(const Money& excess, const Money& allocation, const YearParameters& p,
                           const Rate& share2, const Rate& share3) {
  const Int128 excess_scaled = excess.pence() * ppm;
  const Int128 band1_end = allocation.pence() * p.corridor_b1.ppm();
  const Int128 band2_end = allocation.pence() * p.corridor_b2.ppm();
  const Int128 in_band2 = clamp128(excess_scaled - band1_end, 0, band2_end - band1_end);
  const Int128 beyond_band2 = std::max(Int128(0), excess_scaled - band2_end);
  return in_band2 * share2.ppm() + beyond_band2 * share3.ppm();
}

}  // namespace

Status check_parameters(const YearParameters& p) {
  auto invalid = [](const std::string& what) {
    return Status::error(ErrorCode::invalid_argument, what);
  };
  for (const auto& [name, rate] : {std::pair{"specific_share", p.specific_share},
                                   {"loss_share f2", p.loss_share_f2},
                                   {"loss_share f3", p.loss_share_f3},
                                   {"gain_share g2", p.gain_share_g2},
                                   {"gain_share g3", p.gain_share_g3},
                                   {"aggregate_cap", p.aggregate_cap},
                                   {"gain_carry_cap", p.gain_carry_cap},
                                   {"loan_limit", p.loan_limit},
                                   {"max_call", p.max_call},
                                   {"corridor b1", p.corridor_b1},
                                   {"corridor b2", p.corridor_b2},
                                   {"review_sample", p.review_sample}}) {
    if (!is_share(rate)) return invalid(std::string(name) + " must be between 0 and 1");
  }
  if (p.corridor_b1 > p.corridor_b2) return invalid("corridor b1 must not exceed b2");
  if (p.rebate_margin.ppm() < 0) return invalid("rebate_margin must not be negative");
  if (p.specific_threshold.is_negative() || p.specific_cap.is_negative() ||
      p.reserve_target.is_negative() || p.four_eyes_above.is_negative() ||
      p.manual_review_above.is_negative()) {
    return invalid("thresholds, caps and targets must not be negative");
  }
  if (p.loss_repay_years < 1 || p.loss_repay_years > 10)
    return invalid("loss_repay_years must be 1 to 10");
  if (p.loan_term_years < 1 || p.loan_term_years > 10)
    return invalid("loan_term_years must be 1 to 10");
  if (p.specific_deadline_days < 0 || p.specific_deadline_days > 730 ||
      p.aggregate_deadline_days < 0 || p.aggregate_deadline_days > 730) {
    return invalid("claim deadlines must be 0 to 730 days");
  }
  return Status::ok();
}

Money specific_liability(const Money& cumulative_cost, const YearParameters& p) {
  const Money excess = cumulative_cost - p.specific_threshold;
  if (!(excess > Money())) return Money();
  return min_money(p.specific_cap, multiply(excess, p.specific_share));
}

Money corridor_share(const Money& variance, const Money& allocation, const YearParameters& p) {
  assert(allocation > Money());
  static const Int128 scale = ppm * ppm;
  if (variance > Money()) {
    const Money share = Money::from_pence(divide_half_even(
        banded_share_scaled(variance, allocation, p, p.loss_share_f2, p.loss_share_f3), scale));
    return min_money(share, multiply(allocation, p.aggregate_cap));
  }
  if (variance < Money()) {
    return -Money::from_pence(divide_half_even(
        banded_share_scaled(-variance, allocation, p, p.gain_share_g2, p.gain_share_g3), scale));
  }
  return Money();
}

Money net_unplanned_variance(const VarianceInputs& in) {
  return (in.spend - in.planned - in.avoidable - in.specific_recoveries) - in.adjusted_allocation;
}

std::vector<Money> instalments(const Money& amount, int count) {
  assert(count >= 1);
  const Money each = Money::from_pence(divide_half_even(amount.pence(), count));
  std::vector<Money> out(static_cast<std::size_t>(count), each);
  out.back() = amount - multiply_ratio(each, count - 1, 1);
  return out;
}

CarryForward carry_forward(const Money& retained, const Money& allocation,
                           const YearParameters& p) {
  CarryForward out;
  if (retained > Money()) {
    out.loss_instalments = instalments(retained, p.loss_repay_years);
  } else if (retained < Money()) {
    const Money gain = -retained;
    out.gain_credit = min_money(gain, multiply(allocation, p.gain_carry_cap));
    out.gain_surrendered = gain - out.gain_credit;
  }
  return out;
}

std::vector<Money> split_calls(const Money& shortfall, const std::vector<Money>& contributions,
                               const Rate& max_call) {
  std::vector<Money> called(contributions.size());
  std::vector<Money> caps;
  std::vector<std::size_t> open;  // members not yet at their cap
  for (std::size_t i = 0; i < contributions.size(); ++i) {
    caps.push_back(multiply(contributions[i], max_call));
    if (caps.back() > Money()) open.push_back(i);
  }
  Money remaining = shortfall;
  // Each round either raises all that remains or caps at least one more member.
  while (remaining > Money() && !open.empty()) {
    std::vector<Int128> weights;
    for (std::size_t i : open) weights.push_back(contributions[i].pence());
    const std::vector<Money> parts = split_pro_rata(remaining, weights).value();
    remaining = Money();
    std::vector<std::size_t> still_open;
    for (std::size_t k = 0; k < open.size(); ++k) {
      const std::size_t i = open[k];
      const Money wanted = called[i] + parts[k];
      if (wanted >= caps[i]) {
        remaining += wanted - caps[i];
        called[i] = caps[i];
      } else {
        called[i] = wanted;
        still_open.push_back(i);
      }
    }
    open = std::move(still_open);
  }
  for (std::size_t i = 0; i < called.size(); ++i) assert(called[i] <= caps[i]);
  return called;
}

Result<SettlementResult> settle_reserve(const Money& reserve_before,
                                        const std::vector<SettlementMember>& members,
                                        const YearParameters& p) {
  SettlementResult out;
  out.reserve_before = reserve_before;
  out.calls.assign(members.size(), Money());
  out.deferred.assign(members.size(), Money());
  out.rebates.assign(members.size(), Money());
  std::vector<Money> contributions;
  std::vector<Int128> contribution_weights, unpaid_weights;
  Money contributions_total, unpaid_total;
  for (const auto& member : members) {
    if (member.contribution.is_negative() || member.year_recoveries_unpaid.is_negative()) {
      return Status::error(ErrorCode::invalid_argument,
                           "contributions and unpaid recoveries must not be negative");
    }
    contributions.push_back(member.contribution);
    contribution_weights.push_back(member.contribution.pence());
    unpaid_weights.push_back(member.year_recoveries_unpaid.pence());
    contributions_total += member.contribution;
    unpaid_total += member.year_recoveries_unpaid;
  }
  Money reserve = reserve_before;
  if (reserve < Money()) {
    out.calls = split_calls(-reserve, contributions, p.max_call);  // (a)
    for (const auto& call : out.calls) reserve += call;
  }
  if (reserve < Money()) {  // (b): what is cut now is owed to the member later
    const Money cut = min_money(-reserve, unpaid_total);
    if (cut > Money()) out.deferred = split_pro_rata(cut, unpaid_weights).value();
    reserve += cut;
  }
  // (c): a shortfall that remains leaves the reserve negative.
  // 4: everything above target * (1 + margin), that amount rounded once.
  const Int128 above_scaled =
      reserve.pence() * ppm - p.reserve_target.pence() * (ppm + p.rebate_margin.ppm());
  const Money rebate =
      above_scaled > 0 ? Money::from_pence(divide_half_even(above_scaled, ppm)) : Money();
  if (rebate > Money() && contributions_total > Money()) {
    out.rebates = split_pro_rata(rebate, contribution_weights).value();
    reserve -= rebate;
  }
  out.reserve_after = reserve;
  return out;
}

bool is_valid_nhs_number(std::string_view text) {
  std::string digits;
  for (char c : text) {
    if (c >= '0' && c <= '9')
      digits += c;
    else if (c != ' ' && c != '-' && c != '.' && c != '_')
      return false;
  }
  if (digits.size() != 10) return false;
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (digits[static_cast<std::size_t>(i)] - '0') * (10 - i);
  int check = 11 - sum % 11;
  if (check == 11) check = 0;
  if (check == 10) return false;
  return check == digits[9] - '0';
}

}  // namespace backstop
