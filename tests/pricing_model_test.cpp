// The fund model: the Crump calibration, seeded repeatable Monte Carlo checked against the
// exact expected specific-layer cost, contributions that add up, and the solvency run.
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>

#include "pricing/distributions.hpp"
#include "pricing/fitting.hpp"
#include "pricing/fund_model.hpp"
#include "pricing/premium.hpp"
#include "tools/fund_model_terms.hpp"

using namespace backstop::pricing;

namespace {

std::vector<MemberRisk> consortia() {
  std::vector<MemberRisk> out;
  const double populations[] = {30'000, 60'000, 120'000, 250'000, 600'000};
  for (int i = 0; i < 5; ++i) {
    MemberRisk r;
    r.id = "M" + std::to_string(i);
    r.population = populations[i];
    r.allocation = populations[i] * 1'200;
    out.push_back(r);
  }
  out[1].special_measures = true;
  out[2].fund_cost_per_head = {1'210, 1'250, 1'190};
  out[3].fund_cost_per_head = {1'180, 1'170, 1'200};
  out[4].fund_cost_per_head = {1'200, 1'205, 1'195};
  return out;
}

// The model under the rulebook's default terms.
FundModel default_model() {
  return FundModel(backstop::fund_model_terms(backstop::YearParameters{}));
}

FundModel small_model() {
  FundModel model = default_model();
  model.simulations = 4'000;
  return model;
}

}  // namespace

TEST_CASE("pricing: the spend-volatility curve is calibrated to Crump et al.") {
  const auto calibration = calibrate_cv();
  CHECK(calibration.constant == Approx(7.49).epsilon(0.01));
  CHECK(calibration.free_slope > -0.6);
  CHECK(calibration.free_slope < -0.4);
  const double population[] = {9'000, 24'000, 179'400};
  const double observed[] = {0.075, 0.050, 0.018};
  for (int i = 0; i < 3; ++i) {
    const double fitted = calibration.constant / std::sqrt(population[i]);
    INFO(population[i] << ": fitted " << fitted << " observed " << observed[i]);
    CHECK(std::abs(fitted / observed[i] - 1) < 0.06);
  }
  CHECK(default_model().cv_constant == Approx(calibration.constant).epsilon(0.001));
}

TEST_CASE(
    "pricing: Monte Carlo is seeded and repeatable, and matches the exact specific-layer mean") {
  auto model = small_model();
  model.cv_constant = 0;  // the specific layer alone
  model.common_shock_sd = 0;
  const auto members = consortia();
  const auto first = simulate_year(model, members);
  const auto again = simulate_year(model, members);
  CHECK(first.fund_outgo == again.fund_outgo);
  model.seed = 2;
  CHECK(simulate_year(model, members).fund_outgo != first.fund_outgo);

  // Exact: patients x E[min(cap, share (K - T)+)] with K = floor + Pareto, from the
  // Pareto's limited expected values (checked against actuar elsewhere).
  const auto severity = pareto(model.pareto_alpha, model.pareto_theta);
  const double retention = model.terms.specific_threshold - model.high_cost_floor;
  const double per_patient =
      model.terms.specific_share *
      (severity->limited_expected_value(retention +
                                        model.terms.specific_cap / model.terms.specific_share) -
       severity->limited_expected_value(retention));
  double population = 0;
  for (const auto& r : members) population += r.population;
  const double exact = model.high_cost_rate_per_head * population * per_patient;
  const double n = static_cast<double>(first.fund_outgo.size());
  const double mean = std::accumulate(first.fund_outgo.begin(), first.fund_outgo.end(), 0.0) / n;
  double squares = 0;
  for (double x : first.fund_outgo) squares += (x - mean) * (x - mean);
  const double standard_error = std::sqrt(squares / (n - 1) / n);
  INFO("simulated " << mean << " exact " << exact << " standard error " << standard_error);
  CHECK(std::abs(mean - exact) <
        4 * standard_error);  // the stated Monte Carlo error: 4 standard errors
}

TEST_CASE(
    "pricing: contributions add up, loadings are allocated from the tail, experience is "
    "revenue-neutral") {
  const auto model = small_model();
  const auto members = consortia();
  const auto simulated = simulate_year(model, members);
  const auto measures = risk_measures(model, simulated);
  CHECK(measures.tail_value_at_risk >= measures.expected_outgo);
  CHECK(measures.reserve_target >= 0);
  const auto lines = price_contributions(model, members, simulated, measures);
  REQUIRE(lines.size() == members.size());
  double risk = 0, experience = 0;
  for (const auto& line : lines) {
    CHECK(line.contribution ==
          Approx(line.expected_cost + line.expense_loading + line.risk_loading +
                 line.experience_adjustment + line.reserve_adjustment +
                 line.special_measures_loading + line.minimum_adjustment));
    CHECK(line.contribution >= 0);
    risk += line.risk_loading;
    experience += line.experience_adjustment;
  }
  // Euler allocation of the tail: the loadings add up to the fund's capital cost.
  const double threshold_tvar = measures.tail_value_at_risk;
  CHECK(risk ==
        Approx(model.cost_of_capital * (threshold_tvar - measures.expected_outgo)).epsilon(1e-9));
  CHECK(std::abs(experience) < 1e-6);
  CHECK(lines[1].special_measures_loading > 0);
  CHECK(lines[0].special_measures_loading == 0);
  // Small consortia are riskier per head: their risk loading per head is higher.
  CHECK(lines[0].risk_loading / members[0].population >
        lines[4].risk_loading / members[4].population);
}

TEST_CASE("pricing: the solvency run finds ruin only when the fund is underfunded") {
  auto model = small_model();
  model.simulations = 1'000;
  const auto members = consortia();
  const auto simulated = simulate_year(model, members);
  const auto measures = risk_measures(model, simulated);
  model.opening_reserve = measures.reserve_target;
  const auto funded =
      simulate_solvency(model, members, measures.expected_outgo * 1.05, measures.reserve_target);
  model.opening_reserve = 0;
  const auto starved = simulate_solvency(model, members, 0,
                                         measures.reserve_target);  // no contributions, no reserve
  INFO("expected outgo " << measures.expected_outgo << ", ruin funded " << funded.ruin_probability
                         << " starved " << starved.ruin_probability);
  CHECK(funded.ruin_probability < 0.05);
  CHECK(starved.ruin_probability > 0.2);
  CHECK(starved.ruin_probability > funded.ruin_probability + 0.15);
  CHECK(funded.reserve_mean.size() == static_cast<std::size_t>(model.years));
}

TEST_CASE("pricing: a fit with no maximum is refused, never returned as a number") {
  // Identical observations: the gamma shape's equation has no finite root (k -> infinity).
  CHECK_THROWS_AS(backstop::pricing::fit_severity("gamma", {5, 5, 5, 5}), std::domain_error);
  // The Weibull shape is found without overflow, in units of the largest observation.
  const auto fit = backstop::pricing::fit_severity("weibull", {1e5, 2e5, 3e5, 5e5});
  CHECK(std::isfinite(fit.parameters[0]));
  CHECK(fit.parameters[1] > 1e5);
}

TEST_CASE("pricing: premium principles on a discretised lognormal match their closed forms") {
  using namespace backstop::pricing;
  const double mu = 0.2, sigma = 0.5, span = 1e-3;
  const auto severity = lognormal(mu, sigma);
  LatticeDistribution loss{span, discretise(*severity, Discretisation::rounding, 60, span)};
  const double mean = std::exp(mu + sigma * sigma / 2);
  const double variance = (std::exp(sigma * sigma) - 1) * std::exp(2 * mu + sigma * sigma);
  // Rounding to a lattice of 1/1000 moves each amount by at most half a step.
  CHECK(variance_premium(loss, 0.1) == Approx(mean + 0.1 * variance).epsilon(1e-5));
  CHECK(standard_deviation_premium(loss, 0.5) ==
        Approx(mean + 0.5 * std::sqrt(variance)).epsilon(1e-5));
  // Wang's transform of a lognormal is the lognormal with mu + lambda sigma.
  for (double lambda : {0.0, 0.25, 1.0}) {
    INFO("lambda " << lambda);
    CHECK(wang_premium(loss, lambda) ==
          Approx(std::exp(mu + lambda * sigma + sigma * sigma / 2)).epsilon(1e-3));
  }
  // A distribution that lost mass (truncated too early) is refused, not priced low.
  LatticeDistribution truncated{span, discretise(*severity, Discretisation::rounding, 2, span)};
  CHECK_THROWS_AS(wang_premium(truncated, 0.25), std::domain_error);
  CHECK_THROWS_AS(wang_premium(loss, -1), std::domain_error);
}
