#include "pricing/credibility.hpp"

#include <stdexcept>

namespace backstop::pricing {

CredibilityResult buhlmann_straub(const CredibilityInput& input) {
  const std::size_t units = input.ratios.size();
  if (units < 2 || input.weights.size() != units)
    throw std::invalid_argument("credibility needs at least two units, ratios and weights alike");
  CredibilityResult out;
  std::vector<double> unit_weights(units);
  double total_weight = 0, within = 0;
  std::size_t degrees = 0;
  for (std::size_t i = 0; i < units; ++i) {
    const auto& x = input.ratios[i];
    const auto& w = input.weights[i];
    if (x.size() != w.size() || x.size() < 2)
      throw std::invalid_argument("each unit needs at least two periods, ratios and weights alike");
    double weight = 0, sum = 0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      if (!(w[j] > 0)) throw std::invalid_argument("weights must be positive");
      weight += w[j];
      sum += w[j] * x[j];
    }
    unit_weights[i] = weight;
    out.unit_means.push_back(sum / weight);
    for (std::size_t j = 0; j < x.size(); ++j)
      within += w[j] * (x[j] - out.unit_means[i]) * (x[j] - out.unit_means[i]);
    degrees += x.size() - 1;
    total_weight += weight;
  }
  out.within_variance = within / static_cast<double>(degrees);
  double weighted_mean = 0, square_weights = 0;
  for (std::size_t i = 0; i < units; ++i) {
    weighted_mean += unit_weights[i] * out.unit_means[i];
    square_weights += unit_weights[i] * unit_weights[i];
  }
  weighted_mean /= total_weight;
  double between = 0;
  for (std::size_t i = 0; i < units; ++i)
    between +=
        unit_weights[i] * (out.unit_means[i] - weighted_mean) * (out.unit_means[i] - weighted_mean);
  out.between_variance =
      std::max(0.0, (between - (static_cast<double>(units) - 1) * out.within_variance) /
                        (total_weight - square_weights / total_weight));
  double factor_sum = 0, credibility_weighted = 0;
  for (std::size_t i = 0; i < units; ++i) {
    const double z =
        out.between_variance > 0
            ? unit_weights[i] / (unit_weights[i] + out.within_variance / out.between_variance)
            : 0;
    out.factors.push_back(z);
    factor_sum += z;
    credibility_weighted += z * out.unit_means[i];
  }
  out.collective_mean = factor_sum > 0 ? credibility_weighted / factor_sum : weighted_mean;
  for (std::size_t i = 0; i < units; ++i)
    out.premiums.push_back(out.collective_mean +
                           out.factors[i] * (out.unit_means[i] - out.collective_mean));
  return out;
}

}  // namespace backstop::pricing
