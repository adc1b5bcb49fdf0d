#include "pricing/premium.hpp"

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace backstop::pricing {
namespace {

// The masses must be a distribution: a principle applied to a truncated one understates it.
void require_distribution(const LatticeDistribution& loss) {
  double total = 0;
  for (double mass : loss.masses) {
    if (!(mass >= 0) || !std::isfinite(mass))
      throw std::domain_error("a mass is negative or not finite");
    total += mass;
  }
  if (std::abs(total - 1) > 1e-9) {
    throw std::domain_error("the masses sum to " + std::to_string(total) +
                            ", not 1: the distribution has lost mass");
  }
}

double variance(const LatticeDistribution& loss) {
  const double mean = loss.mean();
  double sum = 0;
  for (std::size_t k = 0; k < loss.masses.size(); ++k) {
    const double deviation = static_cast<double>(k) * loss.span - mean;
    sum += loss.masses[k] * deviation * deviation;
  }
  return sum;
}

}  // namespace

double variance_premium(const LatticeDistribution& loss, double alpha) {
  if (!(alpha >= 0)) throw std::domain_error("the variance loading must not be negative");
  require_distribution(loss);
  return loss.mean() + alpha * variance(loss);
}

double standard_deviation_premium(const LatticeDistribution& loss, double beta) {
  if (!(beta >= 0)) throw std::domain_error("the standard-deviation loading must not be negative");
  require_distribution(loss);
  return loss.mean() + beta * std::sqrt(variance(loss));
}

double wang_premium(const LatticeDistribution& loss, double lambda) {
  if (!(lambda >= 0)) throw std::domain_error("Wang's lambda must not be negative");
  require_distribution(loss);
  const boost::math::normal standard;
  // S is a step function: constant, S(k h), on [k h, (k + 1) h). Survival is summed from
  // the top, so that small tail probabilities keep their precision.
  const std::size_t n = loss.masses.size();
  std::vector<double> survival(n, 0.0);
  for (std::size_t k = n - 1; k-- > 0;) survival[k] = survival[k + 1] + loss.masses[k + 1];
  double premium = 0;
  for (std::size_t k = 0; k + 1 < n; ++k) {
    if (survival[k] <= 0) continue;
    const double distorted =
        survival[k] >= 1
            ? 1
            : boost::math::cdf(standard, boost::math::quantile(standard, survival[k]) + lambda);
    premium += distorted * loss.span;
  }
  return premium;
}

}  // namespace backstop::pricing
