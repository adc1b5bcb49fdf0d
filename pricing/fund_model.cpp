#include "pricing/fund_model.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

#include "pricing/credibility.hpp"

namespace backstop::pricing {

double specific_liability(double cost, const RuleTerms& t) {
  return std::min(t.specific_cap, t.specific_share * std::max(0.0, cost - t.specific_threshold));
}

double corridor_share(double variance, double allocation, const RuleTerms& t) {
  if (variance > 0) {
    const double share =
        t.f2 * std::clamp(variance - t.b1 * allocation, 0.0, (t.b2 - t.b1) * allocation) +
        t.f3 * std::max(0.0, variance - t.b2 * allocation);
    return std::min(share, t.aggregate_cap * allocation);
  }
  const double gain = -variance;
  return -(t.g2 * std::clamp(gain - t.b1 * allocation, 0.0, (t.b2 - t.b1) * allocation) +
           t.g3 * std::max(0.0, gain - t.b2 * allocation));
}

double surrendered_gain(double retained, double allocation, const RuleTerms& t) {
  return retained < -t.gain_carry_cap * allocation ? -retained - t.gain_carry_cap * allocation : 0;
}

namespace {

double D(std::size_t n) { return static_cast<double>(n); }

// One member's net cost to the fund for one simulated year under the common `shock`.
double member_cost(const FundModel& m, const MemberRisk& r, double shock, std::mt19937_64& random) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  // Rule 5: high-cost patients.
  const int patients =
      std::poisson_distribution<int>(m.high_cost_rate_per_head * r.population)(random);
  double specific = 0;
  for (int p = 0; p < patients; ++p) {
    const double cost =
        m.high_cost_floor + m.pareto_theta * (std::pow(1 - unit(random), -1 / m.pareto_alpha) - 1);
    specific += specific_liability(cost, m.terms);
  }
  // Rule 6: the corridor on the net unplanned variance, and rule 9's surrendered gains.
  const double cv = m.cv_constant / std::sqrt(r.population);
  const double variance = r.allocation * (shock + cv * normal(random));
  const double share = corridor_share(variance, r.allocation, m.terms);
  return specific + share - surrendered_gain(variance - share, r.allocation, m.terms);
}

double percentile(std::vector<double> values, double level) {
  std::sort(values.begin(), values.end());
  const auto index = std::min(values.size() - 1,
                              static_cast<std::size_t>(std::ceil(level * D(values.size()))) - 1);
  return values[index];
}

// Runs `work(first, last, random)` over [0, count) in `threads` fixed blocks, each with its
// own generator seeded from (seed, block): the same seed and thread count give the same result.
void in_blocks(std::size_t count, int threads, std::uint64_t seed,
               const std::function<void(std::size_t, std::size_t, std::mt19937_64&)>& work) {
  const std::size_t blocks = static_cast<std::size_t>(std::max(1, threads));
  std::vector<std::thread> pool;
  for (std::size_t block = 0; block < blocks; ++block) {
    pool.emplace_back([&, block] {
      std::seed_seq sequence{seed, static_cast<std::uint64_t>(block), std::uint64_t{0x6261636b}};
      std::mt19937_64 random(sequence);
      work(count * block / blocks, count * (block + 1) / blocks, random);
    });
  }
  for (auto& thread : pool) thread.join();
}

}  // namespace

CvCalibration calibrate_cv() {
  const double population[] = {9'000, 24'000, 179'400};
  const double cv[] = {0.075, 0.050, 0.018};
  CvCalibration out;
  double log_constant = 0, mean_x = 0, mean_y = 0;
  for (int i = 0; i < 3; ++i) {
    log_constant += std::log(cv[i]) + 0.5 * std::log(population[i]);
    mean_x += std::log(population[i]) / 3;
    mean_y += std::log(cv[i]) / 3;
  }
  out.constant = std::exp(log_constant / 3);
  double sxy = 0, sxx = 0;
  for (int i = 0; i < 3; ++i) {
    sxy += (std::log(population[i]) - mean_x) * (std::log(cv[i]) - mean_y);
    sxx += (std::log(population[i]) - mean_x) * (std::log(population[i]) - mean_x);
  }
  out.free_slope = sxy / sxx;
  out.free_constant = std::exp(mean_y - out.free_slope * mean_x);
  return out;
}

SimulationResult simulate_year(const FundModel& m, const std::vector<MemberRisk>& members,
                               const std::function<void(double)>& progress) {
  if (members.empty() || m.simulations < 100)
    throw std::invalid_argument("the model needs members and at least 100 simulations");
  for (const auto& r : members) {
    if (!(r.population > 0) || !(r.allocation > 0))
      throw std::invalid_argument("member " + r.id + " needs a positive population and allocation");
  }
  const auto count = static_cast<std::size_t>(m.simulations);
  SimulationResult out{std::vector<double>(count), std::vector<std::vector<double>>(
                                                       count, std::vector<double>(members.size()))};
  std::atomic<std::size_t> done{0};
  in_blocks(count, m.threads, m.seed,
            [&](std::size_t first, std::size_t last, std::mt19937_64& random) {
              std::normal_distribution<double> normal(0.0, 1.0);
              for (std::size_t s = first; s < last; ++s) {
                const double shock = m.common_shock_sd * normal(random);
                double total = 0;
                for (std::size_t i = 0; i < members.size(); ++i)
                  total += out.member_costs[s][i] = member_cost(m, members[i], shock, random);
                out.fund_outgo[s] = total;
                if (progress && (++done % 1000) == 0) progress(D(done) / D(count));
              }
            });
  return out;
}

FundRiskMeasures risk_measures(const FundModel& m, const SimulationResult& result) {
  FundRiskMeasures out;
  out.expected_outgo = std::accumulate(result.fund_outgo.begin(), result.fund_outgo.end(), 0.0) /
                       D(result.fund_outgo.size());
  out.value_at_risk = percentile(result.fund_outgo, m.reserve_level);
  const double threshold = percentile(result.fund_outgo, m.tail_level);
  double tail_sum = 0;
  std::size_t tail_count = 0;
  for (double outgo : result.fund_outgo) {
    if (outgo >= threshold) tail_sum += outgo, ++tail_count;
  }
  out.tail_value_at_risk = tail_sum / D(tail_count);
  out.reserve_target = std::max(0.0, out.value_at_risk - out.expected_outgo);
  return out;
}

std::vector<ContributionLine> price_contributions(const FundModel& m,
                                                  const std::vector<MemberRisk>& members,
                                                  const SimulationResult& result,
                                                  const FundRiskMeasures& measures) {
  const std::size_t n = members.size();
  const double sims = D(result.fund_outgo.size());
  const double threshold = percentile(result.fund_outgo, m.tail_level);
  std::vector<double> mean(n, 0.0), tail_mean(n, 0.0);
  std::size_t tail_count = 0;
  for (std::size_t s = 0; s < result.fund_outgo.size(); ++s) {
    const bool tail = result.fund_outgo[s] >= threshold;
    tail_count += tail;
    for (std::size_t i = 0; i < n; ++i) {
      mean[i] += result.member_costs[s][i] / sims;
      if (tail) tail_mean[i] += result.member_costs[s][i];
    }
  }
  // Credibility: members with two or more years of experience against the pool's, revenue-neutral.
  std::vector<double> experience(n, 0.0);
  CredibilityInput input;
  std::vector<std::size_t> with_experience;
  for (std::size_t i = 0; i < n; ++i) {
    if (members[i].fund_cost_per_head.size() < 2) continue;
    with_experience.push_back(i);
    input.ratios.push_back(members[i].fund_cost_per_head);
    input.weights.emplace_back(members[i].fund_cost_per_head.size(), members[i].population);
  }
  if (with_experience.size() >= 2) {
    const auto credibility = buhlmann_straub(input);
    double total = 0, population = 0;
    for (std::size_t k = 0; k < with_experience.size(); ++k) {
      const std::size_t i = with_experience[k];
      experience[i] =
          (credibility.premiums[k] - credibility.collective_mean) * members[i].population;
      total += experience[i];
      population += members[i].population;
    }
    for (std::size_t i : with_experience)
      experience[i] -= total * members[i].population / population;
  }
  double allocation_total = 0;
  for (const auto& r : members) allocation_total += r.allocation;
  const double reserve_total = (measures.reserve_target - m.opening_reserve) / m.rebuild_years;
  std::vector<ContributionLine> out;
  for (std::size_t i = 0; i < n; ++i) {
    ContributionLine line;
    line.id = members[i].id;
    line.expected_cost = mean[i];
    line.expense_loading = m.expense_loading * std::max(0.0, mean[i]);
    line.risk_loading = m.cost_of_capital * (tail_mean[i] / D(tail_count) - mean[i]);
    line.experience_adjustment = experience[i];
    line.reserve_adjustment =
        reserve_total * members[i].allocation / allocation_total;  // pro rata to allocation
    const double base = line.expected_cost + line.expense_loading + line.risk_loading +
                        line.experience_adjustment + line.reserve_adjustment;
    line.special_measures_loading =
        members[i].special_measures ? m.special_measures_loading * std::max(0.0, base) : 0;
    line.minimum_adjustment = std::max(0.0, -(base + line.special_measures_loading));
    line.contribution = base + line.special_measures_loading + line.minimum_adjustment;
    out.push_back(line);
  }
  return out;
}

SolvencyResult simulate_solvency(const FundModel& m, const std::vector<MemberRisk>& members,
                                 double contributions, double target) {
  const auto count = static_cast<std::size_t>(m.simulations);
  const auto years = static_cast<std::size_t>(m.years);
  std::vector<std::vector<double>> reserves(years, std::vector<double>(count));
  std::vector<char> ruined(count, 0);
  in_blocks(count, m.threads, m.seed + 1,
            [&](std::size_t first, std::size_t last, std::mt19937_64& random) {
              std::normal_distribution<double> normal(0.0, 1.0);
              for (std::size_t s = first; s < last; ++s) {
                double reserve = m.opening_reserve;
                for (std::size_t y = 0; y < years; ++y) {
                  const double shock = m.common_shock_sd * normal(random);
                  double outgo = 0;
                  for (const auto& r : members) outgo += member_cost(m, r, shock, random);
                  reserve += contributions - outgo;
                  if (reserve < 0)
                    reserve += std::min(-reserve,
                                        m.terms.max_call * contributions);  // rule 10: capped calls
                  if (reserve < 0) ruined[s] = 1;                           // exhausted after calls
                  if (reserve > target * (1 + m.terms.rebate_margin))
                    reserve = target * (1 + m.terms.rebate_margin);  // rebates
                  reserves[y][s] = reserve;
                }
              }
            });
  SolvencyResult out;
  out.ruin_probability =
      D(static_cast<std::size_t>(std::count(ruined.begin(), ruined.end(), 1))) / D(count);
  for (auto& year : reserves) {
    out.reserve_mean.push_back(std::accumulate(year.begin(), year.end(), 0.0) / D(count));
    out.reserve_percentile_5.push_back(percentile(year, 0.05));
  }
  return out;
}

}  // namespace backstop::pricing
