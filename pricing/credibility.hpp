// Bühlmann-Straub credibility: blending each member's own experience with the pool's,
// with the structure parameters estimated without bias (as R actuar's cm() does).
#pragma once

#include <vector>

namespace backstop::pricing {

struct CredibilityInput {
  std::vector<std::vector<double>> ratios;   // per unit, per period: e.g. cost per head
  std::vector<std::vector<double>> weights;  // per unit, per period: e.g. population
};

struct CredibilityResult {
  double collective_mean = 0;      // m, the credibility-weighted pool mean
  double within_variance = 0;      // s^2
  double between_variance = 0;     // a (floored at zero)
  std::vector<double> unit_means;  // each unit's weighted mean
  std::vector<double> factors;     // z_i = w_i / (w_i + s^2 / a)
  std::vector<double> premiums;    // m + z_i (unit mean - m)
};

CredibilityResult buhlmann_straub(const CredibilityInput& input);

}  // namespace backstop::pricing
