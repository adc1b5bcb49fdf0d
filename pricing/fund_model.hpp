// The fund's model for pricing: each member's annual net cost to the fund under rules 5
// (specific layer) and 6 (the corridor), simulated jointly for all members with a common
// shock, the fund's risk measures, the reserve target, a multi-year solvency run, and
// contributions that add up to the fund's requirement (docs/actuarial-method.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace backstop::pricing {

struct MemberRisk {
  std::string id;
  double population = 0;
  double allocation = 0;
  bool special_measures = false;
  // Experience, optional: what the fund paid net for this member per head in past years
  // (recoveries and shares less gain shares), for the credibility adjustment.
  std::vector<double> fund_cost_per_head;
};

// The fund's rule terms the model prices under, in pounds and fractions of allocation:
// rules 5 (the specific layer), 6 (the corridor), 9 (the gain carry cap) and 10 (rebates
// and calls). There are no defaults here on purpose: the rulebook's are those of a fund
// year's parameters (fund/rules.hpp), which tools/ turns into these, so that the model
// cannot price under terms the fund does not apply.
struct RuleTerms {
  double specific_threshold = 0, specific_share = 0, specific_cap = 0;
  double b1 = 0, b2 = 0, f2 = 0, f3 = 0, g2 = 0, g3 = 0, aggregate_cap = 0, gain_carry_cap = 0;
  double rebate_margin = 0, max_call = 0;

  bool operator==(const RuleTerms&) const = default;
};

// Rule 5 for one patient whose cumulative annual cost is `cost`:
// min(specific_cap, specific_share * max(0, cost - specific_threshold)). The fund's exact
// rule rounds the product to the penny; this does not.
double specific_liability(double cost, const RuleTerms& terms);

// Rule 6: the fund's share of a member's net unplanned variance `variance` (outturn less
// allocation: positive is a loss) against `allocation` (> 0), band by band: f2, f3 of a
// loss beyond b1, b2 of the allocation, capped at aggregate_cap * allocation; for a gain,
// minus g2, g3 of the gain, uncapped. The exact rule rounds the share once, to the penny.
double corridor_share(double variance, double allocation, const RuleTerms& terms);

// Rule 9: what a member surrenders to the fund of its retained result `retained`
// (variance less corridor share; negative is a gain): the gain above
// gain_carry_cap * allocation, zero for a loss.
double surrendered_gain(double retained, double allocation, const RuleTerms& terms);

struct FundModel {
  // The rule terms are required: they come from the fund's parameters (see RuleTerms).
  explicit FundModel(const RuleTerms& rule_terms) : terms(rule_terms) {}

  RuleTerms terms;
  // High-cost patients: a rate per head a year, and annual cost = floor + Pareto(alpha, theta).
  double high_cost_rate_per_head = 1.5 / 50'000, high_cost_floor = 200'000, pareto_alpha = 2.2,
         pareto_theta = 150'000;
  // Spend volatility cv(population) = cv_constant / sqrt(population) (Crump et al. calibration),
  // and a common shock (a bad winter) with this standard deviation, shared by every member.
  double cv_constant = 7.49, common_shock_sd = 0.005;
  // Loadings.
  double expense_loading = 0.03, cost_of_capital = 0.06, tail_level = 0.99,
         special_measures_loading = 0.10;
  double reserve_level = 0.995, rebuild_years = 3, opening_reserve = 0;
  int simulations = 20'000;
  int years = 3;  // for the solvency run
  std::uint64_t seed = 1;
  int threads = 2;
};

// Crump et al. (BMJ 1991): the coefficient of variation of a practice's annual elective
// spend: 7.5% at 9,000 patients, 5.0% at 24,000, 1.8% at 179,400.
struct CvCalibration {
  double constant = 0;    // cv = constant / sqrt(population), least squares in logs
  double free_slope = 0;  // the slope a free power-law fit finds (theory: -0.5)
  double free_constant = 0;
};
CvCalibration calibrate_cv();

struct SimulationResult {
  std::vector<double> fund_outgo;                 // per simulation: the fund's net annual cost
  std::vector<std::vector<double>> member_costs;  // [simulation][member]
};

// Simulates one year for every member jointly. Deterministic for a seed and thread count;
// `progress` (0..1) is called from time to time.
SimulationResult simulate_year(const FundModel& model, const std::vector<MemberRisk>& members,
                               const std::function<void(double)>& progress = {});

struct FundRiskMeasures {
  double expected_outgo = 0;
  double value_at_risk = 0;       // at reserve_level
  double tail_value_at_risk = 0;  // at tail_level
  double reserve_target = 0;      // VaR at reserve_level less the expected outgo
};
FundRiskMeasures risk_measures(const FundModel& model, const SimulationResult& result);

struct ContributionLine {
  std::string id;
  double expected_cost = 0;
  double expense_loading = 0;
  double risk_loading = 0;  // this member's share of the fund's capital cost (TVaR contribution)
  double experience_adjustment =
      0;                          // credibility-weighted (Buhlmann-Straub), zero without experience
  double reserve_adjustment = 0;  // rebuild (+) or release (-) of the reserve
  double special_measures_loading = 0;
  double minimum_adjustment =
      0;  // lifts a negative sum (a member expected to pay through gain shares) to zero
  double contribution = 0;  // the sum of all of the above
};
std::vector<ContributionLine> price_contributions(const FundModel& model,
                                                  const std::vector<MemberRisk>& members,
                                                  const SimulationResult& result,
                                                  const FundRiskMeasures& measures);

// Several years with carry-over of the reserve, supplementary calls (capped) and rebates:
// the probability that the reserve is exhausted at some year end after calls.
struct SolvencyResult {
  double ruin_probability = 0;
  std::vector<double> reserve_mean;  // by year end
  std::vector<double> reserve_percentile_5;
};
SolvencyResult simulate_solvency(const FundModel& model, const std::vector<MemberRisk>& members,
                                 double annual_contributions, double reserve_target);

}  // namespace backstop::pricing
