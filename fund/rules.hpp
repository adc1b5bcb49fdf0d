// The fund's formulas (fund-rules.md, rules 2, 5, 6, 9 and 10) as pure functions on
// exact money. Each rounds once, half-to-even, where the rule says; docs/rules.md works
// an example of each by hand and tests/fund_rules_test.cpp reproduces them.
#pragma once

#include <string_view>
#include <vector>

#include "ledger/money.hpp"

namespace backstop {

// Rule 2: a fund year's parameters, with the rulebook's defaults.
struct YearParameters {
  Money specific_threshold = Money::from_pence(25'000'000);  // £250,000
  Rate specific_share = Rate::parse("0.9").value();
  Money specific_cap = Money::from_pence(200'000'000);  // £2,000,000
  Rate corridor_b1 = Rate::parse("0.02").value();
  Rate corridor_b2 = Rate::parse("0.05").value();
  Rate loss_share_f2 = Rate::parse("0.5").value();
  Rate loss_share_f3 = Rate::parse("0.8").value();
  Rate gain_share_g2 = Rate::parse("0.5").value();
  Rate gain_share_g3 = Rate::parse("0.8").value();
  Rate aggregate_cap = Rate::parse("0.25").value();
  Rate gain_carry_cap = Rate::parse("0.02").value();
  int loss_repay_years = 3;
  Rate loan_limit = Rate::parse("0.03").value();
  int loan_term_years = 3;
  int specific_deadline_days = 90;
  int aggregate_deadline_days = 120;
  Money reserve_target;  // priced by the actuary
  Rate rebate_margin = Rate::parse("0.1").value();
  Rate max_call = Rate::parse("0.5").value();
  Money four_eyes_above = Money::from_pence(100'000'000);  // £1,000,000
  // Not in rule 2's table (docs/fund.md): claims above this go to manual review, and a
  // seeded sample of this share of the rest.
  Money manual_review_above = Money::from_pence(50'000'000);  // £500,000
  Rate review_sample = Rate::parse("0.05").value();

  bool operator==(const YearParameters&) const = default;
};

// Checks the relations the formulas rely on (0 <= b1 <= b2, shares in [0, 1], ...).
Status check_parameters(const YearParameters& parameters);

// Rule 5: the fund's liability for one patient whose cumulative adjudicated annual cost
// is `cumulative_cost`: min(cap, share * max(0, K - T)), rounded to the penny.
Money specific_liability(const Money& cumulative_cost, const YearParameters& parameters);

// Rule 6: the fund's share F of a member's net unplanned variance D against allocation A,
// band by band; negative when the fund receives a share of a gain. Positive F is capped.
Money corridor_share(const Money& variance, const Money& allocation,
                     const YearParameters& parameters);

// Rule 6: D = (S - P - V - R) - A'.
struct VarianceInputs {
  Money adjusted_allocation;  // A' = A + credits carried in - instalments due this year
  Money spend;                // S
  Money planned;              // P, up to the approved loan
  Money avoidable;            // V
  Money specific_recoveries;  // R, before any rule-10 scaling
};
Money net_unplanned_variance(const VarianceInputs& inputs);

// Rules 7 and 9: `amount` in `count` equal instalments, the last taking the rounding.
std::vector<Money> instalments(const Money& amount, int count);

// Rule 9: what a member's retained result D - F becomes.
struct CarryForward {
  std::vector<Money> loss_instalments;  // debts, one per following year (positive amounts)
  Money gain_credit;                    // credit to next year's A'
  Money gain_surrendered;               // gain above the carry cap, to the fund
};
CarryForward carry_forward(const Money& retained, const Money& allocation,
                           const YearParameters& parameters);

// Rule 10 steps 3 and 4, given the year's figures in member-id order.
struct SettlementMember {
  Money contribution;            // C
  Money year_recoveries_unpaid;  // the year's own approved recoveries not yet paid:
                                 // specific claims of the year and its positive F
};
struct SettlementResult {
  Money reserve_before;         // opening reserve + the year's result, before calls
  std::vector<Money> calls;     // supplementary calls, each at most max_call * C
  std::vector<Money> deferred;  // the year's recoveries cut now and owed later
  std::vector<Money> rebates;   // rebates above reserve_target * (1 + margin)
  Money reserve_after;          // what the fund carries into next year (negative: a deficit)
};
Result<SettlementResult> settle_reserve(const Money& reserve_before,
                                        const std::vector<SettlementMember>& members,
                                        const YearParameters& parameters);

// Rule 10.3(a): raises up to `shortfall` pro rata to the contributions themselves (largest
// remainder, ties to the lower index); a part above its cap (max_call * C, rounded) is
// capped and the excess split again among the others, until raised or all are capped.
std::vector<Money> split_calls(const Money& shortfall, const std::vector<Money>& contributions,
                               const Rate& max_call);

// Rule 5: a valid NHS number (10 digits passing the modulus-11 check), however separated by
// spaces, '-', '.' or '_' (other characters are refused by the codec's plain character set).
bool is_valid_nhs_number(std::string_view text);

}  // namespace backstop
