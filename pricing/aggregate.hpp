// Discretised severities and the aggregate loss S = X1 + ... + XN on a lattice of span h:
// Panjer's recursion and FFT, and what an actuary reads off the result (stop-loss
// premiums, layer costs, VaR, TVaR). Methods follow R actuar's discretize/aggregateDist.
#pragma once

#include <complex>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "pricing/distributions.hpp"

namespace backstop::pricing {

enum class Discretisation { upper, lower, rounding, unbiased };

// Masses at 0, h, 2h, ... of a severity from 0 to `to`, as actuar's discretize():
// to / h masses for upper and rounding, one more for lower and unbiased.
std::vector<double> discretise(const Severity& severity, Discretisation method, double to,
                               double span);

// A distribution on the lattice 0, h, 2h, ...: masses[k] = P(S = k h).
struct LatticeDistribution {
  double span = 1;
  std::vector<double> masses;

  double cdf(double x) const;
  double mean() const;
  // E[(S - d)+], the stop-loss premium.
  double stop_loss(double retention) const;
  // E[min(L, (S - d)+)] times the insurer's share: a layer of `limit` above `retention`.
  double layer_cost(double retention, double limit, double share = 1.0) const;
  // The smallest lattice point x with F(x) >= p.
  double value_at_risk(double p) const;
  // E[S | S > VaR_p] on the lattice, the tail-conditional expectation as actuar's CTE defines it.
  double tail_value_at_risk(double p) const;
};

// What an aggregate method throws rather than return a figure it cannot vouch for: mass
// lost (to the severity's truncation, to a lattice too short, to wrap-around), a mean that
// misses the exact one, a recursion stopped by its length before its tolerance. A
// std::domain_error, as pricing's other refusals of inputs it has no answer for; the
// message names the shortfall, and missing_mass() gives the mass as a number.
class AccuracyError : public std::domain_error {
 public:
  AccuracyError(const std::string& what, double missing_mass)
      : std::domain_error(what), missing_mass_(missing_mass) {}
  double missing_mass() const { return missing_mass_; }

 private:
  double missing_mass_;
};

// Panjer's recursion for an (a, b, 0) or zero-modified frequency, run in scaled space so
// that a P(S = 0) below the smallest double (a Poisson mean past some 745) still starts it.
// With tolerance > 0 it stops once the mass still missing, and the share of the exact mean
// E[N] E[X] still missing, are both within `tolerance`, and throws AccuracyError if
// `length_max` points come first or if the severity's lattice (summing to less than 1)
// leaves the aggregate short of more than `tolerance`. With tolerance 0 it computes exactly
// `length_max` points, the start of the distribution, for comparing with a reference.
LatticeDistribution panjer(const Frequency& frequency, const std::vector<double>& severity_masses,
                           double span, std::size_t length_max = 1 << 20, double tolerance = 1e-12);

// The same by FFT on `length` points (a power of two at least the severity's length, padded
// with zeros), `tilt` > 0 tilting the masses by exp(-tilt k) so that what would wrap round
// from beyond the lattice is cut by exp(-tilt length) and shows instead as mass missing.
// Throws AccuracyError when the result's total mass or its mean is off the model's exact one
// by more than `tolerance` (the mean relatively): a lattice too short for the aggregate's
// tail, or a severity's lattice that loses more than that.
LatticeDistribution aggregate_fft(const Frequency& frequency,
                                  const std::vector<double>& severity_masses, double span,
                                  std::size_t length, double tilt = 0, double tolerance = 1e-10);

// The FFT length for a model: the shortest power of two covering the severity past whose
// end, by Chernoff bounds on the aggregate's tail (P(S >= x) <= M_S(u) e^(-u x), and the
// same for E[S; S >= x]), lie under a tenth of `tolerance` of its mass and of its mean.
// Throws AccuracyError when that is more than `length_max`.
std::size_t fft_length(const Frequency& frequency, const std::vector<double>& severity_masses,
                       double tolerance, std::size_t length_max = 1 << 24);

// The tilt aggregate_fft is given by default on `length` points: 2 / length.
double fft_tilt(std::size_t length);

// The discrete Fourier transform in place (`data.size()` a power of two): X_j = sum_k x_k
// exp(-2 pi i jk / n), or with `inverse` its inverse, divided by n.
void fourier_transform(std::vector<std::complex<double>>& data, bool inverse);

// A per-occurrence layer on a discretised severity: each claim pays
// min(limit, (X - deductible)+) (deductible and limit on the lattice; limit 0 = none). With a
// limit, the mass the discretisation left beyond its last point becomes a claim at the limit.
std::vector<double> occurrence_layer(const std::vector<double>& severity_masses, double span,
                                     double deductible, double limit);

// The aggregate distribution by Monte Carlo on the same lattice (claims rounded to it),
// seeded; for checking the exact methods and for models without one.
LatticeDistribution aggregate_monte_carlo(const Frequency& frequency,
                                          const std::vector<double>& severity_masses, double span,
                                          int simulations, std::uint64_t seed);

// Normal and normal-power approximations of F_S(x) from the first three moments of S.
struct Moments {
  double mean = 0;
  double variance = 0;
  double skewness = 0;
};
// Exact, from the severity's closed-form raw moments and the count's cumulants;
// std::domain_error where the severity's third moment does not exist (a Pareto of shape <= 3).
Moments aggregate_moments(const Frequency& frequency, const Severity& severity);
double normal_approximation_cdf(const Moments& moments, double x);
double normal_power_cdf(const Moments& moments, double x);

}  // namespace backstop::pricing
