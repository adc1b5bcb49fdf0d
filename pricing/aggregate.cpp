#include "pricing/aggregate.hpp"

#include <cassert>
#include <cmath>
#include <complex>
#include <numeric>
#include <random>
#include <stdexcept>

namespace backstop::pricing {
namespace {

double D(std::size_t n) { return static_cast<double>(n); }

void fft(std::vector<std::complex<double>>& data, bool inverse) {
  const std::size_t n = data.size();
  assert((n & (n - 1)) == 0);
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(data[i], data[j]);
  }
  for (std::size_t length = 2; length <= n; length <<= 1) {
    const double angle = 2 * M_PI / static_cast<double>(length) * (inverse ? 1 : -1);
    const std::complex<double> root(std::cos(angle), std::sin(angle));
    for (std::size_t i = 0; i < n; i += length) {
      std::complex<double> w(1);
      for (std::size_t k = 0; k < length / 2; ++k) {
        const auto u = data[i + k];
        const auto v = data[i + k + length / 2] * w;
        data[i + k] = u + v;
        data[i + k + length / 2] = u - v;
        w *= root;
      }
    }
  }
  if (inverse) {
    for (auto& value : data) value /= static_cast<double>(n);
  }
}

// Each family's own pgf (the count dispatches on its family, not on a name).
std::complex<double> pgf(const Frequency& frequency, std::complex<double> z) {
  return frequency.pgf(z);
}

}  // namespace

std::vector<double> discretise(const Severity& severity, Discretisation method, double to,
                               double span) {
  if (!(span > 0) || !(to > 0))
    throw std::invalid_argument("discretise needs positive to and span");
  const auto points = static_cast<std::size_t>(std::llround(to / span));
  std::vector<double> masses;
  switch (method) {
    case Discretisation::upper:
      for (std::size_t j = 0; j < points; ++j)
        masses.push_back(severity.cdf(D(j + 1) * span) - severity.cdf(D(j) * span));
      break;
    case Discretisation::lower:
      masses.push_back(severity.cdf(0));
      for (std::size_t j = 1; j <= points; ++j)
        masses.push_back(severity.cdf(D(j) * span) - severity.cdf((D(j) - 1.0) * span));
      break;
    case Discretisation::rounding:
      for (std::size_t j = 0; j < points; ++j)
        masses.push_back(severity.cdf(D(j) * span + span / 2) -
                         severity.cdf(D(j) * span - span / 2));
      break;
    case Discretisation::unbiased: {
      // Local moment matching of the mean on each interval (actuar's "unbiased").
      auto lev = [&](double x) { return severity.limited_expected_value(x); };
      masses.push_back(1 - lev(span) / span);
      for (std::size_t j = 1; j < points; ++j) {
        const double x = D(j) * span;
        masses.push_back((2 * lev(x) - lev(x - span) - lev(x + span)) / span);
      }
      const double b = D(points) * span;
      masses.push_back((lev(b) - lev(b - span)) / span - 1 + severity.cdf(b));
      break;
    }
  }
  return masses;
}

double LatticeDistribution::cdf(double x) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size() && D(k) * span <= x + 1e-9 * span; ++k)
    total += masses[k];
  return total;
}

double LatticeDistribution::mean() const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k) total += D(k) * span * masses[k];
  return total;
}

double LatticeDistribution::stop_loss(double retention) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k)
    total += std::max(0.0, D(k) * span - retention) * masses[k];
  return total;
}

double LatticeDistribution::layer_cost(double retention, double limit, double share) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k)
    total += std::min(limit, std::max(0.0, D(k) * span - retention)) * masses[k];
  return share * total;
}

double LatticeDistribution::value_at_risk(double p) const {
  double total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k) {
    total += masses[k];
    if (total >= p - 1e-15) return D(k) * span;
  }
  return (D(masses.size()) - 1.0) * span;
}

double LatticeDistribution::tail_value_at_risk(double p) const {
  const double var = value_at_risk(p);
  double weight = 0, total = 0;
  for (std::size_t k = 0; k < masses.size(); ++k) {
    if (D(k) * span <= var + 1e-9 * span) continue;
    weight += masses[k];
    total += D(k) * span * masses[k];
  }
  return weight > 0 ? total / weight : var;
}

LatticeDistribution panjer(const Frequency& frequency, const std::vector<double>& fx, double span,
                           std::size_t length_max, double tolerance) {
  if (fx.empty()) throw std::invalid_argument("panjer needs severity masses");
  LatticeDistribution out{span, {}};
  const double f0 = fx[0];
  out.masses.push_back(frequency.pgf(f0));
  double cumulative = out.masses[0];
  const double scale = 1 / (1 - frequency.a * f0);
  // The (a, b, 1) class adds (p1 - (a + b) p0) f_X(k) to each step; zero for (a, b, 0).
  const double modification =
      frequency.p0_modified >= 0
          ? frequency.pmf(1) - (frequency.a + frequency.b) * frequency.p0_modified
          : 0;
  for (std::size_t k = 1; k < length_max && cumulative < 1 - tolerance; ++k) {
    double sum = k < fx.size() ? modification * fx[k] : 0;
    const std::size_t top = std::min(k, fx.size() - 1);
    for (std::size_t j = 1; j <= top; ++j) {
      sum += (frequency.a + frequency.b * static_cast<double>(j) / static_cast<double>(k)) * fx[j] *
             out.masses[k - j];
    }
    out.masses.push_back(scale * sum);
    cumulative += out.masses.back();
  }
  return out;
}

LatticeDistribution aggregate_fft(const Frequency& frequency, const std::vector<double>& fx,
                                  double span, std::size_t length, double tilt) {
  if ((length & (length - 1)) != 0 || length < fx.size())
    throw std::invalid_argument("FFT length must be a power of two covering the severity");
  std::vector<std::complex<double>> data(length);
  for (std::size_t k = 0; k < fx.size(); ++k)
    data[k] = fx[k] * std::exp(-tilt * static_cast<double>(k));
  fft(data, false);
  for (auto& value : data) value = pgf(frequency, value);
  fft(data, true);
  LatticeDistribution out{span, std::vector<double>(length)};
  for (std::size_t k = 0; k < length; ++k)
    out.masses[k] = std::max(0.0, data[k].real() * std::exp(tilt * static_cast<double>(k)));
  return out;
}

std::vector<double> occurrence_layer(const std::vector<double>& fx, double span, double deductible,
                                     double limit) {
  const auto shift = static_cast<std::size_t>(std::llround(deductible / span));
  const std::size_t cap =
      limit > 0 ? static_cast<std::size_t>(std::llround(limit / span)) : fx.size();
  std::vector<double> out(std::min(cap + 1, fx.size()), 0.0);
  for (std::size_t k = 0; k < fx.size(); ++k) {
    const std::size_t paid = std::min(cap, k > shift ? k - shift : 0);
    if (paid >= out.size()) out.resize(paid + 1, 0.0);
    out[paid] += fx[k];
  }
  // With a limit, the severity's mass beyond the lattice (beyond `to`) is a claim at the limit.
  if (limit > 0 && cap < out.size())
    out[cap] += std::max(0.0, 1 - std::accumulate(fx.begin(), fx.end(), 0.0));
  return out;
}

LatticeDistribution aggregate_monte_carlo(const Frequency& frequency, const std::vector<double>& fx,
                                          double span, int simulations, std::uint64_t seed) {
  if (simulations < 1) throw std::invalid_argument("Monte Carlo needs simulations");
  std::mt19937_64 random(seed);
  std::discrete_distribution<std::size_t> severity(fx.begin(), fx.end());
  std::vector<double> counts;
  for (int s = 0; s < simulations; ++s) {
    const int claims = frequency.sample(random);
    std::size_t total = 0;
    for (int c = 0; c < claims; ++c) total += severity(random);
    if (total >= counts.size()) counts.resize(total + 1, 0.0);
    counts[total] += 1;
  }
  for (auto& count : counts) count /= simulations;
  return LatticeDistribution{span, counts};
}

Moments aggregate_moments(const Frequency& frequency, const Severity& severity) {
  // Nothing is integrated, so no tail is cut off: the severity's raw moments are closed forms
  // (refused where infinite) and the count's cumulants its family's, zero-modified or not.
  const double m1 = severity.raw_moment(1), m2 = severity.raw_moment(2),
               m3 = severity.raw_moment(3);
  const auto [mean_n, variance_n, third_n] = frequency.cumulants();
  // The compound's cumulants by the count's factorial cumulants (E[N], Var[N] - E[N],
  // kappa_3 - 3 Var[N] + 2 E[N]): all but the first vanish for a Poisson count, leaving
  // lambda E[X^j] with no cancellation.
  Moments out;
  out.mean = mean_n * m1;
  out.variance = mean_n * m2 + (variance_n - mean_n) * m1 * m1;
  const double third = mean_n * m3 + 3 * (variance_n - mean_n) * m1 * m2 +
                       (third_n - 3 * variance_n + 2 * mean_n) * m1 * m1 * m1;
  out.skewness = third / std::pow(out.variance, 1.5);
  if (!std::isfinite(out.mean) || !(out.variance > 0) || !std::isfinite(out.variance) ||
      !std::isfinite(out.skewness))
    throw std::domain_error("the aggregate's moments are beyond a double");
  return out;
}

double normal_approximation_cdf(const Moments& moments, double x) {
  return 0.5 * std::erfc(-(x - moments.mean) / std::sqrt(moments.variance) / std::sqrt(2.0));
}

double normal_power_cdf(const Moments& moments, double x) {
  const double z = (x - moments.mean) / std::sqrt(moments.variance);
  const double g = moments.skewness;
  const double y = -3 / g + std::sqrt(9 / (g * g) + 1 + 6 * z / g);
  return 0.5 * std::erfc(-y / std::sqrt(2.0));
}

}  // namespace backstop::pricing
